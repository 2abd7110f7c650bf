// The build context (see builder_context.h).
#include "builder/builder_context.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <unistd.h>

#include <climits>

#include "base/error.h"
#include "base/fs.h"

namespace bale::builder {

namespace {

// Where `fd` is, as the kernel names it.
std::optional<std::string> location_of(int fd) {
  char buf[PATH_MAX];
  ssize_t n = readlink(proc_fd(fd).c_str(), buf, sizeof buf);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof buf) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace

BuildContext::BuildContext(const std::string& dir, const std::string& dockerfile) : dir_(dir) {
  fd_ = UniqueFd(open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd_) throw_sys("open the build context", dir);
  // BuildKit: an ignore file named after the Dockerfile wins over the context's.
  // The context's own is read beneath it: a symlink that leads out of the context is refused,
  // as every other file of the context is.
  std::string own = dockerfile + ".dockerignore", common = dir + "/.dockerignore";
  auto text = read_config_file_in_its_dir(own, 1 << 20);
  if (text) {
    rules_ = IgnoreRules::parse(*text, own);
  } else if ((text = read_config_file(".dockerignore", 1 << 20, fd_.get(), common))) {
    rules_ = IgnoreRules::parse(*text, common);
  }
}

const std::vector<ContextEntry>& BuildContext::entries() {
  if (!entries_) entries_ = walk_context(dir_, rules_);
  return *entries_;
}

// The context path a symlink of the context stands for, as the kernel resolved it beneath the
// context; nullopt when it does not resolve there (open_source says why).
std::optional<std::string> BuildContext::resolved(const std::string& path) const {
  UniqueFd at(openat2_with(fd_.get(), path, O_PATH, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS));
  std::optional<std::string> root = location_of(fd_.get()), here;
  if (!at || !root || !(here = location_of(at.get()))) return std::nullopt;
  if (*here == *root) return ".";
  if (!here->starts_with(*root + "/")) return std::nullopt;
  return here->substr(root->size() + 1);
}

CopySource BuildContext::source(const std::string& path) {
  CopySource s;
  s.root_fd = fd_.get();
  s.path = path;
  const auto& all = entries();
  // A symlink to a directory is copied as that directory: what the walk left in below the
  // target (BuildKit follows a source path, then copies what it names).
  std::string listed = path;
  for (const auto& e : all)
    if (e.path == path && e.type == EntryType::kSymlink) listed = resolved(path).value_or(path);
  if (listed == ".") {
    s.below = all;
    return s;
  }
  std::string prefix = listed + "/";
  for (const auto& e : all)
    if (e.path.compare(0, prefix.size(), prefix) == 0)
      s.below.push_back({e.path.substr(prefix.size()), e.type});
  return s;
}

}  // namespace bale::builder
