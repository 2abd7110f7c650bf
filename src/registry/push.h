// `bale push IMAGE REF`: the image file, byte for byte, as the one layer of an OCI image (the
// file is a gzip-compressed tar; its trailer inflates to nothing), with the embedded OCI config
// as the image config, whose diff_id already is the tar's sha256. Docker and podman pull it as
// an ordinary one-layer image; `bale pull` recognises it and keeps the file, signature and all.
#pragma once

#include <cstdint>
#include <string>

#include "registry/reference.h"

namespace bale::registry {

struct PushOptions {
  bool tls_verify = true;
  std::string config_dir;  // for certs.d/HOST/ca.crt
};

struct PushResult {
  std::string manifest_digest;
  size_t blobs_uploaded = 0;  // 0, 1 or 2: a blob the registry has is not sent again
  uint64_t bytes_uploaded = 0;
};

// The manifest bale pushes for an image with this config and file (exposed for tests).
std::string push_manifest(const std::string& config, uint64_t file_size, const std::string& file_digest);

// Throws bale::Error for a file that is no signed bale image, and for what the registry refuses.
PushResult push(const std::string& image_path, const Reference& ref, const PushOptions& opts);

}  // namespace bale::registry
