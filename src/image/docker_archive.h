// The way images reach bale from other tools and go back: `docker save`/`podman save`
// archives and OCI image layout tarballs in, docker-archive (what `podman load` takes) out.
#pragma once

#include <optional>
#include <string>

#include "trust/ssh_key.h"

namespace bale::image {

struct ImportResult {
  std::string format;  // "docker-archive" or "oci-layout"
  size_t layers = 0;
  uint64_t whiteouts = 0, entries = 0;
};

// Applies the archive's layers in order (with their whiteouts) into one root filesystem and
// writes it, with the archive's config, as an image signed by `key`.
ImportResult import_archive(const std::string& src, const std::string& dest,
                            const trust::PrivateKey& key);

// Writes `image` as a docker-archive: one layer (the image's tar), its config, manifest.json.
void export_docker_archive(const std::string& image, const std::string& dest,
                           const std::optional<std::string>& tag);

}  // namespace bale::image
