// The distribution API's operations on one repository: manifests and blobs, down and up. Every
// byte that comes down is checked against the digest it was asked for while it streams, and a
// blob is written under a temporary name, renamed into place only when its digest and size
// are right.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "registry/client.h"
#include "registry/manifest.h"

namespace bale::registry {

struct FetchedManifest {
  std::string bytes, content_type;
  std::string digest;  // sha256 of bytes
};

// GET /v2/REPO/manifests/REF (a tag or a digest; a digest must match the bytes).
FetchedManifest get_manifest(Client& c, const std::string& ref);

// GET the blob `d` into `dest` (atomically). Throws bale::Error naming the blob when the
// registry sends more or fewer bytes than d.size or bytes of another digest. `label` names it
// on a progress bar drawn on a terminal; "" draws none (transfers running side by side).
// `counted`, when given, hears of each piece's size as it arrives (a shared progress line).
void get_blob(Client& c, const Descriptor& d, const std::string& dest, const std::string& label,
              const std::function<void(uint64_t)>& counted = {});

// HEAD: whether the repository has the blob already.
bool has_blob(Client& c, const std::string& digest);
// A monolithic upload: POST an upload session, then PUT the bytes with their digest. The bytes
// are [0, size) of `fd`, or `bytes` when fd < 0. With a `label`, a bar on a terminal shows how
// much is sent (the caller prints the line a log gets).
void put_blob(Client& c, const std::string& digest, int fd, uint64_t size,
              const std::string& bytes = "", const std::string& label = "");
// PUT /v2/REPO/manifests/TAG. Returns the digest the registry gives it.
std::string put_manifest(Client& c, const std::string& tag, const std::string& media_type,
                         const std::string& bytes);

}  // namespace bale::registry
