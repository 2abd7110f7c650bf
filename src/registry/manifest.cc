// Manifest parsing and platform selection (see manifest.h).
#include "registry/manifest.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "image/config.h"
#include "registry/reference.h"

namespace bale::registry {

using nlohmann::json;

namespace {

const char* const kLayerTypes[] = {
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
};

Descriptor descriptor(const json& j, const std::string& where, const std::string& field) {
  if (!j.is_object()) throw Error(fmt::format("{}: {} is not an object", where, field));
  Descriptor d;
  auto str = [&](const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  d.media_type = str("mediaType");
  d.digest = str("digest");
  if (!is_sha256_digest(d.digest))
    throw Error(fmt::format("{}: {} has digest {}, not sha256: and 64 hex digits", where, field,
                            quote(d.digest)));
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_unsigned())
    throw Error(fmt::format("{}: {} has no size", where, field));
  d.size = size->get<uint64_t>();
  if (auto p = j.find("platform"); p != j.end() && p->is_object())
    for (const char* k : {"os", "architecture", "variant"})
      if (p->contains(k) && (*p)[k].is_string()) d.platform[k] = (*p)[k];
  return d;
}

void check_layer_type(const Descriptor& d, const std::string& where, size_t i) {
  if (d.media_type.empty()) return;  // docker-era OCI manifests may leave it out
  for (const char* t : kLayerTypes)
    if (d.media_type == t) return;
  throw Error(fmt::format("{}: layer {} is of type {}, which is no tar layer bale can apply",
                          where, i + 1, quote(d.media_type)));
}

}  // namespace

std::string manifest_accept() {
  return fmt::format("Accept: {}, {}, {}, {}", kOciIndex, kOciManifest, kDockerList, kDockerManifest);
}

Manifest parse_manifest(const std::string& bytes, const std::string& content_type,
                        const std::string& where) {
  json j = json::parse(bytes, nullptr, false);
  if (j.is_discarded())
    throw Error(fmt::format("{}: the manifest is not valid JSON ({} bytes)", where, bytes.size()));
  if (!j.is_object()) throw Error(fmt::format("{}: the manifest is not a JSON object", where));
  Manifest m;
  m.media_type = j.contains("mediaType") && j["mediaType"].is_string() ? j["mediaType"].get<std::string>()
                                                                       : content_type;
  if (j.value("schemaVersion", 0) == 1 || m.media_type.find("distribution.manifest.v1") != std::string::npos)
    throw Error(fmt::format("{}: a Docker schema 1 manifest, which registries stopped serving in "
                            "2019; bale reads schema 2 and OCI", where));
  if (j.value("schemaVersion", 0) != 2)
    throw Error(fmt::format("{}: the manifest has no schemaVersion 2", where));
  if (j.contains("manifests")) {
    if (!j["manifests"].is_array()) throw Error(fmt::format("{}: manifests is not a list", where));
    m.is_index = true;
    for (size_t i = 0; i < j["manifests"].size(); i++)
      m.manifests.push_back(descriptor(j["manifests"][i], where, fmt::format("manifests[{}]", i)));
    return m;
  }
  if (!j.contains("config") || !j.contains("layers") || !j["layers"].is_array())
    throw Error(fmt::format("{}: the manifest has neither manifests nor config and layers", where));
  m.config = descriptor(j["config"], where, "config");
  for (size_t i = 0; i < j["layers"].size(); i++) {
    m.layers.push_back(descriptor(j["layers"][i], where, fmt::format("layers[{}]", i)));
    check_layer_type(m.layers.back(), where, i);
  }
  return m;
}

std::string Platform::str() const {
  return variant.empty() ? os + "/" + architecture : os + "/" + architecture + "/" + variant;
}

Platform parse_platform(const std::string& text) {
  Platform p;
  if (text.empty()) {
    p.os = "linux";
    p.architecture = image::goarch();
    if (p.architecture == "arm64") p.variant = "v8";
    return p;
  }
  auto a = text.find('/');
  auto b = a == std::string::npos ? a : text.find('/', a + 1);
  p.os = text.substr(0, a);
  if (a != std::string::npos) p.architecture = text.substr(a + 1, b == std::string::npos ? b : b - a - 1);
  if (b != std::string::npos) p.variant = text.substr(b + 1);
  if (p.os.empty() || p.architecture.empty() || p.variant.find('/') != std::string::npos)
    throw Error(fmt::format("platform {}: expected OS/ARCH[/VARIANT], e.g. linux/arm64", quote(text)),
                0, kExitUsage);
  return p;
}

std::optional<Descriptor> select_platform(const Manifest& index, const Platform& want) {
  for (const auto& d : index.manifests) {
    auto get = [&](const char* k) {
      auto it = d.platform.find(k);
      return it == d.platform.end() ? std::string() : it->second;
    };
    if (get("os") != want.os || get("architecture") != want.architecture) continue;
    std::string v = get("variant");
    if (!v.empty() && !want.variant.empty() && v != want.variant) continue;
    return d;
  }
  return std::nullopt;
}

std::string offered_platforms(const Manifest& index) {
  std::string out;
  for (const auto& d : index.manifests) {
    auto it = d.platform.find("os");
    if (it == d.platform.end()) continue;  // attestations and the like name no platform
    Platform p{it->second, d.platform.count("architecture") ? d.platform.at("architecture") : "?",
               d.platform.count("variant") ? d.platform.at("variant") : ""};
    out += (out.empty() ? "" : ", ") + p.str();
  }
  return out.empty() ? "none" : out;
}

}  // namespace bale::registry
