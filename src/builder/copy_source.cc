// The sources of a copy (see copy_source.h): every name resolved with openat2, beneath the
// context (symlinks followed only while they stay inside) or in a tree's root.
#include "builder/copy_source.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "image/digest.h"

namespace bale::builder {

UniqueFd open_below(int dir, const std::string& rel, int flags) {
  UniqueFd fd(openat2_with(dir, rel, flags | O_NOFOLLOW, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS));
  if (!fd) throw_sys("open", rel);
  return fd;
}

std::string proc_fd(int fd) { return fmt::format("/proc/self/fd/{}", fd); }

struct stat stat_fd(int fd, const std::string& name) {
  struct stat st;
  if (fstat(fd, &st) < 0) throw_sys("stat", name);
  return st;
}

int open_source(const CopySource& source, const std::string& what) {
  uint64_t resolve = source.tree.empty() ? RESOLVE_BENEATH : RESOLVE_IN_ROOT;
  int fd = openat2_with(source.root_fd, source.path, O_PATH, resolve | RESOLVE_NO_MAGICLINKS);
  if (fd >= 0) return fd;
  if (errno == EXDEV)
    throw Error(fmt::format("{} source {}: a symbolic link on the way leads out of the build "
                            "context", what, quote(source.path)));
  if (!source.tree.empty())
    throw Error(fmt::format("{} source {} in {}: {}", what, quote(source.path), source.tree,
                            std::strerror(errno)), errno);
  throw sys_error(fmt::format("{} source", what), source.path, errno);
}

std::vector<ContextEntry> list_tree(const CopySource& source, const std::string& what) {
  UniqueFd dir(open_source(source, what));
  std::vector<ContextEntry> out;
  walk_tree(proc_fd(dir.get()), [&](const std::string& p, const struct stat& st) {
    std::string rel = p.substr(proc_fd(dir.get()).size() + 1);
    EntryType t = S_ISDIR(st.st_mode) ? EntryType::kDir
                  : S_ISLNK(st.st_mode) ? EntryType::kSymlink : EntryType::kFile;
    out.push_back({rel, t});
    return S_ISDIR(st.st_mode);
  });
  return out;
}

std::string hash_source(const CopySource& source, const std::string& what) {
  auto d = image::Digest::sha256();
  UniqueFd top(open_source(source, what));
  auto add = [&](int fd, const std::string& rel) {
    struct stat st = stat_fd(fd, rel);
    d.update(rel);
    d.update(std::string_view("\0", 1));
    d.update(fmt::format("{:o}", st.st_mode));
    d.update(std::string_view("\0", 1));
    if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = readlinkat(fd, "", target, sizeof target);
      if (n > 0) d.update(std::string_view(target, static_cast<size_t>(n)));
    } else if (S_ISREG(st.st_mode)) {
      UniqueFd in(open(proc_fd(fd).c_str(), O_RDONLY | O_CLOEXEC));
      if (!in) throw_sys("open", rel);
      d.update_from(in.get(), rel);
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      d.update(fmt::format("{}:{}", major(st.st_rdev), minor(st.st_rdev)));
    }
    d.update(std::string_view("\n", 1));
  };
  add(top.get(), ".");
  if (!source.below.empty()) {
    UniqueFd dir(open(proc_fd(top.get()).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    for (const auto& e : source.below) add(open_below(dir.get(), e.path, O_PATH).get(), e.path);
  }
  return d.hex();
}

}  // namespace bale::builder
