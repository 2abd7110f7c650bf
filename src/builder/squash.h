// The target stage as one image: its layers squashed into a single tar (deleted files absent, no
// whiteout markers) in the image format, signed.
//
// The tar lists entries by the layer that provides them, bottom layer first (each layer's part
// in name order), so that a change in a late step changes only the end of the tar. After each
// layer's part the compressed body is cut at a member boundary, and where the body stands there
// (sizes, and the running SHA-256 of the tar and SHA-512 of the file) is recorded in the build
// cache under a key over that layer and everything below it. A later build whose lower layers
// are the same copies that prefix from the earlier image and continues from the recorded hash
// states: it neither reads nor compresses nor hashes the unchanged part again. The bytes are
// the same as a squash from nothing would write.
#pragma once

#include <cstdint>
#include <string>

#include "builder/cache.h"
#include "builder/stage_state.h"
#include "trust/ssh_key.h"

namespace bale::builder {

struct SquashOutcome {
  uint64_t entries = 0;
  bool reused_image = false;    // an identical earlier build's image was handed out whole
  uint64_t reused_bytes = 0;    // else: how much of the body came from an earlier image
  uint64_t base_members = 0;    // and how many of the base image's members were copied
};

// Writes `stage` as a signed image at `output`. Unless `fresh`, reuses what earlier builds
// recorded in `cache`.
SquashOutcome write_stage_image(const BuildCache& cache, const StageState& stage,
                                const trust::PrivateKey& key, const std::string& output,
                                bool fresh);

}  // namespace bale::builder
