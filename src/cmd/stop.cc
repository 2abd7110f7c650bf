// `bale stop NAME|PID... [-t SECONDS]`: what a supervisor does to stop a service, by hand: the
// image's StopSignal (SIGTERM when it has none), then SIGKILL when the time is up. The signals go
// through a pidfd, so a PID reused after the container exited is never hit.
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fd.h"
#include "cmd/commands.h"
#include "image/config.h"
#include "runtime/run_record.h"

namespace bale::cmd {

namespace {

// Whether the process exited within `ms` milliseconds (-1: wait for it).
bool wait_exit(int pidfd, int ms) {
  pollfd p{pidfd, POLLIN, 0};
  for (;;) {
    int n = poll(&p, 1, ms);
    if (n >= 0) return n > 0;
    if (errno != EINTR) throw_sys("poll", "pidfd");
  }
}

void send(int pidfd, int sig, const runtime::RunRecord& r) {
  if (syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) < 0 && errno != ESRCH)
    throw_sys(fmt::format("signal {}", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?"),
              fmt::format("PID {}", r.pid));
}

void stop_one(const std::string& ref, double timeout) {
  runtime::RunRecord r = runtime::find_container(ref);
  if (UniqueFd pidfd = runtime::open_recorded_process(r)) {
    int sig = image::signal_number(r.stop_signal.empty() ? "SIGTERM" : r.stop_signal).value_or(SIGTERM);
    send(pidfd.get(), sig, r);
    if (!wait_exit(pidfd.get(), static_cast<int>(timeout * 1000 + 0.5))) {
      send(pidfd.get(), SIGKILL, r);
      wait_exit(pidfd.get(), -1);
    }
  }
  runtime::live_containers();  // takes the record out
  std::printf("%s\n", r.name.empty() ? std::to_string(r.pid).c_str() : r.name.c_str());
}

}  // namespace

int stop(const StopOptions& o) {
  if (o.timeout < 0 || !std::isfinite(o.timeout))
    throw Error(fmt::format("-t {}: must be 0 or more seconds", o.timeout), 0, kExitUsage);
  int failed = 0;
  for (const auto& t : o.targets) {
    try {
      stop_one(t, o.timeout);
    } catch (const Error& e) {
      // Each is stopped on its own: one unknown name must not spare the others.
      std::fprintf(stderr, "bale stop: %s\n", e.what());
      if (!e.hint().empty()) std::fprintf(stderr, "  hint: %s\n", e.hint().c_str());
      failed = 1;
    }
  }
  return failed;
}

}  // namespace bale::cmd
