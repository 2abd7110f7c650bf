// The host's relay loop of a VM (see session.h).
#include "vm/session.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "vm/terminal.h"

namespace bale::vm {

int64_t monotonic_us() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

void LogTail::feed(std::string_view data) {
  for (char c : data) {
    if (c == '\r') continue;
    if (c != '\n') {
      if (partial_.size() < 4096) partial_.push_back(c);
      continue;
    }
    if (panic_.empty() && partial_.find("Kernel panic") != std::string::npos) panic_ = partial_;
    lines_.push_back(std::move(partial_));
    partial_.clear();
    if (lines_.size() > kLines) lines_.pop_front();
  }
}

std::string LogTail::text() const {
  std::string out;
  bool panic_shown = panic_.empty();
  for (const auto& l : lines_) panic_shown = panic_shown || l == panic_;
  if (!panic_shown) out += panic_ + "\n...\n";
  for (const auto& l : lines_) out += l + "\n";
  if (!partial_.empty()) out += partial_ + "\n";
  return out;
}

namespace {

// Writes all of `data` to the caller's stdout or stderr; false once that is gone (EPIPE).
bool write_out(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      poll(&p, 1, -1);
      continue;
    }
    if (n <= 0) return false;
    data.remove_prefix(n);
  }
  return true;
}

// "key=value key=value" of the guest's times.
int64_t time_field(const std::string& payload, const char* key) {
  std::string k = std::string(key) + "=";
  size_t at = payload.find(k);
  if (at == std::string::npos) return 0;
  return std::strtoll(payload.c_str() + at + k.size(), nullptr, 10);
}

constexpr size_t kQueueLimit = 1u << 20;  // stdin bytes bale holds before it stops reading
// After a guest kernel panic, the time its last lines get to reach the console before bale
// ends the VM itself: the guest's own restart can hang under TCG.
constexpr int64_t kPanicGraceUs = 1500000;

}  // namespace

