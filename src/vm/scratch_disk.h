// `--scratch-size`: the guest's writes on an ext4 disk instead of its memory. The disk is an
// unnamed file (O_TMPFILE) in the store's tmp/, so nothing of it outlives bale and QEMU, not
// even after a kill -9 of both.
#pragma once

#include <cstdint>
#include <string>

#include "base/fd.h"

namespace bale::vm {

// The smallest disk mkfs.ext4 makes without complaint, and what bale accepts.
inline constexpr uint64_t kMinScratchBytes = 16ull << 20;

// A sparse file of `bytes` in `dir`, with an ext4 file system (mkfs.ext4, no journal: its
// contents die with the VM), open read-write.
UniqueFd make_scratch_disk(const std::string& dir, uint64_t bytes);

}  // namespace bale::vm
