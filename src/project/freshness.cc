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
#include "dockerfile/ast.h"
#include "dockerfile/dockerignore.h"
#include "dockerfile/parser.h"

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

// The context paths the Dockerfile's COPY and ADD read (globs cut to the directory before the
// first wildcard), or nullopt when that cannot be told without expanding: a variable in a
// source, or a RUN --mount that binds the context. The builder reads nothing else of the
// context. (A base image's ONBUILD COPY is the one reader left out: such bases are rare, and
// the base changing shows in the names file.)
std::optional<std::vector<std::string>> context_sources(const dockerfile::Dockerfile& df) {
  std::vector<std::string> out;
  for (const auto& in : df.instructions) {
    bool from_elsewhere = false;
    for (const auto& f : in.flags) {
      if (f.name == "from") from_elsewhere = true;
      if (in.keyword == "run" && f.name == "mount" && f.value &&
          f.value->find("type=cache") == std::string::npos &&
          f.value->find("type=tmpfs") == std::string::npos &&
          f.value->find("type=secret") == std::string::npos &&
          f.value->find("type=ssh") == std::string::npos && f.value->find("from=") == std::string::npos)
        return std::nullopt;  // a bind of the context
    }
    if ((in.keyword != "copy" && in.keyword != "add") || from_elsewhere || in.args.size() < 2) continue;
    for (size_t i = 0; i + 1 < in.args.size(); i++) {
      std::string src = in.args[i];
      if (src.starts_with("<<")) continue;  // a heredoc: its text is in the Dockerfile
      if (src.find('$') != std::string::npos) return std::nullopt;
      size_t glob = src.find_first_of("*?[\\");
      if (glob != std::string::npos) src = src.substr(0, src.rfind('/', glob) == std::string::npos ? 0 : src.rfind('/', glob));
      while (src.starts_with("/") || src.starts_with("./")) src.erase(0, src[0] == '/' ? 1 : 2);
      if (src.empty() || src == "." ) return std::nullopt;  // the whole context
      out.push_back(src);
    }
  }
  return out;
}

// One source: its own metadata and, for a directory, everything below it.
void walk_source(int root, const std::string& rel, const dockerfile::IgnoreRules* rules, Hash& h) {
  struct stat st;
  h.add(rel);
  if (fstatat(root, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    h.add("missing");
    return;
  }
  h.add_stat(st);
  // COPY follows a source that is a symlink (to what it names inside the context): so does this.
  if (S_ISLNK(st.st_mode) && fstatat(root, rel.c_str(), &st, 0) == 0) h.add_stat(st);
  if (!S_ISDIR(st.st_mode)) return;
  UniqueFd sub(openat(root, rel.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (sub) walk(sub.get(), rel, rules, h, 1);
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
  h.add(stat_fingerprint(req.context + "/.dockerignore"));
  UniqueFd root(open(req.context.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw_sys("open", req.context);
  auto sources = context_sources(dockerfile::parse_dockerfile(dockerfile, req.dockerfile));
  if (!sources) {
    walk(root.get(), "", rules ? &*rules : nullptr, h, 0);
    return h.hex();
  }
  std::sort(sources->begin(), sources->end());
  for (const auto& src : *sources) walk_source(root.get(), src, rules ? &*rules : nullptr, h);
  return h.hex();
}

}  // namespace bale::project
