// Directory tree -> pax tar stream with libarchive (see tree_tar.h).
#include "image/tree_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <clocale>
#include <map>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"
#include "base/overlay_xattr.h"
#include "base/fd.h"

namespace bale::image {

FileId file_id(int fd) {
  struct stat st;
  if (fstat(fd, &st) < 0) throw_sys("stat", "output file");
  return {st.st_dev, st.st_ino};
}

bool xattr_belongs_in_image(std::string_view n) {
  if (is_overlay_xattr(n)) return false;
  if (n.rfind("user.", 0) == 0 || n.rfind("trusted.", 0) == 0) return true;
  if (n == "security.capability") return true;
  return false;
}

namespace {

struct ArchiveFree {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

archive* new_writer() {
  // File names are bytes, and UTF-8 by convention: in a UTF-8 locale libarchive writes them to
  // pax headers as UTF-8 (what GNU tar expects) instead of marking them hdrcharset=BINARY.
  // Set here, not at startup: loading locale data would slow every `bale run`.
  static bool once = std::setlocale(LC_CTYPE, "C.UTF-8") != nullptr;
  (void)once;
  return archive_write_new();
}

}  // namespace

class TarWriter::Impl {
 public:
  Impl(const TreeTarOptions& opts, const ByteSink& sink)
      : opts_(opts), sink_(sink), a_(new_writer()) {
    check(archive_write_set_format_pax_restricted(a_.get()), "set format");
    check(archive_write_set_format_option(a_.get(), "pax", "xattrheader", "SCHILY"), "option");
    // Our own chunking does the buffering; 512-byte blocks keep the stream unpadded at the end.
    check(archive_write_set_bytes_per_block(a_.get(), 0), "block size");
    check(archive_write_open(a_.get(), this, nullptr, &Impl::on_write, nullptr), "open");
  }

  void close() { check(archive_write_close(a_.get()), "close"); }
  // Pads the last entry's data out, so that everything written so far is in the sink.
  void finish_entry() { check(archive_write_finish_entry(a_.get()), "finish entry"); }

  static la_ssize_t on_write(archive*, void* self, const void* buf, size_t n) {
    auto* w = static_cast<Impl*>(self);
    try {
      w->sink_(std::string_view(static_cast<const char*>(buf), n));
    } catch (const Error& e) {
      w->pending_.emplace(e);
      return -1;
    }
    return static_cast<la_ssize_t>(n);
  }

  void check(int r, std::string_view what, std::string_view path = {}) {
    if (r >= ARCHIVE_WARN) return;
    if (pending_) throw *pending_;
    throw Error(fmt::format("writing tar{}{}: {}: {}", path.empty() ? "" : " entry ",
                            path.empty() ? "" : quote(path), what,
                            archive_error_string(a_.get()) ?: "unknown error"));
  }

  void add_xattrs(archive_entry* e, const std::string& full) {
    ssize_t n = llistxattr(full.c_str(), nullptr, 0);
    if (n <= 0) return;
    std::string names(n, '\0');
    n = llistxattr(full.c_str(), names.data(), names.size());
    if (n < 0) throw_sys("list xattrs of", full);
    std::vector<std::string> list;
    for (size_t p = 0; p < static_cast<size_t>(n); p += list.back().size() + 1)
      list.emplace_back(names.c_str() + p);
    std::sort(list.begin(), list.end());
    for (const auto& x : list) {
      if (!xattr_belongs_in_image(x)) continue;
      ssize_t len = lgetxattr(full.c_str(), x.c_str(), nullptr, 0);
      if (len < 0) throw_sys(fmt::format("read xattr {} of", x), full);
      std::string value(len, '\0');
      len = lgetxattr(full.c_str(), x.c_str(), value.data(), value.size());
      if (len < 0) throw_sys(fmt::format("read xattr {} of", x), full);
      archive_entry_xattr_add_entry(e, x.c_str(), value.data(), len);
    }
  }

  void add_entry(const std::string& rel, const std::string& full, const struct stat& st) {
    std::unique_ptr<archive_entry, EntryFree> e(archive_entry_new());
    std::string name = S_ISDIR(st.st_mode) ? rel + "/" : rel;
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_uid(e.get(), st.st_uid);
    archive_entry_set_gid(e.get(), st.st_gid);
    archive_entry_set_mode(e.get(), st.st_mode);
    int64_t mtime = st.st_mtim.tv_sec;
    if (opts_.clamp_mtime && mtime > *opts_.clamp_mtime) mtime = *opts_.clamp_mtime;
    archive_entry_set_mtime(e.get(), mtime, 0);
    add_xattrs(e.get(), full);
    if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
      auto [it, fresh] = links_.try_emplace({st.st_dev, st.st_ino}, rel);
      if (!fresh) {
        archive_entry_set_hardlink(e.get(), it->second.c_str());
        archive_entry_set_size(e.get(), 0);
        check(archive_write_header(a_.get(), e.get()), "header", rel);
        stats_.entries++;
        return;
      }
    }
    if (S_ISLNK(st.st_mode)) {
      std::string target(st.st_size + 1, '\0');
      ssize_t n = readlink(full.c_str(), target.data(), target.size());
      if (n < 0) throw_sys("readlink", full);
      target.resize(n);
      archive_entry_set_symlink(e.get(), target.c_str());
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      archive_entry_set_rdevmajor(e.get(), major(st.st_rdev));
      archive_entry_set_rdevminor(e.get(), minor(st.st_rdev));
    }
    if (S_ISREG(st.st_mode)) archive_entry_set_size(e.get(), st.st_size);
    check(archive_write_header(a_.get(), e.get()), "header", rel);
    if (S_ISREG(st.st_mode)) copy_data(full, st.st_size);
    stats_.entries++;
  }

