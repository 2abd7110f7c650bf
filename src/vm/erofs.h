// The guest's root disk: an erofs image of an image's unpacked tree, made once per image digest
// with mkfs.erofs (erofs-utils) and kept beside the tree: images/<hex>/rootfs.erofs.
#pragma once

#include <string>

namespace bale::vm {

// The erofs image of the tree at `rootfs` (images/<hex>/rootfs), made first if there is none;
// `built` says whether it was. Concurrent first runs each make one under a name of their own;
// the renames leave one complete image.
std::string ensure_erofs(const std::string& rootfs, bool& built);

}  // namespace bale::vm
