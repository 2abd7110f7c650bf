// `bale verify IMAGE`: who signed it, and is that signer trusted here.
#include <cstdio>

#include "base/error.h"
#include "cmd/commands.h"
#include "image/image_file.h"
#include "store/names.h"

namespace bale::cmd {

int verify(const VerifyOptions& o) {
  std::string path = store::resolve_image_ref(o.image);
  auto v = image::verify_image(path, trust::TrustPaths::defaults(), o.signer,
                               path == o.image ? "" : o.image);
  if (v.sig && v.status != image::VerifyStatus::kBadSignature)
    std::printf("signer: %s%s%s\n", v.sig->key.fingerprint().c_str(),
                v.sig->key.comment.empty() ? "" : " ", v.sig->key.comment.c_str());
  if (v.status != image::VerifyStatus::kTrusted) {
    Error e(v.message);
    if (!v.hint.empty()) e.with_hint(v.hint);
    throw e;
  }
  std::printf("principal: %s\ntrusted: yes (%s)\n", v.decision.principal.c_str(),
              v.decision.source.c_str());
  return 0;
}

}  // namespace bale::cmd
