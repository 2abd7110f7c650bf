// Extracts a tar stream into a directory without ever writing outside it: every path is
// resolved beneath the root's fd with openat2(RESOLVE_IN_ROOT), so symlinks in the tree (even
// absolute ones, or ones planted by an earlier entry) resolve inside it; names with '..' or a
// leading '/' and hardlinks to anything not already extracted are refused.
#pragma once

#include <archive.h>

#include <cstdint>
#include <string>

namespace bale::image {

struct UnpackOptions {
  // Treat the tar as an image layer: ".wh.NAME" deletes NAME from what lower layers left,
  // ".wh..wh..opq" empties its directory of everything not from this layer.
  bool layer = false;
};

struct UnpackStats {
  uint64_t entries = 0, bytes = 0, whiteouts = 0;
};

// Reads every entry of `a` (already opened) into `root_path`. `source` names the tar in
// errors. Throws bale::Error naming the entry and what is wrong.
UnpackStats unpack_tar(archive* a, const std::string& source, const std::string& root_path,
                       const UnpackOptions& opts = {});

// Normalizes a tar entry name: drops "./" and repeated or trailing '/'. Throws bale::Error if
// the name is absolute or has a ".." component. "" is the root itself.
std::string clean_entry_name(const std::string& name);

}  // namespace bale::image
