// `bale exec NAME|PID COMMAND...`: the operator's way into a running container. The command
// starts with the target's environment (plus -e), its user and working directory unless -u/-w
// say otherwise, and bale becomes it, so its exit status is bale's.
#include <unistd.h>

#include "base/error.h"
#include "cmd/commands.h"
#include "cmd/env_options.h"
#include "runtime/join.h"

namespace bale::cmd {

int exec(const ExecOptions& o) {
  try {
    if (o.command.empty())
      throw Error("bale exec: no command: give one after the container's name or PID", 0,
                  kExitUsage);
    runtime::RunRecord r = runtime::find_container(o.target);
    runtime::ContainerSpec spec;
    spec.argv = o.command;
    spec.env = runtime::target_environment(r);
    add_terminal_env(spec.env);
    for (const auto& f : o.env_files) add_env_file(spec.env, f);
    for (const auto& e : o.env) add_env_arg(spec.env, e, "-e");
    spec.user = o.user.value_or(r.user);
    spec.workdir = o.workdir.value_or(r.workdir);
    runtime::join_and_exec(r, spec);
  } catch (const Error& e) {
    throw e.before_target();
  }
}

}  // namespace bale::cmd
