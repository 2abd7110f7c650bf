// `bale doctor`: whether this machine and this user have what bale needs, each check with a
// one-line verdict and, when it fails, the exact fix. Most of it is about running as an
// ordinary user (user namespaces, subordinate ids, overlayfs inside a user namespace); the store
// and the key are checked for everyone. Exit 0 only when nothing bale needs is missing.
#include <pwd.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "cmd/commands.h"
#include "runtime/subids.h"
#include "runtime/userns_probe.h"
#include "store/store.h"
#include "trust/keystore.h"

namespace bale::cmd {

namespace {

enum class Verdict { kOk, kNote, kFail };

struct Report {
  int failed = 0;
  void line(Verdict v, const std::string& what, const std::string& verdict,
            const std::string& fix = "") {
    const char* tag = v == Verdict::kOk ? "ok  " : v == Verdict::kNote ? "note" : "FAIL";
    std::printf("%s  %-28s %s\n", tag, what.c_str(), verdict.c_str());
    if (!fix.empty()) std::printf("      %-28s fix: %s\n", "", fix.c_str());
    if (v == Verdict::kFail) failed++;
  }
};

std::optional<long> sysctl(const char* path) {
  auto text = read_file_if_exists(path, 64);
  if (!text) return std::nullopt;
  return std::strtol(text->c_str(), nullptr, 10);
}

// Root of the initial user namespace: the identity map is the whole range.
bool real_root() {
  if (geteuid() != 0) return false;
  auto map = read_file_if_exists("/proc/self/uid_map", 4096);
  return map && map->find("4294967295") != std::string::npos;
}

std::string user_name() {
  const passwd* pw = getpwuid(getuid());
  return pw ? pw->pw_name : std::to_string(getuid());
}

void check_user_namespaces(Report& r) {
  auto max = sysctl("/proc/sys/user/max_user_namespaces");
  if (max && *max == 0)
    return r.line(Verdict::kFail, "user namespaces", "none allowed (user.max_user_namespaces = 0)",
                  "sysctl -w user.max_user_namespaces=15000 (as root; /etc/sysctl.d/ to keep it)");
  if (auto clone = sysctl("/proc/sys/kernel/unprivileged_userns_clone"); clone && *clone == 0)
    return r.line(Verdict::kFail, "user namespaces",
                  "not allowed for ordinary users (kernel.unprivileged_userns_clone = 0)",
                  "sysctl -w kernel.unprivileged_userns_clone=1 (as root)");
  if (auto aa = sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"); aa && *aa == 1)
    return r.line(Verdict::kFail, "user namespaces",
                  "restricted by AppArmor (kernel.apparmor_restrict_unprivileged_userns = 1)",
                  "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor "
                  "profile for bale with `userns,`");
  if (int err = runtime::probe_user_namespace())
    return r.line(Verdict::kFail, "user namespaces",
                  fmt::format("unshare(CLONE_NEWUSER) fails: {}", std::strerror(err)),
                  err == ENOSPC ? "the user.max_user_namespaces limit is reached here: raise it"
                                : "");
  r.line(Verdict::kOk, "user namespaces",
         max ? fmt::format("allowed (user.max_user_namespaces = {})", *max) : "allowed");
}

void check_id_helper(Report& r, const char* name) {
  std::string path = find_host_program(name);
  if (path.empty())
    return r.line(Verdict::kFail, name, "not installed (needed for a subordinate id range)",
                  "apt-get install uidmap");
  struct stat st;
  bool caps = getxattr(path.c_str(), "security.capability", nullptr, 0) > 0;
  if (stat(path.c_str(), &st) < 0 || ((st.st_uid != 0 || !(st.st_mode & S_ISUID)) && !caps))
    return r.line(Verdict::kFail, name,
                  fmt::format("{} is neither setuid root nor given capabilities", quote(path)),
                  fmt::format("chmod u+s {} (as root), or reinstall uidmap", path));
  r.line(Verdict::kOk, name, fmt::format("{} ({})", path, caps ? "file capabilities" : "setuid root"));
}

void check_subids(Report& r, const char* file, const std::string& user, uid_t own) {
  std::string what = std::string("subordinate ids ") + file;
  auto text = read_file_if_exists(file, 1 << 20);
  auto ranges = runtime::parse_subids(text.value_or(""));
  auto mine = runtime::subids_of(ranges, user, getuid());
  unsigned long start = runtime::free_subid_start(ranges, runtime::kSubidsWanted);
  std::string add = fmt::format("echo '{}:{}:{}' >> {} (as root; or usermod --add-sub{}s {}-{} {})",
                                user, start, runtime::kSubidsWanted, file,
                                std::strstr(file, "gid") ? "gid" : "uid", start,
                                start + runtime::kSubidsWanted - 1, user);
  if (!mine)
    return r.line(Verdict::kFail, what,
                  fmt::format("no range for {}: without one a container has one id, so files of "
                              "other owners in an image (apt's _apt, www-data) cannot be kept",
                              quote(user)),
                  add);
  if (own >= mine->start && own < mine->start + mine->count)
    return r.line(Verdict::kFail, what,
                  fmt::format("{} line {}: the range {}-{} holds {}'s own id {}", file, mine->line,
                              mine->start, mine->start + mine->count - 1, user, own),
                  "give the user a range that does not hold its own id");
  for (const auto& other : ranges)
    if (&other != &*mine && other.owner != mine->owner && other.start < mine->start + mine->count &&
        mine->start < other.start + other.count)
      return r.line(Verdict::kFail, what,
                    fmt::format("{} line {}: {}'s range overlaps {}'s on line {}", file, mine->line,
                                user, other.owner, other.line),
                    "give each user a range of its own");
  if (mine->count < runtime::kSubidsWanted)
    return r.line(Verdict::kNote, what,
                  fmt::format("{} ids from {} ({} line {}): images with ids up to 65534 "
                              "(nobody) need {}", mine->count, mine->start, file, mine->line,
                              runtime::kSubidsWanted));
  r.line(Verdict::kOk, what, fmt::format("{} ids from {}", mine->count, mine->start));
}

void check_overlay(Report& r) {
  std::string base = std::getenv("XDG_RUNTIME_DIR") ? std::getenv("XDG_RUNTIME_DIR") : "/tmp";
  std::string dir = base + "/bale-doctor-XXXXXX";
  if (!mkdtemp(dir.data()))
    return r.line(Verdict::kFail, "overlayfs in a user ns", fmt::format("mkdtemp in {}: {}", quote(base), std::strerror(errno)));
  int err = runtime::probe_overlay_in_user_namespace(dir);
  rmdir(dir.c_str());
  if (err == 0) return r.line(Verdict::kOk, "overlayfs in a user ns", "mounts");
  r.line(Verdict::kFail, "overlayfs in a user ns",
         fmt::format("the kernel refuses it ({})", std::strerror(err)),
         "a kernel of 5.11 or later (bale does not use fuse-overlayfs yet)");
}

void check_cgroups(Report& r) {
  auto self = read_file_if_exists("/proc/self/cgroup", 1 << 16);
  std::string path;
  if (self)
    for (size_t at = 0; at < self->size();) {
      size_t end = self->find('\n', at);
      std::string line = self->substr(at, end == std::string::npos ? std::string::npos : end - at);
      if (line.rfind("0::", 0) == 0) path = line.substr(3);
      if (end == std::string::npos) break;
      at = end + 1;
    }
  std::string root = path_exists("/sys/fs/cgroup/cgroup.controllers") ? "/sys/fs/cgroup"
                     : path_exists("/sys/fs/cgroup/unified/cgroup.controllers") ? "/sys/fs/cgroup/unified"
                                                                                  : "";
  std::string dir = root + path;
  if (root.empty() || path.empty() || access((dir + "/cgroup.subtree_control").c_str(), W_OK) != 0)
    return r.line(Verdict::kNote, "cgroup delegation",
                  root.empty() ? "no cgroup v2 hierarchy: --memory/--cpus/--pids need one"
                               : fmt::format("{} is not delegated to this user: --memory/--cpus/"
                                             "--pids will fail", quote(dir)),
                  "run under a systemd user session (systemd-run --user --scope bale run ...)");
  r.line(Verdict::kOk, "cgroup delegation", fmt::format("{} is writable", dir));
}

// Nobody else may write where the user's images and keys live: a file injected there runs.
void check_owned(Report& r, const std::string& what, const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) < 0)
    return r.line(Verdict::kOk, what, fmt::format("{} (made on first use)", path));
  if (st.st_uid != geteuid())
    return r.line(Verdict::kFail, what, fmt::format("{} belongs to uid {}, not to you", quote(path), st.st_uid),
                  fmt::format("remove it or chown -R {} {}", geteuid(), path));
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return r.line(Verdict::kFail, what, fmt::format("{} is writable by others", quote(path)),
                  fmt::format("chmod go-w {}", path));
  r.line(Verdict::kOk, what, path);
}

}  // namespace

