// The init of a command's PID namespace (see launch.h).
#include "project/launch.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "base/error.h"
#include "runtime/exec.h"

namespace bale::project {

namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

volatile pid_t g_command = 0;

// A signal the terminal sent (SI_KERNEL) went to the whole foreground process group, the
// command included: forwarding it would deliver it twice.
void forward(int sig, siginfo_t* info, void*) {
  if (info->si_code != SI_KERNEL && g_command > 0) kill(g_command, sig);
}

sigset_t blocked_set() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : kForwarded) sigaddset(&set, s);
  sigaddset(&set, SIGCHLD);
  return set;
}

// The write end stays open in bale (and only there) for its whole life: when bale is gone, the
// read end says so.
int g_alive[2] = {-1, -1};

void unblock_all() {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

[[noreturn]] void exec_command(const runtime::ContainerSpec& spec, int output_fd) {
  for (int s : kForwarded) signal(s, SIG_DFL);
  signal(SIGCHLD, SIG_DFL);
  unblock_all();
  if (output_fd >= 0) {
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null >= 0) dup2(null, 0);
    dup2(output_fd, 1);
    dup2(output_fd, 2);
  }
  try {
    runtime::enter_and_exec(spec);
  } catch (const Error& e) {
    std::fprintf(stderr, "bale: %s\n", e.what());
    if (!e.hint().empty()) std::fprintf(stderr, "  hint: %s\n", e.hint().c_str());
    _exit(e.before_target().exit_code());
  }
}

[[noreturn]] void init(const runtime::ContainerSpec& spec, int output_fd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  close(g_alive[1]);
  pollfd pf{g_alive[0], POLLIN, 0};
  if (poll(&pf, 1, 0) != 0) _exit(kExitBeforeTarget);  // bale died before the line above
  struct sigaction sa {};
  sa.sa_sigaction = forward;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  for (int s : kForwarded) sigaction(s, &sa, nullptr);
  signal(SIGCHLD, SIG_DFL);
  pid_t child = fork();
  if (child < 0) _exit(kExitBeforeTarget);
  if (child == 0) exec_command(spec, output_fd);
  g_command = child;
  if (output_fd >= 0) close(output_fd);
  unblock_all();
  runtime::exit_with_child(child);
}

}  // namespace

void block_signals() {
  sigset_t set = blocked_set();
  if (sigprocmask(SIG_BLOCK, &set, nullptr) < 0) throw_sys("sigprocmask", "");
}

pid_t launch(const runtime::ContainerSpec& spec, int output_fd) {
  if (g_alive[0] < 0 && pipe2(g_alive, O_CLOEXEC) < 0) throw_sys("pipe", "");
  std::fflush(nullptr);  // nothing buffered may be written twice
  // A fork into a new PID namespace (bale is single-threaded here).
  long pid = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) throw_sys("clone", "a PID namespace for the command");
  if (pid == 0) init(spec, output_fd);
  return static_cast<pid_t>(pid);
}

}  // namespace bale::project
