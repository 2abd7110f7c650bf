// What `bale ps`, `bale exec` and `bale stop` know of running containers without a daemon: a
// small record `bale run` writes just before it becomes the target, named by the PID the target
// keeps. The process itself is the truth: a record counts only while a process with that PID and
// the recorded start time (/proc/PID/stat) is alive, so a container killed with -9, or a PID
// reused by another process, leaves a stale record that the next reader removes. The directory is
// on /run, a tmpfs, so a reboot clears it too.
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "base/fd.h"

namespace bale::runtime {

struct RunRecord {
  std::string name;    // --name, or "" (the container is then known by its PID)
  std::string image;   // as given to `bale run`
  std::string digest;  // sha256:... of the image file
  pid_t pid = 0;
  unsigned long long start_ticks = 0;  // /proc/PID/stat field 22: tells a reused PID apart
  long long started = 0;               // wall clock, seconds since the epoch
  std::vector<std::string> argv;       // the target's command line
  std::string workdir = "/", user;     // as the target was started (exec's defaults)
  std::string stop_signal;             // the image's StopSignal, or "" (SIGTERM)
};

// BALE_RUN_DIR, else /run/bale/containers for root, $XDG_RUNTIME_DIR/bale/containers for
// others (~/.local/state/bale/containers without one). Decided once, at the first call: call it
// before entering a user namespace, where every caller looks like root.
std::string run_record_dir();

// The start time of process `pid` in clock ticks since boot; nullopt when there is none (or only
// a zombie: it exited and waits to be reaped).
std::optional<unsigned long long> process_start_ticks(pid_t pid);

// Writes `r` for the calling process (its PID and start time are filled in). With a name, fails
// (bale::Error, nothing written) while another live container has that name.
void write_run_record(RunRecord r);

// The NUL-separated strings of /proc/PID/FILE (cmdline, environ); nullopt when there is no
// such process.
std::optional<std::vector<std::string>> proc_strings(pid_t pid, const char* file);

// A pidfd on exactly the recorded process: an empty fd when it is gone (exited, or its PID now
// another process's: the start time is checked after the pidfd is taken). Throws only when
// pidfd_open fails otherwise.
UniqueFd open_recorded_process(const RunRecord& r);

// The live containers that have a record (named ones), without the walk over /proc that finds
// the others: what a lookup by name needs. Stale records are removed on the way.
std::vector<RunRecord> recorded_containers();

// The live containers, oldest first; stale records are removed on the way.
std::vector<RunRecord> live_containers();

// The container named `ref`, else with PID `ref`; throws bale::Error saying which it looked for
// and why none matched (no such name, no such process, a process that is not a bale container).
RunRecord find_container(const std::string& ref);

}  // namespace bale::runtime
