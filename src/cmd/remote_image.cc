// Registry references where an image is expected (see remote_image.h).
#include "cmd/remote_image.h"

#include <cerrno>
#include <cstdio>

#include "base/error.h"
#include "base/fs.h"
#include "fetch/fetch.h"
#include "registry/pull.h"
#include "store/names.h"

namespace bale::cmd {

bool is_remote_ref(const std::string& ref, int missing) {
  if (missing != ENOENT || path_exists(ref) || fetch::is_url(ref)) return false;
  // Only a reference that names its registry, or pins a digest, goes to the network: a short
  // name (`web`, `debian:sid`, `missing.bale`) is a local name or a typo, never a download.
  std::string first = ref.substr(0, ref.find('/'));
  bool names_registry = ref.find('/') != std::string::npos &&
                        (first == "localhost" || first.find_first_of(".:") != std::string::npos);
  if (!names_registry && ref.find("@sha256:") == std::string::npos) return false;
  try {
    registry::parse_reference(ref);
    return true;
  } catch (const Error&) {
    return false;
  }
}

std::string pull_for_use(const std::string& ref, const store::Store& store, const trust::TrustPaths& paths,
                         bool insecure, const std::optional<std::string>& signer) {
  registry::Reference r = registry::parse_reference(ref);
  std::fprintf(stderr, "%s is not in the store: pulling %s\n", quote(ref).c_str(), r.str().c_str());
  registry::PullOptions po;
  po.insecure = insecure;
  po.signer = signer;
  registry::PullResult p = registry::pull(r, store, paths, po);
  if (!r.familiar().empty()) store::tag_image(store, p.image_path, p.origin.image_digest, r.familiar());
  return p.image_path;
}

}  // namespace bale::cmd
