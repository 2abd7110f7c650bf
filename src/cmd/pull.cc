// `bale pull REF [-o FILE] [-t NAME]...`: a registry image into the store under its name.
#include <cstdio>

#include "base/error.h"
#include "base/fs.h"
#include "cmd/commands.h"
#include "registry/pull.h"
#include "store/names.h"
#include "trust/keystore.h"

namespace bale::cmd {

namespace {

void warn_tls(bool tls_verify, const std::string& registry) {
  if (!tls_verify)
    std::fprintf(stderr, "bale: warning: not verifying the TLS certificate of %s (--tls-verify=false)\n",
                 quote(registry).c_str());
}

}  // namespace

int pull(const PullOptions& o) {
  registry::Reference ref = registry::parse_reference(o.ref);
  for (const auto& t : o.tags) store::normalize_name(t);  // refuse a bad name before any work
  warn_tls(o.tls_verify, ref.registry);
  store::Store st(store::Store::default_root());
  registry::PullOptions po{o.platform, o.insecure, o.tls_verify, o.signer, o.key};
  registry::PullResult r = registry::pull(ref, st, trust::TrustPaths::defaults(), po);
  if (r.trusted_by == "--insecure" && !r.origin.signed_by_pusher)
    std::fprintf(stderr, "bale: warning: %s: a tag nothing vouches for; pulled anyway (--insecure)\n",
                 quote(ref.str()).c_str());
  std::vector<std::string> names = o.tags;
  if (!ref.familiar().empty()) names.insert(names.begin(), ref.familiar());
  const std::string& digest = r.origin.image_digest;
  for (const auto& n : names) store::tag_image(st, r.image_path, digest, n);
  if (!o.output.empty()) place_file(r.image_path, o.output);
  if (r.reused)
    std::fprintf(stderr, "%s is up to date (manifest %s)\n", quote(ref.str()).c_str(),
                 r.origin.manifest_digest.c_str());
  else
    std::fprintf(stderr, "pulled %s: %zu layers, %zu blobs fetched (%.1f MB)%s; trusted by %s\n",
                 quote(ref.str()).c_str(), r.layers, r.blobs_fetched, r.bytes_fetched / 1e6,
                 r.origin.signed_by_pusher ? ", a signed bale image kept as is" : "", r.trusted_by.c_str());
  for (const auto& n : names) std::fprintf(stderr, "tagged %s\n", store::normalize_name(n).c_str());
  if (!o.quiet) std::printf("%s\n", digest.c_str());
  return 0;
}

}  // namespace bale::cmd
