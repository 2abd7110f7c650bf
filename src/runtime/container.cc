// The container's mount namespace and the final execve (see container.h).
#include "runtime/container.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "runtime/exec.h"
#include "runtime/mounts.h"
#include "runtime/recipe.h"

namespace bale::runtime {

BindMount parse_bind(const std::string& spec, const std::string& where, bool host_absolute) {
  auto bad = [&](const std::string& what) {
    return Error(fmt::format("{} {}: {}", where, quote(spec), what), 0, kExitUsage);
  };
  auto a = spec.find(':');
  if (a == std::string::npos || a == 0) throw bad("expected HOST:CONTAINER[:ro|rw]");
  if (host_absolute && spec[0] != '/') throw bad("the host path must be absolute");
  BindMount b{spec.substr(0, a), spec.substr(a + 1), false};
  if (auto c = b.container.find(':'); c != std::string::npos) {
    std::string mode = b.container.substr(c + 1);
    b.container.resize(c);
    if (mode != "ro" && mode != "rw") throw bad(fmt::format("unknown mode {} (ro or rw)", quote(mode)));
    b.read_only = mode == "ro";
  }
  if (b.container.empty() || b.container[0] != '/') throw bad("the container path must be absolute");
  return b;
}

namespace {

// The host's resolv.conf, hosts and hostname, copied into the container's writable layer
// (as docker does): the container sees the host's name service configuration, may change its
// own copy, and can never write to the host's files. An image's symlink in their place (e.g. to
// systemd-resolved's stub) is replaced. Copying costs three small writes to a tmpfs, where
// read-only binds would cost six mount calls on every start.
void copy_host_etc_files(int root_fd) {
  UniqueFd etc = mountpoint_in_root(root_fd, "/etc", false);
  for (const char* f : {"/etc/resolv.conf", "/etc/hosts", "/etc/hostname"}) {
    std::string content;
    try {
      content = read_file(f, 1 << 20);
    } catch (const Error&) {
      continue;  // the host has none: leave the image's own
    }
    const char* leaf = f + 5;
    const int flags = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC;
    int fd = openat(etc.get(), leaf, flags, 0644);
    if (fd < 0 && errno == EISDIR) continue;  // an image with a directory there keeps it
    if (fd < 0 && errno == ELOOP && unlinkat(etc.get(), leaf, 0) == 0)  // a symlink: replace it
      fd = openat(etc.get(), leaf, flags, 0644);
    if (fd < 0) throw_sys("create", f);
    UniqueFd guard(fd);
    write_all(fd, content, f);
  }
}

void user_mounts(int root_fd, const ContainerSpec& spec) {
  for (const auto& b : spec.binds) {
    struct stat st;
    if (stat(b.host.c_str(), &st) < 0)
      throw sys_error("volume: host path", b.host, errno)
          .with_hint("bale does not create missing host paths; create it first");
    bind_in_root(root_fd, b.host, b.container, !S_ISDIR(st.st_mode), b.read_only, true);
  }
  for (const auto& t : spec.tmpfs) {
    try {
      mount_tmpfs_in_root(root_fd, t.container, t.options);
    } catch (const Error& e) {
      // The fd path means nothing to the user: name the option as given.
      throw Error(fmt::format("--tmpfs {}: {}", t.options.empty() ? t.container : t.container + ":" + t.options, std::strerror(e.err())),
                  e.err())
          .with_hint(e.err() == EINVAL ? "options are tmpfs's: size=N[k|m|g|%], mode=OCTAL, nr_inodes=N"
                                       : "");
    }
  }
}

void build_root(const ContainerSpec& spec, const std::string& root) {
  // Everything below happens in our own namespace; private first, so no mount propagates back
  // to the host even where "/" is shared (the usual case under systemd).
  enter_private_mount_namespace();
  mount_fs("tmpfs", spec.stage, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
  // The overlay's upper and work dirs, and the scratch dirs of /dev/shm, /run and /tmp: all on
  // this one tmpfs, bound into place, so a start pays for one tmpfs superblock, not four.
  for (auto [d, mode] : {std::pair{"/u", 0755}, {"/w", 0755}, {"/r", 0755}, {"/shm", 01777},
                         {"/run", 0755}, {"/tmp", 01777}}) {
    std::string path = spec.stage + d;
    if (mkdir(path.c_str(), mode) < 0 || chmod(path.c_str(), mode) < 0) throw_sys("mkdir", path);
  }
  mount_fs("overlay", root, "overlay", 0,
           overlay_options(spec.lowers, spec.stage + "/u", spec.stage + "/w"));
  UniqueFd root_fd(open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd) throw_sys("open", root);
  int r = root_fd.get();
  mount_system_dirs(r, {.sys_read_only = false, .bind_proc = spec.rootless, .bind_sys = spec.rootless,
                        .shm_dir = spec.stage + "/shm"});
  if (spec.read_only) {
    // A read-only root still gets writable, empty /run and /tmp (as podman's --read-only does).
    bind_in_root(r, spec.stage + "/run", "/run", false, false, false);
    bind_in_root(r, spec.stage + "/tmp", "/tmp", false, false, false);
  } else {
    // Otherwise they are the image's own, in the ephemeral writable layer, as docker shows them:
    // sshd's /run/sshd, postgres's /var/run/postgresql, files an image put in /tmp.
    mountpoint_in_root(r, "/run", false);
    std::vector<std::string> made;
    UniqueFd tmp = mountpoint_in_root(r, "/tmp", false, &made);
    if (!made.empty() && chmod(fd_path(tmp).c_str(), 01777) < 0) throw_sys("chmod", "/tmp");
  }
  copy_host_etc_files(r);
  user_mounts(r, spec);
  if (spec.workdir != "/" && !spec.read_only) mountpoint_in_root(r, spec.workdir, false);
  if (spec.read_only &&
      mount(nullptr, root.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) < 0)
    throw_sys("remount read-only", root);
}

}  // namespace

void enter_and_exec(const ContainerSpec& spec) {
  std::string root = spec.stage + "/r";
  build_root(spec, root);
  pivot_into(root);
  exec_target(prepare_exec(spec), spec.keep_fds);
}

void enter_and_hold(const ContainerSpec& spec, int ready_fd, int lock_fd) {
  std::string root = spec.stage + "/r";
  build_root(spec, root);
  pivot_into(root);
  if (chdir("/") < 0) throw_sys("chdir", "/");
  char ready = 1;
  if (write(ready_fd, &ready, 1) != 1) throw_sys("write", "the ready pipe");
  close(ready_fd);
  if (lock_fd >= 0) close(lock_fd);
  for (;;) pause();  // SIGTERM's default action ends it, and the mounts with it
}

}  // namespace bale::runtime
