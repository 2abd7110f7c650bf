// An image that is no local path, URL, name or id but a registry reference: pulled into the
// store first (registry/pull.h), for `bale run REF` and `FROM REF` in `bale build`.
#pragma once

#include <optional>
#include <string>

#include "store/store.h"
#include "trust/keystore.h"

namespace bale::cmd {

// Whether `ref`, which the store did not find (`missing`: the errno of that failure), should be
// pulled: not a path that exists, not a URL, and a well-formed registry reference that names
// its registry (docker.io/library/debian:12, quay.io/org/app) or pins a digest.
bool is_remote_ref(const std::string& ref, int missing);

// Pulls `ref` into `store` (trust as for `bale pull`: a pinned digest, a policy entry, or
// `insecure`) and names it as `bale pull` does; returns the image file in the store.
std::string pull_for_use(const std::string& ref, const store::Store& store, const trust::TrustPaths& paths,
                         bool insecure, const std::optional<std::string>& signer);

}  // namespace bale::cmd
