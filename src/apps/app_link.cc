// The app links on the host (see app_link.h).
#include "apps/app_link.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"

namespace bale::apps {

std::string bale_binary() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n < 0) throw_sys("readlink", "/proc/self/exe");
  return std::string(buf, static_cast<size_t>(n));
}

LinkState link_state(const std::string& path) {
  struct stat lst;
  if (lstat(path.c_str(), &lst) < 0) {
    if (errno == ENOENT) return LinkState::kAbsent;
    throw_sys("lstat", path);
  }
  if (!S_ISLNK(lst.st_mode)) return LinkState::kForeign;
  char buf[PATH_MAX];
  ssize_t n = readlink(path.c_str(), buf, sizeof buf - 1);
  if (n < 0) throw_sys("readlink", path);
  std::string to(buf, static_cast<size_t>(n));
  struct stat target, self;
  if (stat(path.c_str(), &target) < 0 || !S_ISREG(target.st_mode)) return LinkState::kForeign;
  if (stat("/proc/self/exe", &self) == 0 && self.st_dev == target.st_dev &&
      self.st_ino == target.st_ino)
    return LinkState::kOurs;
  return basename_of(to) == "bale" ? LinkState::kOurs : LinkState::kForeign;
}

void check_link_replaceable(const std::string& path, bool force) {
  LinkState s = link_state(path);
  if (s == LinkState::kForeign)
    throw Error(fmt::format("{} exists and is not a bale app link: bale never replaces it", quote(path)),
                EEXIST)
        .with_hint("choose another --app path, or remove that file yourself");
  if (s == LinkState::kOurs && !force)
    throw Error(fmt::format("{} is already a bale app link", quote(path)), EEXIST)
        .with_hint(fmt::format("`bale app show {}` shows it; --force registers it again",
                               basename_of(path)));
}

void place_link(const std::string& path, bool force) {
  check_link_replaceable(path, force);
  LinkState s = link_state(path);
  std::string bale = bale_binary();
  if (s == LinkState::kAbsent) {
    if (symlink(bale.c_str(), path.c_str()) < 0) throw_sys("symlink", path);
    return;
  }
  std::string tmp = fmt::format("{}/.{}.bale-{}", dirname_of(path), basename_of(path), getpid());
  unlink(tmp.c_str());
  if (symlink(bale.c_str(), tmp.c_str()) < 0) throw_sys("symlink", tmp);
  if (rename(tmp.c_str(), path.c_str()) < 0) {
    int err = errno;
    unlink(tmp.c_str());
    throw sys_error("rename onto", path, err);
  }
}

bool remove_link(const std::string& path) {
  switch (link_state(path)) {
    case LinkState::kAbsent: return true;
    case LinkState::kForeign: return false;
    case LinkState::kOurs:
      if (unlink(path.c_str()) < 0 && errno != ENOENT) throw_sys("unlink", path);
      return true;
  }
  return false;
}

}  // namespace bale::apps
