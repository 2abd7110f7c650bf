// `bale sign IMAGE`: sign or re-sign an image, or turn a plain tar.gz into a signed image.
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"

#include "base/fs.h"
#include "cmd/commands.h"
#include "image/config.h"
#include "image/image_file.h"
#include "trust/keystore.h"

namespace bale::cmd {

int sign(const SignOptions& o) {
  auto key = trust::load_signing_key(trust::TrustPaths::defaults(), o.key);
  std::string dest = o.output.empty() ? o.image : o.output;
  image::sign_image(o.image, dest, key, [&](const std::string& sha, std::string_view) {
    auto config = image::new_config();
    image::finalize_config(config, sha, fmt::format("bale sign {}", basename_of(o.image)));
    return image::serialize_config(config);
  });
  std::fprintf(stderr, "signed %s as %s\n", quote(dest).c_str(),
               key.public_key().fingerprint().c_str());
  return 0;
}

}  // namespace bale::cmd
