// Layers applied in order and written as one signed image: what `bale import`
// does with an archive's layers and `bale pull` with a registry's.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "trust/ssh_key.h"

namespace bale::image {

struct LayerInput {
  int fd = -1;  // a tar, plain or compressed (gzip, zstd, ...), in bytes [0, size)
  uint64_t size = 0;
  std::string name;  // names the layer in errors
  std::string diff_id;  // "sha256:<hex>" its inflated tar must have (the config's), or "": unchecked
};

struct LayeredResult {
  uint64_t whiteouts = 0, entries = 0;
  std::string tree_because;  // why the layers were applied into a tree ("" when they were not)
  // Milliseconds from the call: the last layer inflated, the body's bytes all handed to the
  // compressors, the signed file complete.
  double inflated_ms = 0, merged_ms = 0, done_ms = 0;
};

// Layer i (0 = base) once it can be read: blocks until then, throws what kept it from coming.
// Called from the threads that inflate, each i once, in order per thread; the fd stays open
// until write_layered_image returns.
using LayerSource = std::function<LayerInput(size_t i)>;

// Applies `layers` base first, with their whiteouts, and writes the result with `config`
// (sanitized by the caller; its diff_ids and created are set here) as an image signed by `key`.
// Nothing is left beside dest on failure. A layer whose inflated tar does not hash to its
// `diff_id` is an error naming it and both digests (hashed as it inflates, no second pass). The layers are inflated once into plain tars beside
// `dest` and their surviving entries copied as they are (layer_merge.h); only where that cannot
// be done are they applied into a tree, and the tree written.
LayeredResult write_layered_image(const std::vector<LayerInput>& layers, nlohmann::json config,
                                  const std::string& dest, const trust::PrivateKey& key,
                                  const std::string& created_by);
// The same with `count` layers that arrive while it runs (a pull's downloads): each is inflated
// as soon as `source` hands it over, two (or as many as there are cores) at a time.
LayeredResult write_layered_image(size_t count, const LayerSource& source, nlohmann::json config,
                                  const std::string& dest, const trust::PrivateKey& key,
                                  const std::string& created_by);

}  // namespace bale::image
