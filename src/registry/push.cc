// Pushing one image as one layer (see push.h).
#include "registry/push.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "image/config.h"
#include "image/digest.h"
#include "image/image_file.h"
#include "registry/client.h"
#include "registry/distribution.h"
#include "registry/manifest.h"

namespace bale::registry {

using nlohmann::json;

std::string push_manifest(const std::string& config, uint64_t file_size, const std::string& file_digest) {
  json m{{"schemaVersion", 2},
         {"mediaType", kOciManifest},
         {"config", {{"mediaType", kOciConfig},
                     {"digest", "sha256:" + image::sha256_hex(config)},
                     {"size", config.size()}}},
         {"layers", json::array({{{"mediaType", kOciLayerGzip},
                                  {"digest", file_digest},
                                  {"size", file_size},
                                  // what it is, for people; bale pull checks the bytes themselves
                                  {"annotations", {{"org.bale.image", "signed bale image"}}}}})}};
  return m.dump();
}

PushResult push(const std::string& image_path, const Reference& ref, const PushOptions& o) {
  if (ref.tag.empty())
    throw Error(fmt::format("{}: push needs a tag to put the image under", quote(ref.str())), 0, kExitUsage);
  UniqueFd fd = open_file(image_path, O_RDONLY);
  image::ImageInfo info = image::read_image_info(fd.get(), image_path);
  if (!info.trailer)
    throw Error(fmt::format("{}: not a signed bale image{}", quote(image_path),
                            info.damage.empty() ? "" : ": " + info.damage))
        .with_hint("sign it first: bale sign IMAGE");
  const std::string& config = info.trailer->config;
  image::single_diff_id(image::parse_config(config, quote(image_path)), quote(image_path));
  image::Digest sha = image::Digest::sha256();
  if (lseek(fd.get(), 0, SEEK_SET) < 0) throw_sys("seek", image_path);
  sha.update_from(fd.get(), image_path);
  std::string file_digest = "sha256:" + sha.hex();
  Client c(ref, {o.tls_verify, true, std::nullopt, o.config_dir});
  PushResult r;
  if (!has_blob(c, file_digest)) {
    std::fprintf(stderr, "uploading %s (%.1f MB) as the layer %s\n", quote(image_path).c_str(),
                 info.file_size / 1e6, file_digest.substr(0, 19).c_str());
    put_blob(c, file_digest, fd.get(), info.file_size, "", "uploading");
    r.blobs_uploaded++;
    r.bytes_uploaded += info.file_size;
  }
  std::string config_digest = "sha256:" + image::sha256_hex(config);
  if (!has_blob(c, config_digest)) {
    put_blob(c, config_digest, -1, config.size(), config);
    r.blobs_uploaded++;
    r.bytes_uploaded += config.size();
  }
  r.manifest_digest = put_manifest(c, ref.tag, kOciManifest, push_manifest(config, info.file_size, file_digest));
  return r;
}

}  // namespace bale::registry
