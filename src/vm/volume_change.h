// The changes a rw volume's app made, as the guest sends them back at exit: the entries of the
// volume's overlay upper directory, parents first. The payload of a kVolume frame is
//   "N KIND MODE UID GID\0PATH\0DATA"
// N the volume's index, KIND one of: d (directory), o (opaque directory: its old contents go),
// f (a file's first bytes, DATA), a (more bytes of the file last sent), l (symlink, DATA its
// target), w (whiteout: PATH was removed). PATH is relative to the volume, never empty.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace bale::vm {

struct VolumeChange {
  unsigned volume = 0;
  char kind = 0;
  uint32_t mode = 0, uid = 0, gid = 0;
  std::string path, data;
};

std::string encode_volume_change(const VolumeChange& c);
// false when malformed: an unknown kind, a path that is empty, absolute or has a ".." part.
bool decode_volume_change(std::string_view payload, VolumeChange& c);

}  // namespace bale::vm
