// `bale pull`: a registry image into the store as one bale image. The trust decision is made
// here, before any layer is fetched where it can be: a pinned digest is trusted by its content,
// a tag only from a repository the trust policy names (or with --insecure). An image whose one
// layer is itself a bale image (what `bale push` makes) is kept byte for byte and trusted by
// its own signature; every other image has its layers applied in order into one image signed
// by the machine key, with where it came from recorded (origin.h).
#pragma once

#include <optional>
#include <string>

#include "registry/origin.h"
#include "registry/reference.h"
#include "store/store.h"
#include "trust/keystore.h"

namespace bale::registry {

struct PullOptions {
  std::optional<std::string> platform;  // OS/ARCH[/VARIANT]; default this machine's
  bool insecure = false;                // a tag no policy names; an untrusted bale signer
  bool tls_verify = true;
  std::optional<std::string> signer;    // a bale-image layer must be signed by this key
  std::string key;                      // signing key file (default the machine key)
};

struct PullResult {
  std::string image_path;  // the image file in the store (blobs/<hex>.bale)
  Origin origin;
  std::string trusted_by;  // "the pinned digest", "trust policy entry '...'", "signer ...", "--insecure"
  bool reused = false;     // the manifest was pulled before: nothing else fetched
  size_t layers = 0, blobs_fetched = 0;
  uint64_t bytes_fetched = 0;
};

PullResult pull(const Reference& ref, const store::Store& store, const trust::TrustPaths& paths,
                const PullOptions& opts);

}  // namespace bale::registry
