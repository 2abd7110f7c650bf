// Mount helpers (see mounts.h).
#include "runtime/mounts.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"

namespace bale::runtime {

void mount_fs(const std::string& source, const std::string& target, const std::string& type,
              unsigned long flags, const std::string& data) {
  if (mount(source.c_str(), target.c_str(), type.c_str(), flags,
            data.empty() ? nullptr : data.c_str()) < 0)
    throw sys_error(fmt::format("mount {} on", type), target, errno);
}

void bind_mount(const std::string& source, const std::string& target, bool read_only,
                bool recursive) {
  unsigned long flags = MS_BIND | (recursive ? MS_REC : 0);
  if (mount(source.c_str(), target.c_str(), nullptr, flags, nullptr) < 0)
    throw sys_error(fmt::format("bind {} on", quote(source)), target, errno);
  // A bind mount ignores MS_RDONLY on creation; read-only takes a remount of the new mount.
  if (read_only &&
      mount(nullptr, target.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) < 0)
    throw sys_error("remount read-only", target, errno);
}

void ensure_mountpoint(const std::string& path, bool file) {
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) return;
  mkdir_p(dirname_of(path));
  if (!file) {
    if (mkdir(path.c_str(), 0755) < 0 && errno != EEXIST) throw_sys("create mountpoint", path);
    return;
  }
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) throw_sys("create mountpoint", path);
  close(fd);
}

void pivot_into(const std::string& new_root) {
  if (chdir(new_root.c_str()) < 0) throw_sys("chdir", new_root);
  // With new and old root both ".", the old root ends up stacked on top and is detached next.
  if (syscall(SYS_pivot_root, ".", ".") < 0) throw_sys("pivot_root", new_root);
  if (umount2(".", MNT_DETACH) < 0) throw_sys("detach the old root", "/");
  if (chdir("/") < 0) throw_sys("chdir", "/");
}

std::string overlay_path_option(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ',' || c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string fd_path(const UniqueFd& fd) { return fmt::format("/proc/self/fd/{}", fd.get()); }

// Opens `path` beneath the new root, creating it (and missing parents) as a directory, or as
// an empty file when `file` is set. Image symlinks are resolved inside the root, so a mount can
// never land outside it.
UniqueFd mountpoint_in_root(int root_fd, const std::string& path, bool file,
                            std::vector<std::string>* created) {
  if (UniqueFd fd(open_in_root(root_fd, path, O_PATH)); fd || errno != ENOENT) {
    if (!fd) throw_sys("open", path);
    return fd;  // the usual case: the image has it
  }
  std::string prefix;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string part = path.substr(i, j - i);
    i = j + 1;
    if (part.empty() || part == ".") continue;
    std::string next = prefix + "/" + part;
    bool last = i > path.size();
    UniqueFd fd(open_in_root(root_fd, next, O_PATH));
    if (!fd && errno == ENOENT) {
      UniqueFd parent(open_in_root(root_fd, prefix, O_PATH | O_DIRECTORY));
      if (!parent) throw_sys("open", prefix.empty() ? "/" : prefix);
      int r = last && file ? openat(parent.get(), part.c_str(),
                                    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)
                           : mkdirat(parent.get(), part.c_str(), 0755);
      if (r < 0 && errno != EEXIST) throw_sys("create mountpoint", next);
      if (last && file && r >= 0) close(r);
      if (r >= 0 && created) created->push_back(next);
    } else if (!fd) {
      throw_sys("open", next);
    }
    prefix = next;
  }
  UniqueFd fd(open_in_root(root_fd, prefix, O_PATH));
  if (!fd) throw_sys("open", prefix.empty() ? "/" : prefix);
  return fd;
}

// Binds `host` onto `path` beneath the root. Read-only takes a remount of the new mount, which
// must be reached through a fresh fd: the one used for the bind still points beneath it.
void bind_in_root(int root_fd, const std::string& host, const std::string& path, bool file,
                  bool read_only, bool recursive) {
  bind_mount(host, fd_path(mountpoint_in_root(root_fd, path, file)), false, recursive);
  if (read_only &&
      mount(nullptr, fd_path(mountpoint_in_root(root_fd, path, file)).c_str(), nullptr,
            MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) < 0)
    throw sys_error("remount read-only", path, errno);
}

UniqueFd detached_bind(const UniqueFd& source, const std::string& what, bool read_only) {
  UniqueFd tree(open_tree(source.get(), "",
                          OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE));
  if (!tree) throw_sys("clone the mount of", what);
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  if (read_only && mount_setattr(tree.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
    throw_sys("make read-only the mount of", what);
  return tree;
}

void attach_in_root(int root_fd, int tree_fd, const std::string& path, bool file) {
  UniqueFd at(mountpoint_in_root(root_fd, path, file));
  if (move_mount(tree_fd, "", at.get(), "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    throw_sys("attach a mount on", path);
}

}  // namespace bale::runtime
