// `bale push IMAGE REF`: the image file, byte for byte, as the one layer of a registry image.
#include <cstdio>

#include "base/error.h"
#include "cmd/commands.h"
#include "image/image_file.h"
#include "registry/push.h"
#include "store/names.h"
#include "trust/keystore.h"

namespace bale::cmd {

int push(const PushOptions& o) {
  registry::Reference ref = registry::parse_reference(o.ref);
  std::string path = store::resolve_image_ref(o.image);
  auto paths = trust::TrustPaths::defaults();
  // What leaves this machine under a name is what `bale run` would accept (or --insecure).
  auto v = image::verify_image(path, paths, o.signer, path == o.image ? "" : o.image);
  if (v.status != image::VerifyStatus::kTrusted) {
    if (!o.insecure || v.status != image::VerifyStatus::kUntrusted) {
      Error e(v.message);
      throw e.with_hint(v.status == image::VerifyStatus::kUntrusted
                            ? v.hint + " (or --insecure)"
                            : v.status == image::VerifyStatus::kNoSignature ? "sign it first: bale sign IMAGE"
                                                                             : v.hint);
    }
    std::fprintf(stderr, "bale: warning: %s, pushing anyway (--insecure)\n", v.message.c_str());
  }
  if (!o.tls_verify)
    std::fprintf(stderr, "bale: warning: not verifying the TLS certificate of %s (--tls-verify=false)\n",
                 quote(ref.registry).c_str());
  auto r = registry::push(path, ref, {o.tls_verify, paths.config_dir});
  std::fprintf(stderr, "pushed %s to %s: %zu blobs uploaded (%.1f MB)\n", quote(o.image).c_str(),
               quote(ref.str()).c_str(), r.blobs_uploaded, r.bytes_uploaded / 1e6);
  std::printf("%s@%s\n", ref.name().c_str(), r.manifest_digest.c_str());
  return 0;
}

}  // namespace bale::cmd