  void copy_data(const std::string& full, uint64_t size) {
    int fd = open(full.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) throw_sys("open", full);
    UniqueFd guard(fd);
    if (buf_.empty()) buf_.resize(1 << 20);
    uint64_t left = size;
    while (left > 0) {
      ssize_t n = read(fd, buf_.data(), std::min<uint64_t>(left, buf_.size()));
      if (n < 0) throw_sys("read", full);
      if (n == 0) throw Error(fmt::format("read {}: file shrank while being packed", quote(full)));
      if (archive_write_data(a_.get(), buf_.data(), n) < 0) check(ARCHIVE_FATAL, "data", full);
      left -= n;
    }
  }

  TreeTarOptions opts_;
  ByteSink sink_;
  std::unique_ptr<archive, ArchiveFree> a_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
  std::vector<char> buf_;
  TreeTarStats stats_;
  std::optional<Error> pending_;
  friend class TarWriter;
};

TarWriter::TarWriter(const TreeTarOptions& opts, const ByteSink& sink)
    : impl_(std::make_unique<Impl>(opts, sink)) {}
TarWriter::~TarWriter() = default;
void TarWriter::add(const std::string& rel, const std::string& full, const struct stat& st) {
  impl_->add_entry(rel, full, st);
}
void TarWriter::finish_entry() { impl_->finish_entry(); }
void TarWriter::close() { impl_->close(); }
const TreeTarStats& TarWriter::stats() const { return impl_->stats_; }
TreeTarStats& TarWriter::stats() { return impl_->stats_; }

std::vector<Child> read_children(const std::string& dir, bool read_ahead) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(dir.c_str()), closedir);
  if (!d) throw_sys("open directory", dir);
  std::vector<Child> out;
  while (dirent* de = readdir(d.get())) {
    std::string_view n = de->d_name;
    if (n != "." && n != "..") out.push_back({std::string(n), {}});
  }
  // byte order: stable across locales and machines
  std::sort(out.begin(), out.end(), [](const Child& a, const Child& b) { return a.name < b.name; });
  int dfd = dirfd(d.get());
  for (auto& c : out)
    if (fstatat(dfd, c.name.c_str(), &c.st, AT_SYMLINK_NOFOLLOW) < 0)
      throw_sys("stat", dir + "/" + c.name);
  if (read_ahead) {
    for (const auto& c : out) {
      if (!S_ISREG(c.st.st_mode) || c.st.st_size == 0) continue;  // never open a device
      int fd = openat(dfd, c.name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0) continue;  // a hint only: the read proper reports what is wrong
      posix_fadvise(fd, 0, std::min<off_t>(c.st.st_size, 2 << 20), POSIX_FADV_WILLNEED);
      close(fd);
    }
  }
  return out;
}

namespace {

void walk(TarWriter& w, const std::string& root, const std::string& rel, const TreeTarOptions& opts) {
  for (const auto& [name, st] : read_children(rel.empty() ? root : root + "/" + rel, true)) {
    std::string child = rel.empty() ? name : rel + "/" + name;
    std::string full = root + "/" + child;
    if (opts.skip && st.st_dev == opts.skip->dev && st.st_ino == opts.skip->ino) continue;
    if (S_ISSOCK(st.st_mode)) {
      w.stats().skipped_sockets++;  // tar cannot hold a socket; it is a runtime object anyway
      continue;
    }
    w.add(child, full, st);
    if (S_ISDIR(st.st_mode)) walk(w, root, child, opts);
  }
}

}  // namespace

TreeTarStats write_tree_tar(const std::string& root, const TreeTarOptions& opts,
                            const ByteSink& sink) {
  struct stat st;
  if (stat(root.c_str(), &st) < 0) throw_sys("open directory", root);
  if (!S_ISDIR(st.st_mode)) throw sys_error("open directory", root, ENOTDIR);
  TarWriter w(opts, sink);
  walk(w, root, "", opts);
  w.close();
  return w.stats();
}

}  // namespace bale::image
