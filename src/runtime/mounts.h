// The privileged mount calls of the runtime, each named and each failing with an error that
// names the operation and the path.
#pragma once

#include <string>
#include <vector>

#include "base/fd.h"

namespace bale::runtime {

void mount_fs(const std::string& source, const std::string& target, const std::string& type,
              unsigned long flags, const std::string& data = "");
void bind_mount(const std::string& source, const std::string& target, bool read_only,
                bool recursive = true);
// Creates `path` as a directory, or as an empty file when `file` is set, if it is missing.
void ensure_mountpoint(const std::string& path, bool file);
// Opens `path` beneath `root_fd`, creating it (and missing parents) as a directory, or as an
// empty file when `file` is set. Symlinks resolve inside the root, so a mount can never land
// outside it. `created`, when given, receives each path it created, outermost first.
UniqueFd mountpoint_in_root(int root_fd, const std::string& path, bool file,
                            std::vector<std::string>* created = nullptr);
// Binds `host` onto `path` beneath the root (created as above).
void bind_in_root(int root_fd, const std::string& host, const std::string& path, bool file,
                  bool read_only, bool recursive);
// A detached copy of the mount at `source` (an open file or directory) and those below it,
// read-only when asked: open_tree(OPEN_TREE_CLONE). Unlike a /proc/self/fd path it can be
// attached in another mount namespace (mount(2) refuses a bind source from another one).
UniqueFd detached_bind(const UniqueFd& source, const std::string& what, bool read_only);
// Attaches a detached mount (detached_bind) onto `path` beneath the root (created as above).
void attach_in_root(int root_fd, int tree_fd, const std::string& path, bool file);
// "/proc/self/fd/N": a path for mount(2) that names exactly what `fd` holds.
std::string fd_path(const UniqueFd& fd);
// A path as one value of an overlay mount option: overlayfs splits its options at ',' and
// lowerdir at ':'; a '\' escapes either (and itself).
std::string overlay_path_option(const std::string& path);

// pivot_root into `new_root` and detach the old root (pivot_root(".", ".") idiom).
void pivot_into(const std::string& new_root);

}  // namespace bale::runtime
