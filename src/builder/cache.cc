// The build cache (see cache.h).
#include "builder/cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/xattr.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/overlay_xattr.h"
#include "base/fs.h"

namespace bale::builder {

namespace {

// Entries are named by a prefix of the key: 96 bits keep collisions out of reach and keep the
// overlay's lowerdir option (one page at most) able to list well over a hundred layers.
constexpr size_t kIdLength = 24;

UniqueFd lock_file(const std::string& path, int how) {
  UniqueFd fd = open_file(path, O_RDWR | O_CREAT, 0600);
  while (flock(fd.get(), how) < 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return UniqueFd();
    throw_sys("lock", path);
  }
  return fd;
}

void make_dirs(const std::string& dir) {
  for (const char* d : {"", "/cache", "/steps", "/mounts", "/images", "/squash", "/empty", "/uses"})
    mkdir_p(dir + d, 0700);
  spread_subdirs(dir + "/steps");
  spread_subdirs(dir + "/mounts");
  if (chmod((dir + "/empty").c_str(), 0755) < 0) throw_sys("chmod", dir + "/empty");
}

bool is_empty_dir(const std::string& dir) { return list_dir(dir).empty(); }

// Removes the directory `path` (a path in the container) from the change set `diff_fd` when it is
// empty and not opaque. The path came from the step (its mount targets, the image's WorkingDir)
// and the step may have left symlinks in the change set: it is resolved beneath the change set
// and through no symlink, so it can only ever name a directory of the change set itself.
void drop_empty_copy_up(int diff_fd, const std::string& path) {
  std::string clean = clean_path("/" + path);
  if (clean == "/") return;
  std::string leaf = basename_of(clean);
  std::string parent = dirname_of(clean);
  UniqueFd dir(open_beneath(diff_fd, parent == "/" ? "." : parent.substr(1), O_PATH | O_DIRECTORY));
  if (!dir || !is_plain_name(leaf)) return;
  UniqueFd fd(openat(dir.get(), leaf.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return;
  if (is_opaque_dir(fd.get())) return;
  DirStream d = dir_stream(fd.get(), path);
  for (dirent* de; (de = readdir(d.get())) != nullptr;)
    if (std::strcmp(de->d_name, ".") != 0 && std::strcmp(de->d_name, "..") != 0) return;
  unlinkat(dir.get(), leaf.c_str(), AT_REMOVEDIR);
}

}  // namespace

StepDir& StepDir::operator=(StepDir&& o) noexcept {
  if (this != &o) {
    drop();
    path_ = std::move(o.path_);
    unchanged_ = std::move(o.unchanged_);
    o.path_.clear();
  }
  return *this;
}

StepDir::~StepDir() { drop(); }

void StepDir::drop() noexcept {
  if (path_.empty()) return;
  // Never walk into a view that is still mounted: removing through it would write whiteouts.
  umount2(merged().c_str(), MNT_DETACH);
  try {
    remove_tree(path_);
  } catch (...) {
  }
  path_.clear();
}

BuildCache::BuildCache(const std::string& store_root) : dir_(store_root + "/build") {
  make_dirs(dir_);
  lock_ = lock_file(dir_ + "/lock", LOCK_SH);
}

std::string BuildCache::entry_dir(const std::string& key) const {
  return fmt::format("{}/cache/{}", dir_, key.substr(0, kIdLength));
}

std::optional<std::string> BuildCache::lookup(const std::string& key) const {
  std::string entry = entry_dir(key);
  struct stat st;
  if (stat(entry.c_str(), &st) < 0) return std::nullopt;
  // The entry's mtime says when a build last used it: gc keeps what was used recently. (The
  // entry directory, not diff/: a layer's identity in squash records is diff/'s ctime.)
  utimensat(AT_FDCWD, entry.c_str(), nullptr, 0);
  used_.insert("cache/" + key.substr(0, kIdLength));
  std::string diff = entry + "/diff";
  return stat(diff.c_str(), &st) == 0 ? diff : std::string();
}

StepDir BuildCache::begin_step() const {
  std::string tmpl = dir_ + "/steps/XXXXXX";
  if (!mkdtemp(tmpl.data())) throw_sys("mkdtemp", tmpl);
  StepDir step(tmpl);
  for (const char* d : {"/diff", "/work", "/merged"})
    if (mkdir((step.path() + d).c_str(), 0755) < 0) throw_sys("mkdir", step.path() + d);
  return step;
}

std::string BuildCache::commit(StepDir& step, const std::string& key, bool replace) const {
  umount2(step.merged().c_str(), MNT_DETACH);
  // The entry keeps the change set only: work dirs, scratch files and sources go.
  for (const auto& name : list_dir(step.path()))
    if (name != "diff") remove_tree(step.path() + "/" + name);
  std::vector<std::string> dirs = step.unchanged();
  std::sort(dirs.begin(), dirs.end(), std::greater<>());  // the deepest first
  UniqueFd diff(::open(step.diff().c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!diff) throw_sys("open", step.diff());
  for (const auto& d : dirs) drop_empty_copy_up(diff.get(), d);  // copy-ups that changed nothing
  if (is_empty_dir(step.diff()) && rmdir(step.diff().c_str()) < 0) throw_sys("rmdir", step.diff());
  std::string entry = entry_dir(key);
  if (replace && path_exists(entry)) {
    std::string tmpl = dir_ + "/steps/old-XXXXXX";
    if (!mkdtemp(tmpl.data())) throw_sys("mkdtemp", tmpl);
    StepDir old(tmpl);  // the replaced entry, removed when this goes out of scope
    if (rename(entry.c_str(), old.path().c_str()) < 0) throw_sys("rename", entry);
  }
  if (rename(step.path().c_str(), entry.c_str()) < 0) {
    if (errno != EEXIST && errno != ENOTEMPTY) throw_sys("rename", entry);
    // Another build finished the same step first: theirs is as good.
  } else {
    step.release();
  }
  return *lookup(key);
}

std::string BuildCache::image_path(const std::string& key) const {
  used_.insert(fmt::format("images/{}.bale", key.substr(0, kIdLength)));
  return fmt::format("{}/images/{}.bale", dir_, key.substr(0, kIdLength));
}

void BuildCache::record_use(const std::string& digest) const {
  nlohmann::json j = std::vector<std::string>(used_.begin(), used_.end());
  write_file_atomic(fmt::format("{}/uses/{}.json", dir_, digest.substr(digest.find(':') + 1)),
                    j.dump() + "\n");
}

namespace {

// What the images of `named` were made from, by path below build/ ("cache/ID"); the records of
// images no longer named are removed.
std::set<std::string> used_by_named(const std::string& dir, const std::set<std::string>& named) {
  std::set<std::string> keep;
  for (const auto& f : list_dir(dir + "/uses")) {
    std::string path = dir + "/uses/" + f;
    std::string digest = "sha256:" + f.substr(0, f.rfind('.'));
    if (!named.count(digest)) {
      unlink(path.c_str());
      continue;
    }
    try {
      auto text = read_file_if_exists(path, 1 << 20);
      if (text)
        for (const auto& p : nlohmann::json::parse(*text)) keep.insert(p.get<std::string>());
    } catch (const nlohmann::json::exception&) {
      unlink(path.c_str());  // damaged: its image is kept by age alone
    }
  }
  return keep;
}

}  // namespace

std::string BuildCache::cache_mount(const std::string& id) const {
  std::string dir = fmt::format("{}/mounts/{}", dir_, id);
  mkdir_p(dir, 0755);
  utimensat(AT_FDCWD, dir.c_str(), nullptr, 0);  // used now: gc keeps it a while
  return dir;
}

bool BuildCache::prune(const std::string& store_root, time_t keep_since,
                       const std::set<std::string>& named, PruneStats* stats) {
  std::string dir = store_root + "/build";
  if (!path_exists(dir)) return true;
  UniqueFd lock = lock_file(dir + "/lock", LOCK_EX | LOCK_NB);
  if (!lock) return false;
  PruneStats out;
  const std::set<std::string> keep = keep_since > 0 ? used_by_named(dir, named) : std::set<std::string>{};
  if (keep_since == 0 && path_exists(dir + "/uses")) remove_tree(dir + "/uses");
  for (const char* sub : {"/cache", "/steps", "/mounts", "/images", "/squash"}) {
    // Steps are what interrupted builds left (no build runs: the lock says so).
    bool leftovers = std::string_view(sub) == "/steps";
    for (const auto& name : list_dir(dir + sub)) {
      std::string path = dir + sub + "/" + name;
      struct stat st;
      if (lstat(path.c_str(), &st) < 0) continue;
      bool used_lately = keep_since > 0 && (st.st_mtime >= keep_since || keep.count(sub + 1 + ("/" + name)));
      if (!leftovers && used_lately) {
        if (sub[1] == 'c') out.kept++;
        continue;
      }
      umount2((path + "/merged").c_str(), MNT_DETACH);
      out.bytes += static_cast<uint64_t>(st.st_blocks) * 512;
      walk_tree(path, [&](const std::string&, const struct stat& s) {
        out.bytes += static_cast<uint64_t>(s.st_blocks) * 512;
        return true;
      });
      remove_tree(path);
      if (sub[1] == 'c') out.removed++;
    }
  }
  if (stats) *stats = out;
  return true;
}

}  // namespace bale::builder
