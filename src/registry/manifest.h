// The manifests a registry serves (OCI image-spec manifest.md and image-index.md, Docker image
// manifest v2 schema 2 and its manifest list): parsing them, and picking this machine's
// platform out of an index.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bale::registry {

inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
// The Accept header of a manifest request: every kind bale reads.
std::string manifest_accept();

struct Descriptor {
  std::string media_type, digest;
  uint64_t size = 0;
  std::map<std::string, std::string> platform;  // os, architecture, variant (index entries)
};

struct Manifest {
  bool is_index = false;
  std::string media_type;
  Descriptor config;                   // image manifests
  std::vector<Descriptor> layers;      // image manifests, in order, base first
  std::vector<Descriptor> manifests;   // indexes
};

// Parses `bytes` (served with Content-Type `content_type`, which may be empty). `where` names
// it in errors. Throws bale::Error for JSON that is not one of the four kinds, a schema 1
// manifest, a layer type bale cannot apply, and descriptors without a sha256 digest or size.
Manifest parse_manifest(const std::string& bytes, const std::string& content_type,
                        const std::string& where);

struct Platform {
  std::string os, architecture, variant;
  std::string str() const;
};
// "linux/arm64/v8", "linux/amd64"; empty: this machine's. Throws bale::Error (exit 2).
Platform parse_platform(const std::string& text);
// The entry of `index` for `want` (a missing variant in either matches); nullopt when none is.
std::optional<Descriptor> select_platform(const Manifest& index, const Platform& want);
// "linux/amd64, linux/arm64/v8": what an index offers, for an error message.
std::string offered_platforms(const Manifest& index);

}  // namespace bale::registry
