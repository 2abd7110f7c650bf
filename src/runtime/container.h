// Entering a container: a new mount namespace over an unpacked root filesystem, then execve.
// The calling process *becomes* the target: same PID, so signals, exit status, cgroups and
// the supervisor's view all apply to it directly, and no mount is left in the host namespace.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/user.h"

namespace bale::runtime {

struct BindMount {
  std::string host, container;
  bool read_only = false;
};

// "HOST:CONTAINER[:ro|rw]" as -v and an app's --bind take it; `where` ("-v", "bind") names it
// in errors (usage errors, exit 2). The container path must be absolute, and so must the host's
// when `host_absolute` (a saved setting must not depend on a later working directory).
BindMount parse_bind(const std::string& spec, const std::string& where, bool host_absolute);

struct TmpfsMount {
  std::string container;
  std::string options;  // e.g. "size=64m"
};

struct ContainerSpec {
  // The unpacked root filesystems, bottom first: overlay lowers, so a stack of images (an app's
  // base, layers and image) costs no copy. `bale run` has one.
  std::vector<std::string> lowers;
  std::string stage;      // an existing empty directory to mount the staging tmpfs on
  bool read_only = false;
  std::vector<BindMount> binds;
  std::vector<TmpfsMount> tmpfs;
  std::vector<std::string> argv;  // argv[0] is looked up in the container's PATH
  std::vector<std::string> env;
  std::string workdir = "/";
  std::string user;  // USER[:GROUP] as given (resolved inside the new root)
  std::vector<int> keep_fds;  // fds the target inherits besides 0, 1, 2
  bool rootless = false;      // in a user namespace of an ordinary user (runtime/userns.h)
};

// Sets everything up and execs; returns only by throwing bale::Error (126 / 127 when the target
// cannot be executed or found; the caller maps the rest to 125 with Error::before_target).
[[noreturn]] void enter_and_exec(const ContainerSpec& spec);

// As enter_and_exec up to the execve; then, instead of it, the calling process stays in the
// container as the keeper of its mounts: once the root is in place it writes one byte to
// `ready_fd` and closes it and `lock_fd` (a lock that holds joiners off until then; -1 for
// none), and waits for a signal to end it. Later commands join it (runtime/join.h): a resumed
// host app's instance. Throws bale::Error before the byte is sent.
[[noreturn]] void enter_and_hold(const ContainerSpec& spec, int ready_fd, int lock_fd);

}  // namespace bale::runtime
