// Image layers merged into one tar without extracting them: from the index of every layer's
// tar (tar_index.h), the entries that survive the layers above (not whited out, not replaced),
// as byte ranges of the layers' tars to copy in order. Each layer's survivors keep the layer's
// own order, base layer first; a directory that several layers list takes its place from the
// first of them and its header from the last, so it still comes before what it holds.
//
// Where a tree would resolve something a plain copy cannot (a path through a symlink or a file
// of a lower layer, a hardlink whose target a later layer replaces or removes, a name that
// climbs out of the root), there is no plan: the caller applies the layers into a tree instead,
// which handles (or refuses, naming the entry) each of these.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "image/tar_index.h"

namespace bale::image {

struct MergePiece {
  size_t layer = 0;
  uint64_t start = 0, end = 0;  // bytes of that layer's tar
};

struct MergePlan {
  std::vector<MergePiece> pieces;  // in output order; neighbours in one layer are joined
  uint64_t entries = 0, whiteouts = 0;
};

// `layers[i]` is the index of layer i's tar, base first. `why` gets the reason when there is
// no plan.
std::optional<MergePlan> plan_merge(const std::vector<std::vector<TarIndexEntry>>& layers,
                                    std::string& why);

}  // namespace bale::image
