// File helpers (see fs.h).
#include "base/fs.h"

#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>

#include <fmt/format.h>

#include "base/error.h"

namespace bale {

UniqueFd open_file(const std::string& path, int flags, mode_t mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) throw_sys("open", path);
  return UniqueFd(fd);
}

namespace {

// Reads into the string itself, growing it as needed: no large stack buffer (each stack page
// touched is a page fault, and this runs on every start).
std::string read_all(int fd, const std::string& path, size_t limit) {
  std::string out(4096, '\0');
  size_t used = 0;
  for (;;) {
    if (used == out.size()) out.resize(std::min(out.size() * 4, limit + 1));
    ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_sys("read", path);
    }
    if (n == 0) break;
    used += n;
    if (used > limit)
      throw Error(fmt::format("read {}: file is larger than {} bytes", quote(path), limit));
  }
  out.resize(used);
  return out;
}

}  // namespace

std::string read_file(const std::string& path, size_t limit) {
  UniqueFd fd = open_file(path, O_RDONLY);
  return read_all(fd.get(), path, limit);
}

std::optional<std::string> read_file_if_exists(const std::string& path, size_t limit) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd && errno == ENOENT) return std::nullopt;
  if (!fd) throw_sys("open", path);
  return read_all(fd.get(), path, limit);
}

int open_beneath_following(int dir_fd, const std::string& path, int flags);  // below

std::optional<std::string> read_config_file(const std::string& path, size_t limit, int beneath_fd,
                                            const std::string& shown) {
  const std::string& name = shown.empty() ? path : shown;
  constexpr int kFlags = O_RDONLY | O_NONBLOCK | O_NOCTTY;  // opening a FIFO must not wait
  UniqueFd fd(beneath_fd >= 0 ? open_beneath_following(beneath_fd, path, kFlags)
                              : ::open(path.c_str(), kFlags | O_CLOEXEC));
  if (!fd && errno == ENOENT) return std::nullopt;
  if (!fd && errno == EXDEV)
    throw Error(fmt::format("{}: a symbolic link on the way leads out of its directory", quote(name)));
  if (!fd) throw_sys("open", name);
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) throw_sys("stat", name);
  if (!S_ISREG(st.st_mode))
    throw Error(fmt::format("{}: not a regular file ({})", quote(name),
                            S_ISDIR(st.st_mode)    ? "a directory"
                            : S_ISFIFO(st.st_mode) ? "a FIFO"
                            : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                                                                         : "a socket"));
  return read_all(fd.get(), name, limit);
}

std::optional<std::string> read_config_file_in_its_dir(const std::string& path, size_t limit) {
  std::string dir = dirname_of(path);
  UniqueFd fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd && errno == ENOENT) return std::nullopt;
  if (!fd) throw_sys("open", dir);
  return read_config_file(basename_of(path), limit, fd.get(), path);
}

std::string pread_exact(int fd, uint64_t off, size_t len, const std::string& path) {
  std::string out(len, '\0');
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd, out.data() + done, len - done, off + done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_sys("read", path);
    }
    if (n == 0)
      throw Error(fmt::format("read {}: file ends at byte {} (expected {} bytes at offset {})",
                              quote(path), off + done, len, off));
    done += n;
  }
  return out;
}

void write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_sys("write", path);
    }
    data.remove_prefix(n);
  }
}

uint64_t file_size(int fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) < 0) throw_sys("stat", path);
  return st.st_size;
}

bool path_exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

void mkdir_p(const std::string& path, mode_t mode) {
  if (path.empty()) return;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) throw sys_error("mkdir", path, ENOTDIR);
    return;
  }
  std::string parent = dirname_of(path);
  if (parent != path) mkdir_p(parent, mode);
  if (::mkdir(path.c_str(), mode) < 0 && errno != EEXIST) throw_sys("mkdir", path);
}

void spread_subdirs(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  int flags = 0;
  if (!fd || ioctl(fd.get(), FS_IOC_GETFLAGS, &flags) < 0 || (flags & FS_TOPDIR_FL)) return;
  flags |= FS_TOPDIR_FL;
  if (ioctl(fd.get(), FS_IOC_SETFLAGS, &flags) < 0) {}  // a hint: not every file system takes it
}

std::string dirname_of(const std::string& path) {
  auto pos = path.find_last_of('/');
  if (pos == std::string::npos) return ".";
  if (pos == 0) return "/";
  return path.substr(0, pos);
}

std::string basename_of(const std::string& path) {
  auto pos = path.find_last_of('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

static std::string random_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:012x}", rng() & 0xffffffffffffULL);
}

AtomicFile::AtomicFile(std::string dest, mode_t mode) : dest_(std::move(dest)) {
  temp_ = fmt::format("{}/.{}.tmp-{}", dirname_of(dest_), basename_of(dest_), random_suffix());
  int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) throw sys_error("create", temp_, errno).wrap(fmt::format("writing {}", quote(dest_)));
  fd_.reset(fd);
  ::fchmod(fd, mode);  // not subject to the umask, so the mode is exactly what was asked
}

AtomicFile::~AtomicFile() {
  if (!committed_) ::unlink(temp_.c_str());
}

