// The one container recipe: the parts every container bale starts is made of, `bale run`'s
// (runtime/container.cc) and a RUN step's (builder/run_step.cc, builder/layers.cc) alike, so the
// two can never drift apart. Where they differ on purpose, the difference is a named option.
#pragma once

#include <string>
#include <vector>

namespace bale::runtime {

// Moves the calling process into a new mount namespace with every mount made private first,
// so nothing mounted from here on propagates to the host even where "/" is shared (the usual
// case under systemd). Must be called before any thread is started.
void enter_private_mount_namespace();

// The kernel's file systems in a container: its own /proc and /sys, the host's /dev (devices
// stay the host's by design) and a /dev/shm of the container's own.
inline constexpr const char* kSystemMountpoints[] = {"/proc", "/sys", "/dev"};

struct SystemMounts {
  // A RUN step must not change the host's kernel settings; a service bale becomes sees /sys as
  // the host's services do.
  bool sys_read_only = false;
  // In a user namespace the kernel allows a new proc only with a PID namespace of its own, and
  // a new sysfs only with a network namespace of its own: without them the host's are bound
  // instead (the container sees the host's processes and devices there, as it does anyway;
  // bale shares PIDs and network by design).
  bool bind_proc = false;
  bool bind_sys = false;
  // A directory bound as /dev/shm (the start of `run` keeps its scratch dirs on one tmpfs);
  // empty: a tmpfs of its own.
  std::string shm_dir;
};

// Mounts them beneath `root_fd`, creating the mountpoints that are missing.
void mount_system_dirs(int root_fd, const SystemMounts& how);

// A tmpfs the container asked for (`--tmpfs`, `RUN --mount=type=tmpfs`) on `path` beneath
// `root_fd`: world-writable with the sticky bit unless `options` ("size=64m,mode=0700") say
// otherwise.
void mount_tmpfs_in_root(int root_fd, const std::string& path, const std::string& options);

// Whether this process is in the initial user namespace (it maps all 2^32 ids onto themselves),
// where root may mount anything; a rootless bale is not, once it has entered its own. Read
// once, on the first call, which must come after that.
bool in_initial_user_namespace();

// The options of an overlay mount, each path escaped for overlayfs: `lowers` bottom first;
// with `upper` and `work` the view is writable. Outside the initial user namespace (a rootless
// bale) overlayfs may not write its trusted.* xattrs, so the options ask for user.* ones.
std::string overlay_options(const std::vector<std::string>& lowers, const std::string& upper = "",
                            const std::string& work = "");

}  // namespace bale::runtime
