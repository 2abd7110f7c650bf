// COPY/ADD file operations (see copy.h). Every path on the destination side is resolved beneath
// the view's root fd, so an image's symlinks can never send a write outside it.
#include "builder/copy.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "image/body_reader.h"
#include "image/tree_tar.h"
#include "image/unpack.h"

namespace bale::builder {

namespace {

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

// Is this file a tar archive, plain or compressed with anything libarchive reads?
bool is_tar_archive(int fd, const std::string& name) {
  uint64_t size = file_size(fd, name);
  if (size == 0) return false;
  try {
    auto a = image::open_archive_range(fd, 0, size, name, false);
    archive_entry* e;
    return archive_read_next_header(a.get(), &e) == ARCHIVE_OK;
  } catch (const Error&) {
    return false;  // not an archive libarchive knows: copied as it is
  }
}

// Writes into a step's change set (`upper`) directly, not through an overlay: creating files in
// an overlay costs several times what it costs on the file system below. What is already in the
// stage is looked up in `view`, a read-only mount of its layers: directories on the way are
// copied up by hand (their metadata kept, as overlayfs would), and paths resolve through the
// stage's symlinks as they would in the container.
class Copier {
 public:
  Copier(int view_fd, std::string view_path, int upper_fd, const CopyOptions& opts,
         const std::string& what)
      : view_(view_fd), view_path_(std::move(view_path)), root_(upper_fd), opts_(opts),
        what_(what) {}

  // `path` with the stage's symlinks resolved (inside the stage), as far as it exists.
  std::string canonical(const std::string& path) {
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
    std::string parent = canonical(dirname_of(clean));
    return (parent == "/" ? "" : parent) + "/" + basename_of(clean);
  }

  // The directory `path` in the change set, made (with its missing parents) when absent.
  UniqueFd make_dir(const std::string& path) { return make_canonical_dir(canonical(path)); }

  // Is there a directory at `path` (no symlink followed at the end) in the stage already?
  bool stage_has_dir(const std::string& path, struct stat* out = nullptr) const {
    UniqueFd fd(open_in_root(view_, path, O_PATH | O_NOFOLLOW));
    struct stat st;
    if (!fd || fstat(fd.get(), &st) < 0) return false;
    if (out) *out = st;
    return S_ISDIR(st.st_mode);
  }

  // Copies the object `src` (an O_PATH fd) as `name` in the directory `dir` of the view; `where`
  // is its path in the view, for hardlinks and messages.
  void copy_one(int src, const struct stat& st, int dir, const std::string& name,
                const std::string& where) {
    if (S_ISDIR(st.st_mode)) return copy_dir(src, st, dir, name, where);
    if (st.st_nlink > 1 && !S_ISDIR(st.st_mode)) {
      auto it = links_.find({st.st_dev, st.st_ino});
      if (it != links_.end()) return link_to(it->second, dir, name, where);
      links_[{st.st_dev, st.st_ino}] = where;
    }
    clear_way(dir, name, where);
    if (S_ISREG(st.st_mode)) {
      copy_file(src, st, dir, name, where);
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(st.st_size + 1, '\0');
      ssize_t n = readlinkat(src, "", target.data(), target.size());
      if (n < 0) throw_sys("readlink", where);
      target.resize(static_cast<size_t>(n));
      if (symlinkat(target.c_str(), dir, name.c_str()) < 0) throw_sys("symlink", where);
      finish_nofollow(dir, name, st, where);
    } else {
      if (mknodat(dir, name.c_str(), st.st_mode & (S_IFMT | 07777), st.st_rdev) < 0)
        throw_sys("mknod", where);
      finish_nofollow(dir, name, st, where);
    }
  }

  // Copies a directory's listed entries into `dest_dir` (at `where` in the view).
  void copy_below(int src_dir, const std::vector<ContextEntry>& below, int dest_dir,
                  const std::string& where) {
    // Walk order puts a directory before its contents: a stack of open destination directories
    // follows the walk without holding an fd for every directory at once.
    std::vector<std::pair<std::string, UniqueFd>> stack;
    for (const auto& e : below) {
      std::string parent = e.path.find('/') == std::string::npos ? "" : dirname_of(e.path);
      while (!stack.empty() && stack.back().first != parent) stack.pop_back();
      int into = dest_dir;
      if (!parent.empty()) {
        if (stack.empty()) {
          stack.emplace_back(parent, open_below(dest_dir, parent, O_PATH | O_DIRECTORY));
        }
        into = stack.back().second.get();
      }
      UniqueFd src = open_below(src_dir, e.path, O_PATH);
      struct stat st = stat_fd(src.get(), e.path);
      std::string leaf = basename_of(e.path);
      copy_one(src.get(), st, into, leaf, where + "/" + e.path);
      if (S_ISDIR(st.st_mode))
        stack.emplace_back(e.path, open_below(into, leaf, O_PATH | O_DIRECTORY));
    }
  }

