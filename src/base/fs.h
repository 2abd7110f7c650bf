// File helpers with errors that name the path: whole-file reads, exact preads, atomic writes,
// temporary files and directories that clean up after themselves.
#pragma once

#include <dirent.h>
#include <sys/types.h>

#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/fd.h"

namespace bale {

UniqueFd open_file(const std::string& path, int flags, mode_t mode = 0);
std::string read_file(const std::string& path, size_t limit = 64u << 20);
// As read_file, but a missing file (ENOENT) is nullopt, not an error. No exception is thrown
// on that path: it is taken on every `bale run` for optional files.
std::optional<std::string> read_file_if_exists(const std::string& path,
                                               size_t limit = 64u << 20);
// As read_file_if_exists, for files that configure bale or a build (trust and key files,
// Dockerfiles, ignore files): anything but a regular file is an error naming it and is never
// read (a FIFO would block, /dev/zero never ends). With `beneath_fd` >= 0, `path` is relative
// to that directory and must resolve below it, symlinks included; `shown` names it in errors.
std::optional<std::string> read_config_file(const std::string& path, size_t limit,
                                            int beneath_fd = -1, const std::string& shown = "");
// read_config_file of `path` beneath its own directory: the directory is the caller's to
// name, but a symlink at the end that leads out of it is refused (as BuildKit reads a
// Dockerfile and its ignore file only from the Dockerfile's directory).
std::optional<std::string> read_config_file_in_its_dir(const std::string& path, size_t limit);
// Reads exactly `len` bytes at `off`; throws naming `path` on a short read.
std::string pread_exact(int fd, uint64_t off, size_t len, const std::string& path);
void write_all(int fd, std::string_view data, const std::string& path);
// Reads `fd` from where it stands, at most `max` bytes or to its end, handing `f` each piece;
// returns the bytes read. A read error names `path`.
uint64_t read_chunks(int fd, const std::string& path, const std::function<void(std::string_view)>& f,
                     uint64_t max = UINT64_MAX);
// Copies `from` (from where it stands, at most `max` bytes or to its end) to `to`: in the
// kernel where the file systems allow (copy_file_range), else through a buffer. Returns the
// bytes copied. Errors name `from_path` or `to_path`, whichever failed.
uint64_t copy_bytes(int from, const std::string& from_path, int to, const std::string& to_path,
                    uint64_t max = UINT64_MAX);
uint64_t file_size(int fd, const std::string& path);
bool path_exists(const std::string& path);
void mkdir_p(const std::string& path, mode_t mode = 0755);
// Asks the file system to give each new subdirectory of `dir` a block group of its own (ext4's
// FS_TOPDIR_FL; elsewhere nothing). For directories whose subdirectories are filled with many
// files and later removed whole (build steps, unpacked images): on an ext4 without a journal,
// the inode allocator steps over every inode removed in the last half minute, one at a time,
// and filling a directory next to one just removed costs several times the copy itself.
void spread_subdirs(const std::string& dir);
// Go's filepath.Clean for '/'-separated paths: repeated slashes, "." and "name/.." removed,
// ".." at the start of a rooted path dropped, no trailing slash, "." for an empty result.
std::string clean_path(std::string_view path);
// A program bale runs on the host (debootstrap, newuidmap): the first executable `name` in
// $PATH, else in /usr/sbin, /usr/bin, /sbin, /bin (sbin is often not in a user's PATH); "" when
// there is none.
std::string find_host_program(const std::string& name);
std::string dirname_of(const std::string& path);
std::string basename_of(const std::string& path);

// A file written under a temporary name beside its destination; commit() fsyncs and renames it
// into place, so readers see the old file or the new one, never half of one. Dropped
// uncommitted, it is removed.
class AtomicFile {
 public:
  explicit AtomicFile(std::string dest, mode_t mode = 0644);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  int fd() const { return fd_.get(); }
  const std::string& temp_path() const { return temp_; }
  const std::string& dest() const { return dest_; }
  void write(std::string_view data) { write_all(fd_.get(), data, temp_); }
  void commit();

 private:
  std::string dest_, temp_;
  UniqueFd fd_;
  bool committed_ = false;
};

void write_file_atomic(const std::string& path, std::string_view data, mode_t mode = 0644);
// Whether `name` is one plain path component (not empty, no '/', not "." or ".."): the only
// kind of name bale joins onto a directory of its own when the name came from outside.
bool is_plain_name(std::string_view name);

// A directory bale made for files that live as long as one step (heredocs, downloads, copies of
// the host's resolv.conf) and are worth nothing after a crash: written plainly, neither atomic
// nor synced. Every file and subdirectory is created relative to the directory's fd with
// openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) and O_EXCL, so a name, wherever it came from,
// can make a creation fail but never place it outside (no "..", absolute path or symlink).
class ScratchDir {
 public:
  // Makes `path` (mode 0700, parents as needed) and opens it.
  explicit ScratchDir(std::string path);
  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }
  // A new file `rel` below the directory holding `data` with exactly `mode`; returns its path.
  std::string write(const std::string& rel, std::string_view data, mode_t mode = 0644);
  // A new empty file opened for writing, for callers that fill it themselves.
  UniqueFd create(const std::string& rel, mode_t mode = 0600);
  // A new directory `rel` below it; returns its path.
  std::string mkdir(const std::string& rel, mode_t mode = 0755);

 private:
  std::string path_;
  UniqueFd fd_;
};
// Copies a file's bytes to `to` atomically (AtomicFile).
void copy_file_atomic(const std::string& from, const std::string& to, mode_t mode = 0644);
// Makes `to` the same file as `from`: a hardlink put in place by rename (so an existing `to` is
// replaced atomically), or an atomic copy across file systems.
void place_file(const std::string& from, const std::string& to);

// A private temporary directory removed recursively with everything in it on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& parent = "", std::string_view prefix = "bale-");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void remove_tree(const std::string& path);
// Removes `name` in `dirfd`, recursively if it is a directory, never following a symlink.
void remove_tree_at(int dirfd, const std::string& name);
// A readdir stream of its own over `dir_fd` (a close-on-exec duplicate: closing the stream
// leaves `dir_fd` open). Throws naming `path`.
using DirStream = std::unique_ptr<DIR, int (*)(DIR*)>;
DirStream dir_stream(int dir_fd, const std::string& path);
// Names in a directory, without "." and ".."; empty when it cannot be opened.
std::vector<std::string> list_dir(const std::string& dir);
// Calls visit(path, lstat) for everything below `root` (not `root` itself), never following
// symlinks; descends into a directory when visit returns true. Unreadable entries are skipped.
void walk_tree(const std::string& root,
               const std::function<bool(const std::string& path, const struct stat& st)>& visit);

}  // namespace bale

namespace bale {

// openat2(2) with `resolve` (RESOLVE_* flags) and O_CLOEXEC; an empty path is ".". Returns -1
// with errno set, like open(2). The three below are the resolutions bale uses.
int openat2_with(int dir_fd, const std::string& path, int flags, uint64_t resolve, mode_t mode = 0);
// openat2(root_fd, path, flags, RESOLVE_IN_ROOT): `path` resolved as if root_fd were "/", so
// no symlink or ".." can leave it. Returns -1 with errno set, like open(2).
int open_in_root(int root_fd, const std::string& path, int flags);
// openat2(dir_fd, path, flags, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS):
// `path` must stay below dir_fd and cross no symlink (EXDEV or ELOOP otherwise). -1 and errno
// on failure, like open(2).
int open_beneath(int dir_fd, const std::string& path, int flags, mode_t mode = 0);

}  // namespace bale
