// Writes a directory tree as a deterministic pax tar stream: entries sorted by name, numeric
// owners, no atime/ctime, mtimes clamped to SOURCE_DATE_EPOCH, hardlinks as links, xattrs as
// SCHILY.xattr records (the spelling GNU tar, bsdtar and Go read without warnings).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace bale::image {

struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
};

struct TreeTarOptions {
  std::optional<int64_t> clamp_mtime;  // SOURCE_DATE_EPOCH
  // A file never packed: the image being written, when it is written inside the tree.
  std::optional<FileId> skip;
};

struct TreeTarStats {
  uint64_t entries = 0;
  uint64_t skipped_sockets = 0;
};

using ByteSink = std::function<void(std::string_view)>;

// Streams the tar of everything below `root` (not `root` itself: names are relative, dirs end
// in '/') into `sink`, ending with the two zero blocks. Throws bale::Error naming the path.
TreeTarStats write_tree_tar(const std::string& root, const TreeTarOptions& opts,
                            const ByteSink& sink);

FileId file_id(int fd);

// Is this xattr part of an image? user.*, security.capability and trusted.* except overlayfs'
// own; not security.selinux (a host label) nor system.* (ACLs).
bool xattr_belongs_in_image(std::string_view name);

}  // namespace bale::image
