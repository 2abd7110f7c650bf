// `bale sign IMAGE`: sign or re-sign an image, or turn a plain tar.gz into a signed image.
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"

#include "base/fs.h"
#include "cmd/commands.h"
#include "image/config.h"
#include "image/image_file.h"
#include "store/names.h"
#include "trust/keystore.h"

namespace bale::cmd {

int sign(const SignOptions& o) {
  auto key = trust::load_signing_key(trust::TrustPaths::defaults(), o.key);
  std::string src = store::resolve_image_ref(o.image);
  // A store's copy is never re-signed in place: its name would then vouch for another signer.
  if (o.output.empty() && src != o.image)
    throw Error(fmt::format("{} is a name in the store: give -o FILE for the re-signed copy",
                            quote(o.image)), 0, kExitUsage);
  std::string dest = o.output.empty() ? src : o.output;
  image::sign_image(src, dest, key, [&](const std::string& sha, std::string_view) {
    auto config = image::new_config();
    image::finalize_config(config, sha, fmt::format("bale sign {}", basename_of(o.image)));
    return image::serialize_config(config);
  });
  std::fprintf(stderr, "signed %s as %s\n", quote(dest).c_str(),
               key.public_key().fingerprint().c_str());
  return 0;
}

}  // namespace bale::cmd
