// Getting an image ready to run: fetch it if it is a URL, verify it (or accept a verification
// record for this exact file, so a warm start does not re-hash it), and unpack it into the
// store once.
#pragma once

#include <optional>
#include <string>

#include "image/image_file.h"
#include "store/store.h"

namespace bale::store {

struct AcquireOptions {
  std::optional<std::string> signer;
  bool insecure = false;  // run unsigned or untrusted images, with a warning
  bool offer_insecure = true;  // whether a refusal may point at --insecure (build has none)
  // A build's bases: verified as for run, with no --insecure to offer.
  static AcquireOptions for_build() {
    AcquireOptions o;
    o.offer_insecure = false;
    return o;
  }
};

struct ReadyImage {
  std::string path;    // the image file
  std::string digest;  // sha256:... (config digest; for unsigned files the file's sha256)
  std::string config;  // config JSON ("" for unsigned files)
  std::string rootfs;  // unpacked tree in the store
  // A shared lock on the unpacked tree: `store gc` leaves it alone until the overlay that uses
  // it is mounted (then the mount itself shows it is in use). Released by execve (CLOEXEC).
  UniqueFd in_use;
};

ReadyImage acquire(const std::string& ref, Store& store, const trust::TrustPaths& paths,
                   const AcquireOptions& opts);

}  // namespace bale::store