void AtomicFile::commit() {
  if (::fsync(fd_.get()) < 0) throw_sys("fsync", temp_);
  fd_.reset();
  if (::rename(temp_.c_str(), dest_.c_str()) < 0) throw_sys("rename", dest_);
  committed_ = true;
}

void write_file_atomic(const std::string& path, std::string_view data, mode_t mode) {
  AtomicFile f(path, mode);
  f.write(data);
  f.commit();
}

std::string find_host_program(const std::string& name) {
  const char* env = std::getenv("PATH");
  std::string dirs = std::string(env ? env : "") + ":/usr/sbin:/usr/bin:/sbin:/bin";
  for (size_t at = 0; at <= dirs.size();) {
    size_t end = dirs.find(':', at);
    if (end == std::string::npos) end = dirs.size();
    std::string cand = dirs.substr(at, end - at) + "/" + name;
    if (end > at && access(cand.c_str(), X_OK) == 0) return cand;
    at = end + 1;
  }
  return "";
}

std::string clean_path(std::string_view path) {
  const bool rooted = path.starts_with('/');
  std::vector<std::string_view> parts;
  for (size_t i = 0; i < path.size();) {
    size_t j = std::min(path.find('/', i), path.size());
    std::string_view part = path.substr(i, j - i);
    i = j + 1;
    if (part.empty() || part == ".") continue;
    if (part != "..") {
      parts.push_back(part);
    } else if (!parts.empty() && parts.back() != "..") {
      parts.pop_back();
    } else if (!rooted) {
      parts.push_back(part);  // a relative path keeps the ".." it cannot resolve
    }
  }
  std::string out = rooted ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k) (k ? out += '/' : out) += parts[k];
  return out.empty() ? "." : out;
}

uint64_t read_chunks(int fd, const std::string& path, const std::function<void(std::string_view)>& f,
                     uint64_t max) {
  thread_local std::string buf(1 << 20, '\0');  // one per thread, not one per call
  uint64_t done = 0;
  while (done < max) {
    ssize_t n = read(fd, buf.data(), static_cast<size_t>(std::min<uint64_t>(buf.size(), max - done)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_sys("read", path);
    if (n == 0) break;
    f(std::string_view(buf.data(), static_cast<size_t>(n)));
    done += static_cast<uint64_t>(n);
  }
  return done;
}

uint64_t copy_bytes(int from, const std::string& from_path, int to, const std::string& to_path,
                    uint64_t max) {
  uint64_t done = 0;
  while (done < max) {
    ssize_t n = copy_file_range(from, nullptr, to, nullptr,
                                static_cast<size_t>(std::min<uint64_t>(max - done, 1 << 30)), 0);
    if (n > 0) {
      done += static_cast<uint64_t>(n);
      continue;
    }
    if (n == 0) return done;
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
      throw_sys("copy into", to_path);
    // No in-kernel copy between these file systems: through a buffer.
    return done + read_chunks(from, from_path, [&](std::string_view d) { write_all(to, d, to_path); },
                              max - done);
  }
  return done;
}

void copy_file_atomic(const std::string& from, const std::string& to, mode_t mode) {
  UniqueFd in = open_file(from, O_RDONLY);
  AtomicFile out(to, mode);
  copy_bytes(in.get(), from, out.fd(), out.temp_path());
  out.commit();
}

void place_file(const std::string& from, const std::string& to) {
  std::string temp = fmt::format("{}/.{}.link-{}", dirname_of(to), basename_of(to), getpid());
  ::unlink(temp.c_str());
  if (link(from.c_str(), temp.c_str()) == 0) {
    if (rename(temp.c_str(), to.c_str()) == 0) return;
    int err = errno;
    ::unlink(temp.c_str());
    throw sys_error("rename", to, err);
  }
  if (errno != EXDEV && errno != EPERM) throw_sys("link", to);
  copy_file_atomic(from, to);  // another file system
}

TempDir::TempDir(const std::string& parent, std::string_view prefix) {
  std::string base = parent;
  if (base.empty()) {
    const char* t = std::getenv("TMPDIR");
    base = t && *t ? t : "/tmp";
  }
  std::string tmpl = fmt::format("{}/{}XXXXXX", base, prefix);
  if (!::mkdtemp(tmpl.data())) throw_sys("mkdtemp", tmpl);
  path_ = tmpl;
}

TempDir::~TempDir() {
  try {
    remove_tree(path_);
  } catch (...) {
  }
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(dir.c_str()), closedir);
  if (!d) return out;
  while (dirent* de = readdir(d.get()))
    if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) out.emplace_back(de->d_name);
  return out;
}

void walk_tree(const std::string& root,
               const std::function<bool(const std::string& path, const struct stat& st)>& visit) {
  std::vector<std::string> stack{root};
  while (!stack.empty()) {
    std::string dir = std::move(stack.back());
    stack.pop_back();
    for (const auto& name : list_dir(dir)) {
      std::string p = dir + "/" + name;
      struct stat st;
      if (lstat(p.c_str(), &st) == 0 && visit(p, st) && S_ISDIR(st.st_mode)) stack.push_back(p);
    }
  }
}

}  // namespace bale

