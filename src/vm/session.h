// The host's side of one VM's life: wait for the guest's ready message, send the app's spec,
// then relay stdin, stdout, stderr, window size and signals as frames until the exit message;
// meanwhile keep the last lines of the guest's console and of QEMU's own output.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <string>

#include "vm/frame.h"
#include "vm/volume_apply.h"

namespace bale::vm {

// The last lines of a byte stream (the guest console, QEMU's messages).
class LogTail {
 public:
  static constexpr size_t kLines = 25;
  void feed(std::string_view data);
  // The lines, each ending in '\n'; a kernel panic's first line ahead of them when it has
  // scrolled out behind its stack trace.
  std::string text() const;
  bool panicked() const { return !panic_.empty(); }

 private:
  std::deque<std::string> lines_;
  std::string panic_;
  std::string partial_;
};

struct Phases {  // microseconds
  int64_t spawn = 0, ready = 0, exit = 0, reaped = 0;  // host, CLOCK_MONOTONIC
  int64_t guest_init = 0, guest_modules = 0, guest_mounts = 0, guest_app = 0,
          guest_exit = 0;  // guest, CLOCK_BOOTTIME: since its kernel started
};

enum class Outcome {
  kExit,       // the app ran; `code` is its status
  kError,      // the guest could not start it; `code` and `message` say why
  kDied,       // the guest or QEMU ended without an exit message
  kNoReady,    // no ready message within the watchdog time (the VM was killed)
  kInterrupt,  // a signal to bale before the app started (the VM was killed); `code` 128+N
};

struct Result {
  Outcome outcome = Outcome::kDied;
  int code = 125;
  std::string message;
  Phases phases;
  bool ready = false;  // the guest got as far as its ready message
};

struct SessionFds {
  int channel, console, qemu_output, signals;  // signals: a signalfd of INT TERM HUP WINCH CHLD
  pid_t qemu;
};

class Session {
 public:
  // `volumes` (may be null) takes the rw volumes' changes the guest sends back.
  Session(SessionFds fds, AppSpec app, int64_t spawned_us, VolumeApplier* volumes)
      : fds_(fds), app_(std::move(app)), volumes_(volumes) {
    result_.phases.spawn = spawned_us;
  }
  // Runs to the end; `ready_timeout_ms` (0: none) bounds the wait for the ready message. QEMU
  // is killed and reaped before it returns.
  Result run(int ready_timeout_ms);
  const LogTail& log() const { return log_; }

 private:
  bool pump_logs(short revents, int fd);
  bool handle_signals();  // false: end the VM now (before the start)
  void on_frame(const Frame& f);
  void read_stdin();
  void flush_channel();
  void finish();

  SessionFds fds_;
  AppSpec app_;
  VolumeApplier* volumes_;
  Result result_;
  LogTail log_;
  FrameReader reader_;
  std::string to_guest_;
  bool started_ = false, done_ = false, stdin_open_ = true, qemu_gone_ = false;
  bool stdout_ok_ = true, stderr_ok_ = true;
  bool console_open_ = true, output_open_ = true, channel_open_ = true;
};

int64_t monotonic_us();

}  // namespace bale::vm
