// Kernel probes for rootless operation (see userns_probe.h).
#include "runtime/userns_probe.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include <fmt/format.h>

namespace bale::runtime {

namespace {

bool write_text(const char* path, const std::string& text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok;
}

// Runs `body` in a child; its errno (0: success) is the child's exit status.
template <class F>
int in_child(F body) {
  pid_t pid = fork();
  if (pid < 0) return errno;
  if (pid == 0) _exit(body());
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return errno;
  return WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
}

}  // namespace

int probe_user_namespace() {
  return in_child([] { return unshare(CLONE_NEWUSER) == 0 ? 0 : errno; });
}

int probe_overlay_in_user_namespace(const std::string& scratch) {
  uid_t uid = getuid();
  gid_t gid = getgid();
  for (const char* d : {"/l", "/u", "/w", "/m"})
    if (mkdir((scratch + d).c_str(), 0700) < 0 && errno != EEXIST) return errno;
  int err = in_child([&] {
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) return errno;
    // A one-id map: the caller is root inside, which is all a mount needs.
    if (!write_text("/proc/self/setgroups", "deny") ||
        !write_text("/proc/self/uid_map", fmt::format("0 {} 1", uid)) ||
        !write_text("/proc/self/gid_map", fmt::format("0 {} 1", gid)))
      return errno ? errno : EPERM;
    std::string data = fmt::format("lowerdir={0}/l,upperdir={0}/u,workdir={0}/w", scratch);
    return mount("overlay", (scratch + "/m").c_str(), "overlay", 0, data.c_str()) == 0 ? 0 : errno;
  });
  // overlayfs leaves a work/ directory behind in w/ (owned by the caller: removable).
  rmdir((scratch + "/w/work").c_str());
  for (const char* d : {"/l", "/u", "/w", "/m"}) rmdir((scratch + d).c_str());
  return err;
}

}  // namespace bale::runtime
