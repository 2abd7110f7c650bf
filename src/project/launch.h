// One command's process tree: a new PID namespace whose PID 1 is a small init of bale's. The
// init reaps orphans, forwards the signals bale sends it to the command (not those the
// terminal sent to the whole foreground group, which the command got itself), and exits with
// the command's status; its exit makes the kernel kill whatever is left in the namespace. It
// dies with bale (parent-death signal), so `kill -9` of bale leaves no process behind.
#pragma once

#include <sys/types.h>

#include "runtime/container.h"

namespace bale::project {

// The signals the caller must block before launch (and read with signalfd).
void block_signals();

// Starts `spec` and returns the init's PID. `output_fd` >= 0 becomes the command's stdout and
// stderr (and stdin is /dev/null); -1 leaves it the caller's terminal.
pid_t launch(const runtime::ContainerSpec& spec, int output_fd);

}  // namespace bale::project
