// `bale import` (docker/podman save archives, OCI layouts) and `bale export` (docker-archive).
#include <cstdio>

#include "base/error.h"
#include "cmd/commands.h"
#include "image/docker_archive.h"
#include "image/image_file.h"
#include "store/names.h"
#include "trust/keystore.h"

namespace bale::cmd {

int import(const ImportOptions& o) {
  for (const auto& t : o.tags) store::normalize_name(t);  // refuse a bad name before any work
  auto key = trust::load_signing_key(trust::TrustPaths::defaults(), o.key);
  auto r = image::import_archive(o.file, o.output, key);
  tag_in_store(o.output, o.tags);
  std::fprintf(stderr, "imported %s (%s, %zu layers, %llu whiteouts) into %s: %llu entries\n",
               quote(o.file).c_str(), r.format.c_str(), r.layers,
               static_cast<unsigned long long>(r.whiteouts), quote(o.output).c_str(),
               static_cast<unsigned long long>(r.entries));
  return 0;
}

int export_image(const ExportOptions& o) {
  std::string path = store::resolve_image_ref(o.image);
  auto v = image::verify_image(path, trust::TrustPaths::defaults(), o.signer,
                               path == o.image ? "" : o.image);
  if (v.status != image::VerifyStatus::kTrusted) {
    // --insecure covers unsigned and untrusted images, never a broken signature.
    if (!o.insecure || v.status == image::VerifyStatus::kBadSignature) {
      Error e(v.message);
      e.with_hint(v.hint.empty() ? "to export it anyway: --insecure" : v.hint + " (or --insecure)");
      throw e;
    }
    std::fprintf(stderr, "bale: warning: %s, exporting anyway (--insecure)\n", v.message.c_str());
  }
  image::export_docker_archive(path, o.output, o.tag);
  std::fprintf(stderr, "exported %s to %s (docker-archive)\n", quote(o.image).c_str(),
               quote(o.output).c_str());
  return 0;
}

}  // namespace bale::cmd
