// Where a copy lands (see copy_dest.h). Every path on this side is resolved beneath the view's
// or the change set's root fd, so an image's symlinks can never send a write outside it.
#include "builder/copy_dest.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "image/tree_tar.h"

namespace bale::builder {

void copy_xattrs(int from, int to, const std::string& name) {
  char names[16384];
  ssize_t n = flistxattr(from, names, sizeof names);
  if (n <= 0) return;  // none, or a file system without them
  for (const char* k = names; k < names + n; k += std::strlen(k) + 1) {
    if (!image::xattr_belongs_in_image(k)) continue;
    char value[65536];
    ssize_t len = fgetxattr(from, k, value, sizeof value);
    if (len >= 0 && fsetxattr(to, k, value, static_cast<size_t>(len), 0) < 0)
      throw sys_error(fmt::format("set xattr {} on", k), name, errno);
  }
}

std::string CopyDest::canonical(const std::string& path) { return resolve(path, 0); }

std::optional<std::string> CopyDest::link_at(const std::string& path) const {
  UniqueFd fd(open_in_root(view_, path, O_PATH | O_NOFOLLOW));
  struct stat st;
  if (!fd || fstat(fd.get(), &st) < 0 || !S_ISLNK(st.st_mode)) return std::nullopt;
  char buf[4096];
  ssize_t n = readlinkat(fd.get(), "", buf, sizeof buf);
  if (n <= 0) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

std::string CopyDest::resolve(const std::string& path, int hops) {
  std::string clean = clean_path(path.empty() ? "/" : path);
  if (clean == "/" || clean == ".") return "/";
  if (UniqueFd fd(open_in_root(view_, clean, O_PATH)); fd) {
    char buf[4096];
    ssize_t n = readlink(proc_fd(fd.get()).c_str(), buf, sizeof buf - 1);
    if (n > 0) {
      std::string real(buf, static_cast<size_t>(n));
      if (real == view_path_) return "/";
      if (real.rfind(view_path_ + "/", 0) == 0) return real.substr(view_path_.size());
    }
  }
  std::string parent = resolve(dirname_of(clean), hops);
  std::string at = (parent == "/" ? "" : parent) + "/" + basename_of(clean);
  // A dangling symlink: a write in the container goes through it, and so does the copy. Its
  // target is resolved as a path of the stage, so `..` and absolute names stay inside the root.
  auto target = link_at(at);
  if (!target) return at;
  if (hops >= 40)  // the kernel's limit (ELOOP)
    throw Error(fmt::format("{}: destination {}: too many levels of symbolic links", what_,
                            quote(path)));
  return resolve((*target)[0] == '/' ? *target : parent + "/" + *target, hops + 1);
}

bool CopyDest::stage_has_dir(const std::string& path, struct stat* out) const {
  UniqueFd fd(open_in_root(view_, path, O_PATH | O_NOFOLLOW));
  struct stat st;
  if (!fd || fstat(fd.get(), &st) < 0) return false;
  if (out) *out = st;
  return S_ISDIR(st.st_mode);
}

UniqueFd CopyDest::make_canonical_dir(const std::string& c) {
  if (UniqueFd fd(openat2_with(root_, c == "/" ? "." : c.substr(1), O_PATH | O_DIRECTORY,
                               RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS));
      fd)
    return fd;
  UniqueFd up = make_canonical_dir(dirname_of(c));
  std::string leaf = basename_of(c);
  struct stat have;
  UniqueFd in_stage(open_in_root(view_, c, O_PATH | O_NOFOLLOW));
  bool exists = in_stage && fstat(in_stage.get(), &have) == 0;
  if (exists && !S_ISDIR(have.st_mode))
    throw Error(fmt::format("{}: destination {}: something that is not a directory is in the way",
                            what_, quote(c)));
  if (mkdirat(up.get(), leaf.c_str(), 0700) < 0 && errno != EEXIST)
    throw sys_error(fmt::format("{}: create directory", what_), c, errno);
  UniqueFd fd = open_below(up.get(), leaf, O_RDONLY | O_DIRECTORY);
  if (exists) {
    copy_up(in_stage.get(), have, fd.get(), c);
  } else {
    if (fchown(fd.get(), opts_.uid.value_or(0), opts_.gid.value_or(0)) < 0 || fchmod(fd.get(), 0755) < 0)
      throw_sys("chown", c);
  }
  return fd;
}

void CopyDest::copy_up(int stage_fd, const struct stat& st, int made, const std::string& where) {
  UniqueFd from(open(proc_fd(stage_fd).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (from) copy_xattrs(from.get(), made, where);
  if (fchown(made, st.st_uid, st.st_gid) < 0) throw_sys("chown", where);
  if (fchmod(made, st.st_mode & 07777) < 0) throw_sys("chmod", where);
  // Its mtime becomes the time of the copy, as when overlayfs copies it up to add to it.
}

void CopyDest::clear_way(int dir, const std::string& name, const std::string& where) {
  struct stat st;
  bool in_upper = fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  if ((in_upper && S_ISDIR(st.st_mode)) || (!in_upper && stage_has_dir(where)))
    throw Error(fmt::format("{}: cannot replace the directory {} with a file", what_,
                            quote(where)));
  if (in_upper && unlinkat(dir, name.c_str(), 0) < 0) throw_sys("remove", where);
}

}  // namespace bale::builder