  // Directory mtimes are set last: adding their contents changed them.
  void finish_dirs() {
    for (auto it = dir_times_.rbegin(); it != dir_times_.rend(); ++it) {
      UniqueFd fd(open_in_root(root_, it->first, O_PATH | O_DIRECTORY));
      timespec ts[2] = {it->second, it->second};
      if (fd) utimensat(fd.get(), "", ts, AT_EMPTY_PATH);
    }
  }

  uid_t owner_uid(uid_t) const { return opts_.uid.value_or(0); }
  gid_t owner_gid(gid_t) const { return opts_.gid.value_or(0); }
  mode_t mode_of(const struct stat& st) const { return opts_.chmod.value_or(st.st_mode & 07777); }

 private:
  UniqueFd make_canonical_dir(const std::string& c) {
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
      if (fchown(fd.get(), owner_uid(0), owner_gid(0)) < 0 || fchmod(fd.get(), 0755) < 0)
        throw_sys("chown", c);
    }
    return fd;
  }

  // A directory of the stage, made in the change set with the stage's metadata.
  void copy_up(int stage_fd, const struct stat& st, int made, const std::string& where) {
    UniqueFd from(open(proc_fd(stage_fd).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (from) copy_xattrs(from.get(), made, where);
    if (fchown(made, st.st_uid, st.st_gid) < 0) throw_sys("chown", where);
    if (fchmod(made, st.st_mode & 07777) < 0) throw_sys("chmod", where);
    // Its mtime becomes the time of the copy, as when overlayfs copies it up to add to it.
  }

  // Makes room for `name`: what is there is replaced, unless it is a directory.
  void clear_way(int dir, const std::string& name, const std::string& where) {
    struct stat st;
    bool in_upper = fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    if ((in_upper && S_ISDIR(st.st_mode)) || (!in_upper && stage_has_dir(where)))
      throw Error(fmt::format("{}: cannot replace the directory {} with a file", what_,
                              quote(where)));
    if (in_upper && unlinkat(dir, name.c_str(), 0) < 0) throw_sys("remove", where);
  }

  void copy_dir(int src, const struct stat& st, int dir, const std::string& name,
                const std::string& where) {
    struct stat have;
    if (fstatat(dir, name.c_str(), &have, AT_SYMLINK_NOFOLLOW) == 0) {
      if (S_ISDIR(have.st_mode)) return;  // merged into what is there, which keeps its metadata
      if (unlinkat(dir, name.c_str(), 0) < 0) throw_sys("remove", where);
    }
    if (mkdirat(dir, name.c_str(), 0700) < 0) throw_sys("mkdir", where);
    if (stage_has_dir(where, &have)) {  // merged into the stage's: copied up, metadata kept
      UniqueFd made = open_below(dir, name, O_RDONLY | O_DIRECTORY);
      UniqueFd in_stage(open_in_root(view_, where, O_PATH | O_NOFOLLOW));
      copy_up(in_stage.get(), have, made.get(), where);
      return;
    }
    UniqueFd made = open_below(dir, name, O_RDONLY | O_DIRECTORY);
    UniqueFd from(open(proc_fd(src).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (from) copy_xattrs(from.get(), made.get(), where);
    if (fchown(made.get(), owner_uid(st.st_uid), owner_gid(st.st_gid)) < 0) throw_sys("chown", where);
    if (fchmod(made.get(), mode_of(st)) < 0) throw_sys("chmod", where);
    dir_times_.emplace_back(where, st.st_mtim);
  }

  void copy_file(int src, const struct stat& st, int dir, const std::string& name,
                 const std::string& where) {
    UniqueFd in(open(proc_fd(src).c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) throw_sys("open", where);
    UniqueFd out(openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out) throw_sys("create", where);
    copy_bytes(in.get(), where, out.get(), where);
    copy_xattrs(in.get(), out.get(), where);
    if (fchown(out.get(), owner_uid(st.st_uid), owner_gid(st.st_gid)) < 0) throw_sys("chown", where);
    // After chown, which clears set-id bits.
    if (fchmod(out.get(), mode_of(st)) < 0) throw_sys("chmod", where);
    timespec ts[2] = {st.st_mtim, st.st_mtim};
    if (futimens(out.get(), ts) < 0) throw_sys("set times of", where);
  }

  void finish_nofollow(int dir, const std::string& name, const struct stat& st,
                       const std::string& where) {
    if (fchownat(dir, name.c_str(), owner_uid(st.st_uid), owner_gid(st.st_gid),
                 AT_SYMLINK_NOFOLLOW) < 0)
      throw_sys("chown", where);
    timespec ts[2] = {st.st_mtim, st.st_mtim};
    if (utimensat(dir, name.c_str(), ts, AT_SYMLINK_NOFOLLOW) < 0) throw_sys("set times of", where);
  }

  void link_to(const std::string& first, int dir, const std::string& name,
               const std::string& where) {
    UniqueFd parent(open_in_root(root_, dirname_of(first), O_PATH | O_DIRECTORY));
    if (!parent) throw_sys("open", dirname_of(first));
    clear_way(dir, name, where);
    if (linkat(parent.get(), basename_of(first).c_str(), dir, name.c_str(), 0) < 0)
      throw_sys("link", where);
  }

  int view_;
  std::string view_path_;
  int root_;
  const CopyOptions& opts_;
  std::string what_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
  std::vector<std::pair<std::string, timespec>> dir_times_;
};

void extract_into(int file_fd, const std::string& name, int dest_dir) {
  uint64_t size = file_size(file_fd, name);
  auto a = image::open_archive_range(file_fd, 0, size, name, false);
  image::unpack_tar(a.get(), name, proc_fd(dest_dir));
}

}  // namespace

void copy_into(const std::string& view, const std::string& upper,
               const std::vector<CopySource>& sources, const std::string& dest,
               const CopyOptions& opts, const std::string& what) {
  UniqueFd view_fd(open(view.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!view_fd) throw_sys("open", view);
  UniqueFd root_fd(open(upper.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd) throw_sys("open", upper);
  char* real = realpath(view.c_str(), nullptr);
  if (!real) throw_sys("resolve", view);
  std::string view_path = real;
  free(real);
  Copier copier(view_fd.get(), view_path, root_fd.get(), opts, what);
  bool dest_dir_hint = dest.ends_with('/') || dest.ends_with("/.") || dest == "/";
  if (sources.size() > 1 && !dest_dir_hint)
    throw Error(fmt::format("{} with more than one source needs a directory destination that "
                            "ends with '/': {}", what, quote(dest)));
  std::string target = copier.canonical(dest == "/" ? "/" : clean_path(dest));
  for (const auto& s : sources) {
    UniqueFd src(open_source(s, what));
    struct stat st = stat_fd(src.get(), s.path);
    if (S_ISDIR(st.st_mode)) {
      UniqueFd dir = copier.make_dir(target);
      UniqueFd src_dir(open(proc_fd(src.get()).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      copier.copy_below(src_dir.get(), s.below, dir.get(), target == "/" ? "" : target);
      continue;
    }
    if (opts.extract_archives && S_ISREG(st.st_mode)) {
      UniqueFd in(open(proc_fd(src.get()).c_str(), O_RDONLY | O_CLOEXEC));
      if (is_tar_archive(in.get(), s.path)) {
        UniqueFd dir = copier.make_dir(target);
        UniqueFd rw(open(proc_fd(dir.get()).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        extract_into(in.get(), s.path, rw.get());
        continue;
      }
    }
    bool into_dir = dest_dir_hint;
    if (!into_dir) {
      UniqueFd in_upper(openat2_with(root_fd.get(), target == "/" ? "." : target.substr(1), O_PATH,
                                     RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS));
      into_dir = (in_upper && S_ISDIR(stat_fd(in_upper.get(), target).st_mode)) ||
                 copier.stage_has_dir(target);
    }
    std::string dir_path = into_dir ? target : dirname_of(target);
    std::string name = into_dir ? basename_of(clean_path(s.path)) : basename_of(target);
    UniqueFd dir = copier.make_dir(dir_path);
    std::string where = (dir_path == "/" ? "" : dir_path) + "/" + name;
    copier.copy_one(src.get(), st, dir.get(), name, where);
  }
  copier.finish_dirs();
}

}  // namespace bale::builder
