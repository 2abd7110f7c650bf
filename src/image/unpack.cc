// Safe tar extraction (see unpack.h).
#include "image/unpack.h"

#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fd.h"
#include "base/fs.h"
#include "image/body_reader.h"
#include "image/tree_tar.h"

namespace bale::image {

std::string clean_entry_name(const std::string& name) {
  if (!name.empty() && name[0] == '/')
    throw Error(fmt::format("tar entry {}: absolute path", quote(name)));
  std::string out;
  size_t i = 0;
  while (i <= name.size()) {
    size_t j = name.find('/', i);
    if (j == std::string::npos) j = name.size();
    std::string_view part(name.data() + i, j - i);
    if (part == "..")
      throw Error(fmt::format("tar entry {}: path goes outside the root ('..')", quote(name)));
    if (!part.empty() && part != ".") {
      if (!out.empty()) out += '/';
      out += part;
    }
    i = j + 1;
  }
  return out;
}

namespace {

std::pair<std::string, std::string> split(const std::string& p) {
  auto pos = p.rfind('/');
  if (pos == std::string::npos) return {"", p};
  return {p.substr(0, pos), p.substr(pos + 1)};
}

class Unpacker {
 public:
  Unpacker(archive* a, std::string source, const std::string& root, const UnpackOptions& opts)
      : a_(a), source_(std::move(source)), opts_(opts) {
    root_.reset(open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root_) throw_sys("open directory", root);
  }

  UnpackStats run() {
    archive_entry* e;
    for (;;) {
      int r = archive_read_next_header(a_, &e);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) throw_archive(a_, source_);
      std::string name = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
      try {
        entry(e, clean_entry_name(name));
      } catch (const Error& err) {
        throw std::string_view(err.what()).rfind("tar entry ", 0) == 0
            ? err.wrap(quote(source_))
            : err.wrap(fmt::format("{}: tar entry {}", quote(source_), quote(name)));
      }
      stats_.entries++;
    }
    finish_dirs();
    return stats_;
  }

 private:
  int parent_fd(const std::string& dir) {
    if (cached_ && cached_path_ == dir) return cached_.get();
    int fd = open_in_root(root_.get(), dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0 && errno == ENOENT) {
      // Parents missing from the archive are created as docker does: 0755, owned by root.
      auto [up, leaf] = split(dir);
      if (mkdirat(parent_fd(up), leaf.c_str(), 0755) < 0 && errno != EEXIST)
        throw_sys("create directory", dir);
      fd = open_in_root(root_.get(), dir, O_RDONLY | O_DIRECTORY);
    }
    if (fd < 0) throw_sys("open directory", dir);
    cached_.reset(fd);
    cached_path_ = dir;
    return fd;
  }

  void forget_parent() { cached_.reset(); cached_path_.clear(); }

  void entry(archive_entry* e, const std::string& path) {
    auto [dir, leaf] = split(path);
    if (opts_.layer && leaf.rfind(".wh.", 0) == 0) return whiteout(dir, leaf);
    if (path.empty()) {  // the root itself: metadata only
      dirs_.push_back({path, archive_entry_mode(e), archive_entry_mtime(e)});
      return chown_root(e);
    }
    int pfd = parent_fd(dir);
    mode_t type = archive_entry_filetype(e);
    const char* hardlink = archive_entry_hardlink(e);
    struct stat st;
    bool exists = fstatat(pfd, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists && !(S_ISDIR(st.st_mode) && type == AE_IFDIR && !hardlink)) {
      // A later entry replaces an earlier one of another kind, as GNU tar does.
      remove_tree_at(pfd, leaf);
      forget_parent();
      pfd = parent_fd(dir);
      exists = false;
    }
    if (opts_.layer) created_.insert(path);
    if (hardlink) return link(pfd, leaf, path, hardlink);
    switch (type) {
      case AE_IFREG: return file(e, pfd, leaf, path);
      case AE_IFDIR: {
        if (!exists && mkdirat(pfd, leaf.c_str(), 0700) < 0) throw_sys("create directory", path);
        if (fstatat(pfd, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) throw_sys("stat", path);
        dirs_.push_back({path, archive_entry_mode(e), archive_entry_mtime(e), st.st_ino});
        return owner_and_xattrs(e, pfd, leaf, path, -1);
      }
      case AE_IFLNK: {
        const char* target = archive_entry_symlink(e);
        if (symlinkat(target ? target : "", pfd, leaf.c_str()) < 0) throw_sys("create symlink", path);
        return metadata(e, pfd, leaf, path, -1);
      }
      case AE_IFCHR: case AE_IFBLK: case AE_IFIFO: {
        dev_t dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
        if (mknodat(pfd, leaf.c_str(), type | 0600, dev) < 0) throw_sys("create device node", path);
        return metadata(e, pfd, leaf, path, -1);
      }
      default:
        throw Error(fmt::format("tar entry {}: unsupported file type {:o}", quote(path), type));
    }
  }

  void file(archive_entry* e, int pfd, const std::string& leaf, const std::string& path) {
    int fd = openat(pfd, leaf.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) throw_sys("create", path);
    UniqueFd guard(fd);
    const void* buf;
    size_t len;
    la_int64_t off;
    for (;;) {
      int r = archive_read_data_block(a_, &buf, &len, &off);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) throw_archive(a_, source_, fmt::format("data of {}", quote(path)));
      for (size_t done = 0; done < len;) {
        ssize_t n = pwrite(fd, static_cast<const char*>(buf) + done, len - done, off + done);
        if (n < 0) throw_sys("write", path);
        done += n;
      }
      stats_.bytes += len;
    }
    // Sparse files end in a hole that no data block reaches.
    if (ftruncate(fd, archive_entry_size(e)) < 0) throw_sys("truncate", path);
    metadata(e, pfd, leaf, path, fd);
  }