int doctor(const DoctorOptions&) {
  Report r;
  if (real_root()) {
    r.line(Verdict::kOk, "identity", "root: containers need no user namespace");
  } else {
    std::string user = user_name();
    r.line(Verdict::kOk, "identity", fmt::format("{} (uid {}): rootless", user, getuid()));
    check_user_namespaces(r);
    check_id_helper(r, "newuidmap");
    check_id_helper(r, "newgidmap");
    check_subids(r, "/etc/subuid", user, getuid());
    check_subids(r, "/etc/subgid", user, getgid());
    check_overlay(r);
    check_cgroups(r);
  }
  check_owned(r, "store", store::Store::default_root());
  auto paths = trust::TrustPaths::defaults();
  check_owned(r, "keys and trust", paths.config_dir);
  struct stat key;
  if (stat(paths.key_path.c_str(), &key) == 0 && (key.st_mode & 077))
    r.line(Verdict::kFail, "machine key", fmt::format("{} is readable by others", quote(paths.key_path)),
           fmt::format("chmod 600 {}", paths.key_path));
  else if (path_exists(paths.key_path))
    check_owned(r, "machine key", paths.key_path);
  if (r.failed) std::printf("%d check%s failed\n", r.failed, r.failed == 1 ? "" : "s");
  return r.failed ? kExitFailed : kExitOk;
}

}  // namespace bale::cmd
