// Stat fingerprints of a build's inputs (see freshness.h).
#include "project/freshness.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fd.h"
#include "base/fs.h"
#include "dockerfile/dockerignore.h"

namespace bale::project {

namespace {

// Two FNV-1a streams with different offsets: 128 bits over metadata of the user's own tree,
// where nobody is trying to collide them, and no library to load on the start path.
struct Hash {
  uint64_t a = 1469598103934665603ull, b = 0x84222325cbf29ce4ull;
  void add(const void* data, size_t n) {
    auto p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; i++) {
      a = (a ^ p[i]) * 1099511628211ull;
      b = (b ^ p[i]) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
    }
  }
  void add(const std::string& s) {
    uint64_t n = s.size();
    add(&n, sizeof n);
    add(s.data(), s.size());
  }
  void add_stat(const struct stat& st) {
    uint64_t f[] = {static_cast<uint64_t>(st.st_mode), static_cast<uint64_t>(st.st_size),
                    static_cast<uint64_t>(st.st_ino), static_cast<uint64_t>(st.st_mtim.tv_sec),
                    static_cast<uint64_t>(st.st_mtim.tv_nsec), static_cast<uint64_t>(st.st_ctim.tv_sec),
                    static_cast<uint64_t>(st.st_ctim.tv_nsec), static_cast<uint64_t>(st.st_uid),
                    static_cast<uint64_t>(st.st_gid)};
    add(f, sizeof f);
  }
  std::string hex() const { return fmt::format("{:016x}{:016x}", a, b); }
};

constexpr int kMaxDepth = 256;

void walk(int dir_fd, const std::string& rel, const dockerfile::IgnoreRules* rules, Hash& h, int depth) {
  if (depth > kMaxDepth) throw Error(fmt::format("build context: {} is nested too deeply", quote(rel)));
  int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_sys("open", rel);
  DIR* d = fdopendir(fd);
  if (!d) {
    close(fd);
    throw_sys("read directory", rel);
  }
  std::unique_ptr<DIR, int (*)(DIR*)> guard(d, closedir);
  std::vector<std::string> names;
  while (dirent* e = readdir(d))
    if (std::string_view n = e->d_name; n != "." && n != "..") names.emplace_back(n);
  std::sort(names.begin(), names.end());  // the same tree gives the same fingerprint
  for (const auto& name : names) {
    std::string path = rel.empty() ? name : rel + "/" + name;
    struct stat st;
    if (fstatat(dirfd(d), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) continue;  // gone meanwhile
    bool is_dir = S_ISDIR(st.st_mode);
    if (rules && rules->excluded(path) && (!is_dir || rules->can_skip_dir(path))) continue;
    h.add(path);
    h.add_stat(st);
    if (!is_dir) continue;
    UniqueFd sub(openat(dirfd(d), name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (sub) walk(sub.get(), path, rules, h, depth + 1);
  }
}

}  // namespace

std::string stat_fingerprint(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) < 0) return "";
  Hash h;
  h.add_stat(st);
  return h.hex();
}

std::optional<std::string> input_fingerprint(const builder::BuildRequest& req) {
  std::string dockerfile = read_file(req.dockerfile, 16 << 20);
  if (dockerfile.find("://") != std::string::npos) return std::nullopt;
  Hash h;
  h.add(dockerfile);
  for (const auto& [k, v] : req.build_args) h.add(k + "=" + v);
  h.add(req.target.value_or(""));
  // The builder may read a Dockerfile-specific ignore file; then walk everything (a superset).
  std::optional<dockerfile::IgnoreRules> rules;
  std::string own_ignore = req.dockerfile + ".dockerignore";
  h.add(stat_fingerprint(own_ignore));
  if (!path_exists(own_ignore))
    if (auto text = read_file_if_exists(req.context + "/.dockerignore", 1 << 20))
      rules = dockerfile::IgnoreRules::parse(*text, ".dockerignore");
  UniqueFd root(open(req.context.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw_sys("open", req.context);
  walk(root.get(), "", rules ? &*rules : nullptr, h, 0);
  return h.hex();
}

}  // namespace bale::project
