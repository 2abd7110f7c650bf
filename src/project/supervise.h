// Running launched commands to their end: one in the foreground, or a supervised group whose
// mode says what a child's exit means (docs/projects.md#supervise).
#pragma once

#include <string>
#include <vector>

#include "project/model.h"
#include "runtime/container.h"

namespace bale::project {

struct Member {
  std::string name;
  runtime::ContainerSpec spec;
};

// One command with the caller's terminal: Ctrl-C reaches it (and only it) from the terminal,
// SIGTERM and SIGHUP sent to bale are passed on. Returns its exit status (128+N for signal N).
int run_foreground(const runtime::ContainerSpec& spec);

// The group under `how`. Output lines are prefixed with the child's name. SIGINT, SIGTERM or
// SIGHUP to bale stops the group: SIGTERM to each child, SIGKILL after the grace period; the
// status is then 128+N.
int supervise(const std::vector<Member>& members, const Supervise& how);

}  // namespace bale::project
