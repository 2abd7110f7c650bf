// Writes a directory tree as a deterministic pax tar stream: entries sorted by name, numeric
// owners, no atime/ctime, mtimes clamped to SOURCE_DATE_EPOCH, hardlinks as links, xattrs as
// SCHILY.xattr records (the spelling GNU tar, bsdtar and Go read without warnings).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <string_view>

#include <sys/stat.h>
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

// The entry writer behind write_tree_tar, for callers that choose the entries themselves (the
// build's squash of overlay layers). Entries get the same bytes as write_tree_tar gives them.
class TarWriter {
 public:
  TarWriter(const TreeTarOptions& opts, const ByteSink& sink);
  ~TarWriter();
  // One entry: `rel` is its name in the tar (no trailing '/'), `full` the file to read.
  // Hardlinks are found by st_dev/st_ino among the entries added so far.
  void add(const std::string& rel, const std::string& full, const struct stat& st);
  // Writes the last entry's padding: everything added so far is then in the sink.
  void finish_entry();
  void close();  // the two zero blocks
  const TreeTarStats& stats() const;
  TreeTarStats& stats();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// A directory's entries in byte order of their names (the order every tar bale writes uses),
// each with its lstat. With `read_ahead`, the kernel is asked to start reading the regular
// files among them (their first 2 MiB) all at once: a tree the page cache no longer holds is
// then read at the disk's pace rather than one file's latency at a time.
struct Child {
  std::string name;
  struct stat st;
};
std::vector<Child> read_children(const std::string& dir, bool read_ahead);

FileId file_id(int fd);

// Is this xattr part of an image? user.*, security.capability and trusted.* except overlayfs'
// own; not security.selinux (a host label) nor system.* (ACLs).
bool xattr_belongs_in_image(std::string_view name);

}  // namespace bale::image