  void link(int pfd, const std::string& leaf, const std::string& path, const char* raw_target) {
    std::string target = clean_entry_name(raw_target);
    auto [tdir, tleaf] = split(target);
    UniqueFd tfd(open_in_root(root_.get(), tdir, O_RDONLY | O_DIRECTORY));
    if (!tfd || linkat(tfd.get(), tleaf.c_str(), pfd, leaf.c_str(), 0) < 0) {
      if (errno == ENOENT)
        throw Error(fmt::format("tar entry {}: hardlink target {} is not in the archive",
                                quote(path), quote(raw_target)));
      throw_sys(fmt::format("hardlink to {} as", quote(raw_target)), path);
    }
  }

  void whiteout(const std::string& dir, const std::string& leaf) {
    stats_.whiteouts++;
    if (leaf == ".wh..wh.plnk") return;  // aufs hardlink store: nothing of the image
    int pfd = parent_fd(dir);
    if (leaf == ".wh..wh..opq") {
      DirStream d = dir_stream(pfd, dir.empty() ? "/" : dir);
      std::vector<std::string> doomed;
      while (dirent* de = readdir(d.get())) {
        std::string n = de->d_name;
        if (n != "." && n != ".." && !created_.count(dir.empty() ? n : dir + "/" + n))
          doomed.push_back(n);
      }
      for (const auto& n : doomed) remove_tree_at(pfd, n);
    } else {
      std::string victim = leaf.substr(4);
      if (victim.empty() || victim == "." || victim == "..")
        throw Error(fmt::format("tar entry {}: whiteout of {} is not a file name",
                                quote(dir.empty() ? leaf : dir + "/" + leaf), quote(victim)));
      remove_tree_at(pfd, victim);
    }
    forget_parent();
  }

  void chown_root(archive_entry* e) {
    if (fchown(root_.get(), archive_entry_uid(e), archive_entry_gid(e)) < 0 && errno != EINVAL)
      throw_sys("chown", ".");
  }

  void owner_and_xattrs(archive_entry* e, int pfd, const std::string& leaf,
                        const std::string& path, int fd) {
    // EINVAL: the owner has no id in this user namespace (a rootless unpack with a one-id map);
    // the file stays the unpacking user's, root in the container.
    if (fchownat(pfd, leaf.c_str(), archive_entry_uid(e), archive_entry_gid(e),
                 AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL)
      throw_sys("chown", path);
    archive_entry_xattr_reset(e);
    const char* name;
    const void* value;
    size_t size;
    while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
      if (!xattr_belongs_in_image(name)) continue;
      std::string proc = fmt::format("/proc/self/fd/{}/{}", pfd, leaf);
      int r = fd >= 0 ? fsetxattr(fd, name, value, size, 0)
                      : lsetxattr(proc.c_str(), name, value, size, 0);
      if (r < 0) throw_sys(fmt::format("set xattr {} on", name), path);
    }
  }

  void metadata(archive_entry* e, int pfd, const std::string& leaf, const std::string& path,
                int fd) {
    owner_and_xattrs(e, pfd, leaf, path, fd);
    mode_t mode = archive_entry_mode(e) & 07777;
    bool is_link = archive_entry_filetype(e) == AE_IFLNK;
    // After chown: chown clears the setuid and setgid bits.
    if (!is_link && (fd >= 0 ? fchmod(fd, mode) : fchmodat(pfd, leaf.c_str(), mode, 0)) < 0)
      throw_sys("chmod", path);
    struct timespec ts[2] = {{archive_entry_mtime(e), 0}, {archive_entry_mtime(e), 0}};
    if (utimensat(pfd, leaf.c_str(), ts, AT_SYMLINK_NOFOLLOW) < 0) throw_sys("set times of", path);
  }

  // Directory modes and times last, deepest first: creating children would change the mtime,
  // and a read-only mode would stop their creation.
  void finish_dirs() {
    std::stable_sort(dirs_.begin(), dirs_.end(),  // stable: a path listed twice, the later wins
              [](const Dir& a, const Dir& b) { return a.path.size() > b.path.size(); });
    for (const Dir& d : dirs_) {
      UniqueFd fd(open_in_root(root_.get(), d.path, O_RDONLY | O_DIRECTORY));
      struct stat st;
      // Gone, or replaced by a later entry (a symlink there now leads to another directory):
      // its metadata belongs to nothing any more.
      if (!fd || fstat(fd.get(), &st) < 0 || (d.ino && st.st_ino != d.ino)) continue;
      if (fchmod(fd.get(), d.mode & 07777) < 0) throw_sys("chmod", d.path);
      struct timespec ts[2] = {{d.mtime, 0}, {d.mtime, 0}};
      if (futimens(fd.get(), ts) < 0) throw_sys("set times of", d.path);
    }
  }

  struct Dir {
    std::string path;
    mode_t mode;
    time_t mtime;
    ino_t ino = 0;  // of the directory made for it (0: the root)
  };

  archive* a_;
  std::string source_;
  const UnpackOptions& opts_;
  UniqueFd root_, cached_;
  std::string cached_path_;
  std::vector<Dir> dirs_;
  std::unordered_set<std::string> created_;
  UnpackStats stats_;
};

}  // namespace

UnpackStats unpack_tar(archive* a, const std::string& source, const std::string& root_path,
                       const UnpackOptions& opts) {
  return Unpacker(a, source, root_path, opts).run();
}

}  // namespace bale::image
