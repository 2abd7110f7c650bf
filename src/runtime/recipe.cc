// The parts every container is made of (see recipe.h).
#include "runtime/recipe.h"

#include <sched.h>
#include <sys/mount.h>

#include <cstdio>

#include "base/error.h"
#include "base/fs.h"
#include "runtime/mounts.h"

namespace bale::runtime {

void enter_private_mount_namespace() {
  if (unshare(CLONE_NEWNS) < 0) throw_sys("unshare", "mount namespace");
  mount_fs("none", "/", "none", MS_REC | MS_PRIVATE);
}

void mount_system_dirs(int root_fd, const SystemMounts& how) {
  const unsigned long kernel_fs = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  if (how.bind_proc)
    bind_in_root(root_fd, "/proc", "/proc", false, false, true);
  else
    mount_fs("proc", fd_path(mountpoint_in_root(root_fd, "/proc", false)), "proc", kernel_fs);
  if (how.bind_sys)
    bind_in_root(root_fd, "/sys", "/sys", false, how.sys_read_only, true);
  else
    mount_fs("sysfs", fd_path(mountpoint_in_root(root_fd, "/sys", false)), "sysfs",
             kernel_fs | (how.sys_read_only ? MS_RDONLY : 0));
  bind_in_root(root_fd, "/dev", "/dev", false, false, true);
  if (!how.shm_dir.empty())
    bind_in_root(root_fd, how.shm_dir, "/dev/shm", false, false, false);
  else
    mount_fs("tmpfs", fd_path(mountpoint_in_root(root_fd, "/dev/shm", false)), "tmpfs",
             MS_NOSUID | MS_NODEV, "mode=1777");
}

void mount_tmpfs_in_root(int root_fd, const std::string& path, const std::string& options) {
  mount_fs("tmpfs", fd_path(mountpoint_in_root(root_fd, path, false)), "tmpfs",
           MS_NOSUID | MS_NODEV, options.empty() ? "mode=1777" : "mode=1777," + options);
}

bool in_initial_user_namespace() {
  static const bool initial = [] {
    auto map = read_file_if_exists("/proc/self/uid_map", 4096).value_or("");
    unsigned long inside = 1, outside = 1, count = 0;
    return std::sscanf(map.c_str(), "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 &&
           outside == 0 && count == 4294967295UL;
  }();
  return initial;
}

std::string overlay_options(const std::vector<std::string>& lowers, const std::string& upper,
                            const std::string& work) {
  std::string out = "lowerdir=";
  for (auto it = lowers.rbegin(); it != lowers.rend(); ++it) {  // overlayfs lists the top first
    if (it != lowers.rbegin()) out += ':';
    out += overlay_path_option(*it);
  }
  if (!upper.empty())
    out += ",upperdir=" + overlay_path_option(upper) + ",workdir=" + overlay_path_option(work);
  if (!in_initial_user_namespace()) out += ",userxattr";
  return out;
}

}  // namespace bale::runtime
