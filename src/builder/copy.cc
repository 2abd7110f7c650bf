// COPY/ADD file operations (see copy.h): the objects written into the change set, and
// Docker's destination rules. Where they land is copy_dest's.
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
#include "builder/copy_dest.h"
#include "image/body_reader.h"
#include "image/tree_tar.h"
#include "image/unpack.h"

namespace bale::builder {

namespace {

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

// Writes into a step's change set directly, not through an overlay: creating files in an
// overlay costs several times what it costs on the file system below. `dest` knows what the
// stage holds already; the Copier writes each object with its owner, mode, times and xattrs,
// and keeps hardlinks linked.
class Copier {
 public:
  Copier(CopyDest& dest, const CopyOptions& opts) : dest_(dest), opts_(opts) {}

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
    dest_.clear_way(dir, name, where);
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
      UniqueFd fd(open_in_root(dest_.upper(), it->first, O_PATH | O_DIRECTORY));
      timespec ts[2] = {it->second, it->second};
      if (fd) utimensat(fd.get(), "", ts, AT_EMPTY_PATH);
    }
  }

  // Files from the context are root's; from a stage or an image they keep their owners, as in
  // BuildKit; --chown wins over either.
  void keep_owners(bool keep) { keep_owners_ = keep; }
  uid_t owner_uid(uid_t uid) const { return opts_.uid.value_or(keep_owners_ ? uid : 0); }
  gid_t owner_gid(gid_t gid) const { return opts_.gid.value_or(keep_owners_ ? gid : 0); }
  // --chmod replaces the permission bits; setuid, setgid and sticky stay, as in BuildKit.
  mode_t mode_of(const struct stat& st) const {
    return opts_.chmod ? (st.st_mode & 07000) | *opts_.chmod : st.st_mode & 07777;
  }

 private:
  void copy_dir(int src, const struct stat& st, int dir, const std::string& name,
                const std::string& where) {
    struct stat have;
    if (fstatat(dir, name.c_str(), &have, AT_SYMLINK_NOFOLLOW) == 0) {
      if (S_ISDIR(have.st_mode)) return;  // merged into what is there, which keeps its metadata
      if (unlinkat(dir, name.c_str(), 0) < 0) throw_sys("remove", where);
    }
    if (mkdirat(dir, name.c_str(), 0700) < 0) throw_sys("mkdir", where);
    if (dest_.stage_has_dir(where, &have)) {  // merged into the stage's: copied up, metadata kept
      UniqueFd made = open_below(dir, name, O_RDONLY | O_DIRECTORY);
      UniqueFd in_stage(open_in_root(dest_.view(), where, O_PATH | O_NOFOLLOW));
      dest_.copy_up(in_stage.get(), have, made.get(), where);
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
    UniqueFd parent(open_in_root(dest_.upper(), dirname_of(first), O_PATH | O_DIRECTORY));
    if (!parent) throw_sys("open", dirname_of(first));
    dest_.clear_way(dir, name, where);
    if (linkat(parent.get(), basename_of(first).c_str(), dir, name.c_str(), 0) < 0)
      throw_sys("link", where);
  }

  CopyDest& dest_;
  const CopyOptions& opts_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
  std::vector<std::pair<std::string, timespec>> dir_times_;
  bool keep_owners_ = false;
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
  CopyDest to(view_fd.get(), view_path, root_fd.get(), opts, what);
  Copier copier(to, opts);
  bool dest_dir_hint = dest.ends_with('/') || dest.ends_with("/.") || dest == "/";
  if (sources.size() > 1 && !dest_dir_hint)
    throw Error(fmt::format("{} with more than one source needs a directory destination that "
                            "ends with '/': {}", what, quote(dest)));
  std::string target = to.canonical(dest == "/" ? "/" : clean_path(dest));
  for (const auto& s : sources) {
    UniqueFd src(open_source(s, what));
    struct stat st = stat_fd(src.get(), s.path);
    copier.keep_owners(!s.tree.empty());
    if (S_ISDIR(st.st_mode)) {
      UniqueFd dir = to.make_dir(target);
      UniqueFd src_dir(open(proc_fd(src.get()).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      copier.copy_below(src_dir.get(), s.below, dir.get(), target == "/" ? "" : target);
      continue;
    }
    if (opts.extract_archives && S_ISREG(st.st_mode)) {
      UniqueFd in(open(proc_fd(src.get()).c_str(), O_RDONLY | O_CLOEXEC));
      if (is_tar_archive(in.get(), s.path)) {
        UniqueFd dir = to.make_dir(target);
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
                 to.stage_has_dir(target);
    }
    std::string dir_path = into_dir ? target : dirname_of(target);
    std::string name = into_dir ? basename_of(clean_path(s.path)) : basename_of(target);
    UniqueFd dir = to.make_dir(dir_path);
    std::string where = (dir_path == "/" ? "" : dir_path) + "/" + name;
    copier.copy_one(src.get(), st, dir.get(), name, where);
  }
  copier.finish_dirs();
}

}  // namespace bale::builder
