// What the store keeps of images that came from a registry, under STORE/registry/:
//   blobs/<hex>                 manifests, configs and layers as fetched, digest-checked: a
//                               second pull fetches only what is new
//   origins/<image hex>.json    where an image came from: reference, manifest digest, platform
//   manifests/<manifest hex>    the image a manifest became, so an unchanged image is not
//                               rebuilt (one manifest request and nothing else)
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/fd.h"
#include "store/store.h"

namespace bale::registry {

struct Origin {
  std::string reference;        // as pulled: docker.io/library/debian:bookworm
  std::string manifest_digest;  // of the image manifest (the platform's, for an index)
  std::string index_digest;     // of the index it was picked from, or ""
  std::string platform;         // linux/amd64
  std::string mirror;           // the mirror (registries.yaml) it came from, or ""
  std::string image_digest;     // the bale image's id (sha256 of its config)
  bool signed_by_pusher = false;  // the layer was a bale image, kept as is
  int64_t pulled = 0;             // seconds since the epoch
};

std::string blob_cache_path(const store::Store& s, const std::string& digest);
void save_origin(const store::Store& s, const Origin& o);
std::optional<Origin> find_origin(const store::Store& s, const std::string& image_digest);
// The image digest a manifest was pulled into, if the store still has that image's file.
std::optional<std::string> image_for_manifest(const store::Store& s, const std::string& manifest_digest);

// Held (shared) by a pull while it uses the blob cache, so prune_cache leaves it alone.
UniqueFd lock_cache(const store::Store& s);

struct PruneStats {
  size_t blobs = 0, records = 0;
  uint64_t bytes = 0;
};
// For `bale store gc`: empties the blob cache (the pulled images themselves are in blobs/ and
// stay) and drops the records of images the store no longer has. nullopt when a pull is using
// the cache: then nothing is removed.
std::optional<PruneStats> prune_cache(const store::Store& s);

}  // namespace bale::registry