bool Session::pump_logs(short revents, int fd) {
  if (!(revents & (POLLIN | POLLHUP | POLLERR))) return true;
  char buf[8192];
  ssize_t n = read(fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  log_.feed(std::string_view(buf, n));
  return true;
}

bool Session::handle_signals() {
  signalfd_siginfo si;
  while (read(fds_.signals, &si, sizeof si) == sizeof si) {
    int sig = static_cast<int>(si.ssi_signo);
    if (sig == SIGCHLD) {
      int st;
      if (waitpid(fds_.qemu, &st, WNOHANG) == fds_.qemu) {
        qemu_gone_ = true;
        result_.phases.reaped = monotonic_us();
      }
    } else if (sig == SIGWINCH) {
      if (started_ && app_.tty) {
        uint16_t rows, cols;
        window_size(0, rows, cols);
        encode_frame(to_guest_, FrameType::kWinsize, std::to_string(rows) + " " + std::to_string(cols));
      }
    } else if (!started_) {
      result_.outcome = Outcome::kInterrupt;
      result_.code = 128 + sig;
      return false;
    } else {
      encode_frame(to_guest_, FrameType::kSignal, std::to_string(sig));
    }
  }
  return true;
}

void Session::on_frame(const Frame& f) {
  switch (f.type) {
    case FrameType::kReady:
      if (started_) return;
      result_.ready = true;
      result_.phases.ready = monotonic_us();
      result_.phases.guest_init = time_field(f.payload, "init");
      result_.phases.guest_modules = time_field(f.payload, "modules");
      result_.phases.guest_mounts = time_field(f.payload, "mounts");
      encode_frame(to_guest_, FrameType::kStart, encode_spec(app_));
      started_ = true;
      break;
    case FrameType::kStdout:
      if (stdout_ok_) stdout_ok_ = write_out(1, f.payload);
      break;
    case FrameType::kStderr:
      if (stderr_ok_) stderr_ok_ = write_out(2, f.payload);
      break;
    case FrameType::kExit:
      result_.outcome = Outcome::kExit;
      result_.code = std::atoi(f.payload.c_str());
      result_.phases.exit = monotonic_us();
      result_.phases.guest_app = time_field(f.payload, "app");
      result_.phases.guest_exit = time_field(f.payload, "exit");
      done_ = true;
      break;
    case FrameType::kError: {
      result_.outcome = Outcome::kError;
      result_.code = std::atoi(f.payload.c_str());
      size_t sp = f.payload.find(' ');
      result_.message = sp == std::string::npos ? f.payload : f.payload.substr(sp + 1);
      result_.phases.exit = monotonic_us();
      done_ = true;
      break;
    }
    case FrameType::kVolume: {
      VolumeChange c;
      if (volumes_ && decode_volume_change(f.payload, c)) volumes_->apply(c);
      break;
    }
    default:
      break;  // a type this bale does not know: ignored
  }
}

void Session::read_stdin() {
  char buf[65536];
  ssize_t n = read(0, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    stdin_open_ = false;
    if (!app_.tty) encode_frame(to_guest_, FrameType::kStdinEof, {});
    return;
  }
  encode_frame(to_guest_, FrameType::kStdin, std::string_view(buf, n));
}

void Session::flush_channel() {
  while (!to_guest_.empty()) {
    ssize_t n = write(fds_.channel, to_guest_.data(), to_guest_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {  // the VM is gone; the loop sees QEMU end
      to_guest_.clear();
      return;
    }
    to_guest_.erase(0, n);
  }
}

Result Session::run(int ready_timeout_ms) {
  signal(SIGPIPE, SIG_IGN);  // a closed stdout is a write error here, not bale's death
  int64_t deadline = ready_timeout_ms > 0 ? monotonic_us() + ready_timeout_ms * 1000LL : 0;
  char buf[65536];
  int64_t panic_at = 0;
  while (!done_ && !qemu_gone_) {
    pollfd p[6];
    int n = 0;
    short chan_events = POLLIN | (to_guest_.empty() ? 0 : POLLOUT);
    p[n++] = {channel_open_ ? fds_.channel : -1, chan_events, 0};
    p[n++] = {console_open_ ? fds_.console : -1, POLLIN, 0};
    p[n++] = {output_open_ ? fds_.qemu_output : -1, POLLIN, 0};
    p[n++] = {fds_.signals, POLLIN, 0};
    bool want_stdin = started_ && stdin_open_ && to_guest_.size() < kQueueLimit;
    p[n++] = {want_stdin ? 0 : -1, POLLIN, 0};
    int timeout = -1;
    if (panic_at == 0 && log_.panicked()) panic_at = monotonic_us();
    if (panic_at) {
      int64_t left = panic_at + kPanicGraceUs - monotonic_us();
      if (left <= 0) break;  // kDied: the log says why
      timeout = static_cast<int>(left / 1000) + 1;
    } else if (!result_.ready && deadline) {
      int64_t left = deadline - monotonic_us();
      if (left <= 0) {
        result_.outcome = Outcome::kNoReady;
        break;
      }
      timeout = static_cast<int>(left / 1000) + 1;
    }
    int r = poll(p, n, timeout);
    if (r < 0 && errno == EINTR) continue;
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t got = read(fds_.channel, buf, sizeof buf);
      if (got > 0) {
        reader_.feed(buf, got);
        Frame f;
        bool bad = false;
        while (!done_ && reader_.next(f, bad)) on_frame(f);
        if (bad) {
          result_.message = "a broken frame from the guest";
          break;
        }
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        channel_open_ = false;
      }
    }
    if (p[0].revents & POLLOUT) flush_channel();
    if (!pump_logs(p[1].revents, fds_.console)) console_open_ = false;
    if (!pump_logs(p[2].revents, fds_.qemu_output)) output_open_ = false;
    if ((p[3].revents & POLLIN) && !handle_signals()) break;
    if (p[4].revents & (POLLIN | POLLHUP | POLLERR)) read_stdin();
    if (!to_guest_.empty()) flush_channel();
  }
  finish();
  return result_;
}

// Ends the VM: after the exit message nothing in it is worth a clean shutdown (its root is
// read-only, its writes in a tmpfs), so QEMU is killed, reaped, and what remains of its
// output is read for the log.
void Session::finish() {
  if (!qemu_gone_) {
    bool reaped = false;
    // Died on its own? Give QEMU a moment to write its last words before it is ended.
    for (int i = 0; !done_ && !reaped && i < 20; i++) {
      reaped = waitpid(fds_.qemu, nullptr, WNOHANG) == fds_.qemu;
      if (!reaped) usleep(10000);
    }
    if (!reaped) {
      kill(fds_.qemu, SIGKILL);
      while (waitpid(fds_.qemu, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
    result_.phases.reaped = monotonic_us();
  }
  // A message QEMU passed on just before it ended is still in the socket.
  char buf[65536];
  ssize_t got;
  while (!done_ && channel_open_ && (got = read(fds_.channel, buf, sizeof buf)) > 0) {
    reader_.feed(buf, got);
    Frame f;
    bool bad = false;
    while (!done_ && reader_.next(f, bad)) on_frame(f);
  }
  // What the console and QEMU wrote before the end (a panic's lines) is still buffered.
  for (int fd : {fds_.console, fds_.qemu_output}) {
    pollfd p{fd, POLLIN, 0};
    while (poll(&p, 1, 0) > 0 && pump_logs(p.revents, fd)) {
    }
  }
}

}  // namespace bale::vm
