// The last step of a run, inside the new root: who to become, what to execute, and the execve
// itself with docker's exit codes for a target that cannot run (126) or is missing (127).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "runtime/user.h"

namespace bale::runtime {

struct ContainerSpec;

struct ExecPlan {
  std::string path;  // resolved executable
  std::vector<std::string> argv, env;
  ResolvedUser user;
  std::string workdir;
};

// Resolves the user, HOME, PATH and the executable against the current root (call after
// pivot_root). Throws bale::Error with exit 127 when the command is not found.
ExecPlan prepare_exec(const ContainerSpec& spec);

// Switches user, closes every fd but 0-2 and `keep`, and execs. Never returns: throws
// bale::Error with exit 126/127 (and why) when execve fails.
[[noreturn]] void exec_target(const ExecPlan& plan, const std::vector<int>& keep);

// Why ENOENT from execve of a file that exists: its "#!" interpreter or ELF loader (PT_INTERP)
// is missing. Returns "" when no such cause is found.
std::string missing_interpreter(const std::string& path);

// For the init of a PID namespace whose process of interest is `child`: reaps every process
// (orphans end up here) until `child` ends, then exits with its status, a code or 128 + the
// signal as a shell reports it; 125 when there is nothing left to wait for.
[[noreturn]] void exit_with_child(pid_t child);

inline constexpr const char* kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

}  // namespace bale::runtime
