// The part of base/fs.h that keeps names from outside where they belong: openat2 resolution
// beneath a directory fd or inside a root, ScratchDir, and tree removal through directory fds
// (never by path, so a directory swapped for a symlink leads nowhere).
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"

namespace bale {

int openat2_with(int dir_fd, const std::string& path, int flags, uint64_t resolve, mode_t mode) {
  struct open_how how {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = resolve;
  // With RESOLVE_BENEATH or RESOLVE_IN_ROOT the kernel gives up with EAGAIN when a rename or a
  // mount anywhere on the machine raced the lookup, and expects the caller to ask again (a busy
  // machine made the import tests fail now and then).
  for (int tries = 0;; tries++) {
    int fd = static_cast<int>(
        syscall(SYS_openat2, dir_fd, path.empty() ? "." : path.c_str(), &how, sizeof how));
    if (fd >= 0 || errno != EAGAIN || tries == 100) return fd;
  }
}

int open_in_root(int root_fd, const std::string& path, int flags) {
  return openat2_with(root_fd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

// Below `dir_fd`, following symlinks only while they stay below it.
int open_beneath_following(int dir_fd, const std::string& path, int flags) {
  return openat2_with(dir_fd, path, flags, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
}

int open_beneath(int dir_fd, const std::string& path, int flags, mode_t mode) {
  return openat2_with(dir_fd, path, flags,
                      RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, mode);
}

DirStream dir_stream(int dir_fd, const std::string& path) {
  int fd = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) throw_sys("duplicate the descriptor of", path);
  DirStream d(::fdopendir(fd), ::closedir);
  if (!d) {
    int err = errno;
    ::close(fd);
    errno = err;
    throw_sys("read directory", path);
  }
  return d;
}

bool is_plain_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos;
}

ScratchDir::ScratchDir(std::string path) : path_(std::move(path)) {
  mkdir_p(path_, 0700);
  fd_ = UniqueFd(::open(path_.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd_) throw_sys("open", path_);
}

UniqueFd ScratchDir::create(const std::string& rel, mode_t mode) {
  std::string shown = path_ + "/" + rel;
  UniqueFd fd(open_beneath(fd_.get(), rel, O_WRONLY | O_CREAT | O_EXCL, mode));
  if (!fd) throw_sys("create", shown);
  if (fchmod(fd.get(), mode) < 0) throw_sys("chmod", shown);  // the umask took bits off
  return fd;
}

std::string ScratchDir::write(const std::string& rel, std::string_view data, mode_t mode) {
  std::string shown = path_ + "/" + rel;
  UniqueFd fd = create(rel, mode);
  write_all(fd.get(), data, shown);
  return shown;
}

std::string ScratchDir::mkdir(const std::string& rel, mode_t mode) {
  std::string shown = path_ + "/" + rel;
  // mkdirat has no RESOLVE_* flags: the parent is opened beneath, the leaf must be plain.
  std::string parent = rel.find('/') == std::string::npos ? "." : dirname_of(rel);
  std::string leaf = basename_of(rel);
  if (!is_plain_name(leaf)) {
    errno = EINVAL;
    throw_sys("mkdir", shown);
  }
  UniqueFd dir(open_beneath(fd_.get(), parent, O_PATH | O_DIRECTORY));
  if (!dir) throw_sys("mkdir", shown);
  if (::mkdirat(dir.get(), leaf.c_str(), mode) < 0) throw_sys("mkdir", shown);
  return shown;
}

void remove_tree_at(int dirfd, const std::string& name) {
  if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT) return;
  if (errno != EISDIR && errno != EPERM) throw_sys("remove", name);
  int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return;
  if (fd < 0) throw_sys("open directory", name);
  DirStream d(::fdopendir(fd), ::closedir);
  if (!d) {
    ::close(fd);
    throw_sys("read directory", name);
  }
  std::vector<std::string> names;
  while (dirent* de = ::readdir(d.get()))
    if (std::strcmp(de->d_name, ".") != 0 && std::strcmp(de->d_name, "..") != 0)
      names.emplace_back(de->d_name);
  // A directory whose mode forbids writes still goes: removal needs the parent's permission.
  for (const auto& n : names) remove_tree_at(::dirfd(d.get()), n);
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
    throw_sys("remove directory", name);
}

void remove_tree(const std::string& path) {
  // Through directory fds, never by path below `path`: a directory swapped for a symlink while
  // the tree is removed leads nowhere (the old nftw walk unlinked through such a symlink).
  std::string clean = clean_path(path);
  std::string leaf = basename_of(clean);
  if (!is_plain_name(leaf)) throw Error(fmt::format("remove {}: not a removable path", quote(path)));
  std::string parent = clean.find('/') == std::string::npos ? "." : dirname_of(clean);
  UniqueFd dir(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir && errno == ENOENT) return;
  if (!dir) throw_sys("remove", path);
  try {
    remove_tree_at(dir.get(), leaf);
  } catch (const Error& e) {
    throw e.wrap(fmt::format("remove {}", quote(path)));
  }
}

}  // namespace bale
