// The event loop over children's exits, their output and bale's own signals (see supervise.h).
#include "project/supervise.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <memory>

#include "base/error.h"
#include "base/fd.h"
#include "project/launch.h"
#include "project/prefix.h"

namespace bale::project {

namespace {

using Clock = std::chrono::steady_clock;

int status_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

UniqueFd signal_fd(int flags = 0) {
  block_signals();
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&set, s);
  int fd = signalfd(-1, &set, SFD_CLOEXEC | flags);
  if (fd < 0) throw_sys("signalfd", "");
  return UniqueFd(fd);
}

struct Child {
  const Member* member = nullptr;
  std::unique_ptr<LinePrefixer> out;
  pid_t pid = -1;        // its init, while it runs
  UniqueFd pipe;         // read end of its output, until EOF
  Clock::time_point started, restart_at;
  bool restart_pending = false;
  double backoff = 1;    // seconds before the next restart
};

class Group {
 public:
  Group(const std::vector<Member>& members, const Supervise& how) : how_(how), sig_(signal_fd(SFD_NONBLOCK)) {
    size_t width = 0;
    for (const auto& m : members) width = std::max(width, m.name.size());
    bool colour = isatty(1);
    for (size_t i = 0; i < members.size(); i++) {
      Child& c = children_.emplace_back();
      c.member = &members[i];
      c.out = std::make_unique<LinePrefixer>(members[i].name, width, static_cast<int>(i), colour);
    }
  }

  int run() {
    for (auto& c : children_) start(c);
    while (busy()) step();
    return code_;
  }

 private:
  void start(Child& c) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) throw_sys("pipe", "");
    UniqueFd wr(fds[1]);
    c.pipe = UniqueFd(fds[0]);
    c.pid = launch(c.member->spec, wr.get());
    c.started = Clock::now();
    c.restart_pending = false;
  }

  bool busy() const {
    for (const auto& c : children_)
      if (c.pid > 0 || c.pipe || c.restart_pending) return true;
    return false;
  }

  void stop(int code) {
    if (stopping_) return;
    stopping_ = true;
    code_ = code;
    kill_at_ = Clock::now() + std::chrono::milliseconds(static_cast<long>(how_.grace_seconds * 1000));
    for (auto& c : children_) {
      c.restart_pending = false;
      if (c.pid > 0) kill(c.pid, SIGTERM);
    }
  }

  void exited(Child& c, int code) {
    c.pid = -1;
    if (stopping_) return;
    if (how_.mode == SuperviseMode::kRestart) {
      double ran = std::chrono::duration<double>(Clock::now() - c.started).count();
      if (ran >= 10) c.backoff = 1;  // it ran a while: start the back-off over
      std::fprintf(stderr, "bale: %s exited with %d; restarting in %gs\n", c.member->name.c_str(), code, c.backoff);
      c.restart_pending = true;
      c.restart_at = Clock::now() + std::chrono::milliseconds(static_cast<long>(c.backoff * 1000));
      c.backoff = std::min(c.backoff * 2, 30.0);
      return;
    }
    if (how_.mode == SuperviseMode::kWaitAllSuccessful && code == 0) return;
    if (children_.size() > 1)
      std::fprintf(stderr, "bale: %s exited with %d; stopping the others\n", c.member->name.c_str(), code);
    stop(code);
  }

  void on_signal() {
    signalfd_siginfo si;
    while (read(sig_.get(), &si, sizeof si) == sizeof si) {
      if (si.ssi_signo != SIGCHLD) {
        stop(128 + static_cast<int>(si.ssi_signo));
        continue;
      }
      int status;
      pid_t w;
      while ((w = waitpid(-1, &status, WNOHANG)) > 0)
        for (auto& c : children_)
          if (c.pid == w) exited(c, status_code(status));
    }
  }

  int timeout_ms() const {
    Clock::time_point next = Clock::time_point::max();
    if (stopping_) next = kill_at_;
    for (const auto& c : children_)
      if (c.restart_pending) next = std::min(next, c.restart_at);
    if (next == Clock::time_point::max()) return -1;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
    return ms < 0 ? 0 : static_cast<int>(ms) + 1;
  }

  void on_time() {
    Clock::time_point now = Clock::now();
    if (stopping_ && now >= kill_at_)
      for (auto& c : children_)
        if (c.pid > 0) kill(c.pid, SIGKILL);
    for (auto& c : children_)
      if (c.restart_pending && now >= c.restart_at && !c.pipe) start(c);
  }

  void step() {
    std::vector<pollfd> pfds{{sig_.get(), POLLIN, 0}};
    std::vector<Child*> owners{nullptr};
    for (auto& c : children_)
      if (c.pipe) {
        pfds.push_back({c.pipe.get(), POLLIN, 0});
        owners.push_back(&c);
      }
    int n = poll(pfds.data(), pfds.size(), timeout_ms());
    if (n < 0 && errno != EINTR) throw_sys("poll", "");
    for (size_t i = 1; i < pfds.size(); i++)
      if (pfds[i].revents) drain(*owners[i]);
    if (pfds[0].revents) on_signal();
    on_time();
  }

  void drain(Child& c) {
    char buf[16384];
    ssize_t n = read(c.pipe.get(), buf, sizeof buf);
    if (n > 0) {
      c.out->feed(buf, static_cast<size_t>(n));
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      c.out->finish();
      c.pipe.reset();
    }
  }

  const Supervise& how_;
  UniqueFd sig_;
  std::vector<Child> children_;
  bool stopping_ = false;
  int code_ = 0;
  Clock::time_point kill_at_;
};

}  // namespace

int run_foreground(const runtime::ContainerSpec& spec) {
  UniqueFd sig = signal_fd();
  pid_t init = launch(spec, -1);
  for (;;) {
    signalfd_siginfo si;
    ssize_t n = read(sig.get(), &si, sizeof si);
    if (n < 0 && errno == EINTR) continue;
    if (n != sizeof si) throw_sys("read", "signalfd");
    if (si.ssi_signo == SIGCHLD) {
      int status;
      pid_t w;
      while ((w = waitpid(-1, &status, WNOHANG)) > 0)
        if (w == init) return status_code(status);
      continue;
    }
    // The terminal's Ctrl-C and Ctrl-\ went to the command as well: it decides what they mean.
    if (si.ssi_code == SI_KERNEL && (si.ssi_signo == SIGINT || si.ssi_signo == SIGQUIT)) continue;
    kill(init, static_cast<int>(si.ssi_signo));
  }
}

int supervise(const std::vector<Member>& members, const Supervise& how) {
  return Group(members, how).run();
}

}  // namespace bale::project
