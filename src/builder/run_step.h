// Carrying out one RUN: the command runs on the stage's writable view in its own mount and PID
// namespaces, under an init that reaps, so no process of the step outlives it. The host's
// resolv.conf and hosts are visible during the step only; nothing the step needed as a mountpoint
// is left in the image.
#pragma once

#include <string>
#include <vector>

namespace bale::builder {

struct RunMount {
  enum class Type { kBind, kCache, kTmpfs } type = Type::kBind;
  std::string source;  // a host directory or file (bind, cache)
  std::string target;  // absolute, in the container
  bool read_only = false;
  std::string options;  // tmpfs mount options ("size=...")
  // bind: a detached mount (runtime::detached_bind) attached instead of binding `source`, which
  // then only names it; the fd stays open until the step has run.
  int tree_fd = -1;
};

struct RunSpec {
  std::string root;     // the mounted writable view
  std::string scratch;  // a private directory outside the view for bale's own files
  std::vector<std::string> argv, env;
  std::string user, workdir;
  bool network_none = false;
  std::vector<RunMount> mounts;
  int output_fd = 2;  // where the step's stdout and stderr go
};

struct RunOutcome {
  int exit_code = 0;  // the command's own code, or 128+N when killed by signal N
  std::string error;  // why the command could not start ("" when it ran)
  // Directories that held bale's mountpoints and are as they were: overlay copied them up, and
  // the step's change set need not keep them (StepDir::drop_if_unchanged).
  std::vector<std::string> restored_dirs;
};

// Runs the step and waits for it. Throws bale::Error only for failures of bale itself (setting
// up the namespaces); a failing command is an outcome. On SIGINT or SIGTERM the step is killed
// and bale::Error "interrupted" (exit 130) is thrown.
RunOutcome run_step(const RunSpec& spec);

// Installs the SIGINT/SIGTERM handlers run_step relies on to stop a step and clean up.
void install_interrupt_handlers();
// Throws bale::Error "interrupted" when one of those signals arrived.
void check_interrupted();

}  // namespace bale::builder
