// Entering a running container (see join.h).
#include "runtime/join.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fd.h"
#include "base/fs.h"
#include "runtime/exec.h"

namespace bale::runtime {

namespace {

[[noreturn]] void gone(const RunRecord& r) {
  throw Error(fmt::format("container {} (PID {}) exited while exec joined it",
                          r.name.empty() ? std::to_string(r.pid) : quote(r.name), r.pid),
              ESRCH);
}

bool exited(int pidfd) {
  pollfd p{pidfd, POLLIN, 0};
  return poll(&p, 1, 0) > 0;
}

}  // namespace

std::vector<std::string> target_environment(const RunRecord& r) {
  auto strings = proc_strings(r.pid, "environ");
  if (!strings) gone(r);
  std::vector<std::string> env;
  for (auto& s : *strings)
    if (!s.empty()) env.push_back(std::move(s));
  return env;
}

void join_and_exec(const RunRecord& r, const ContainerSpec& spec) {
  UniqueFd process = open_recorded_process(r);
  if (!process) gone(r);
  // Both opened before joining: afterwards /proc is the container's view.
  UniqueFd ns(open(fmt::format("/proc/{}/ns/mnt", r.pid).c_str(), O_RDONLY | O_CLOEXEC));
  UniqueFd root(open(fmt::format("/proc/{}/root", r.pid).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!ns || !root) {
    if (errno == ENOENT || errno == ESRCH) gone(r);
    throw_sys("open the namespace of", std::to_string(r.pid));
  }
  // A rootless container lives in a user namespace of its own: join that first (its owner has
  // every capability there), then its mounts.
  UniqueFd userns(open(fmt::format("/proc/{}/ns/user", r.pid).c_str(), O_RDONLY | O_CLOEXEC));
  struct stat theirs, ours;
  if (userns && fstat(userns.get(), &theirs) == 0 && stat("/proc/self/ns/user", &ours) == 0 &&
      theirs.st_ino != ours.st_ino && setns(userns.get(), CLONE_NEWUSER) < 0)
    throw_sys("setns", fmt::format("/proc/{}/ns/user", r.pid));
  if (setns(ns.get(), CLONE_NEWNS) < 0) throw_sys("setns", fmt::format("/proc/{}/ns/mnt", r.pid));
  if (fchdir(root.get()) < 0 || chroot(".") < 0) throw_sys("chroot", "the container's root");
  // The handles were taken on the recorded process; if it is gone now, so is the container.
  if (exited(process.get())) gone(r);
  exec_target(prepare_exec(spec), {});
}

}  // namespace bale::runtime
