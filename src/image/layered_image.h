// Layers applied in order and written as one signed image: what `bale import`
// does with an archive's layers and `bale pull` with a registry's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "trust/ssh_key.h"

namespace bale::image {

struct LayerInput {
  int fd = -1;  // a tar, plain or compressed (gzip, zstd, ...), in bytes [0, size)
  uint64_t size = 0;
  std::string name;  // names the layer in errors
};

struct LayeredResult {
  uint64_t whiteouts = 0, entries = 0;
  std::string tree_because;  // why the layers were applied into a tree ("" when they were not)
};

// Applies `layers` base first, with their whiteouts, and writes the result with `config`
// (sanitized by the caller; its diff_ids and created are set here) as an image signed by `key`.
// Nothing is left beside dest on failure. The layers are inflated once into plain tars beside
// `dest` and their surviving entries copied as they are (layer_merge.h); only where that cannot
// be done are they applied into a tree, and the tree written.
LayeredResult write_layered_image(const std::vector<LayerInput>& layers, nlohmann::json config,
                                  const std::string& dest, const trust::PrivateKey& key,
                                  const std::string& created_by);

}  // namespace bale::image
