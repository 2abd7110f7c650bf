// One RUN step in PID and mount namespaces of its own (see run_step.h).
#include "builder/run_step.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "runtime/container.h"
#include "runtime/exec.h"
#include "runtime/mounts.h"
#include "runtime/recipe.h"

namespace bale::builder {

namespace {

volatile sig_atomic_t g_interrupted = 0;

void on_interrupt(int sig) { g_interrupted = sig; }

// Files of the host's name service the step sees (copies: a step may change its view of them,
// never the host's files nor the image).
constexpr const char* kHostFiles[] = {"/etc/resolv.conf", "/etc/hosts"};

// The mtimes of the directories that hold bale's mountpoints: creating and removing a
// mountpoint changes them, and the image must not show that it was ever there.
struct DirTimes {
  std::string path;
  timespec before{}, after{};  // before bale created anything in it, and right after
};

struct Prepared {
  UniqueFd root;
  std::vector<std::string> created;  // mountpoints bale made, to take out again afterwards
  std::vector<std::pair<std::string, std::string>> host_files;  // copy, path in the container
  std::vector<DirTimes> dirs;
};

bool mtime_of(int root_fd, const std::string& path, timespec& out) {
  UniqueFd fd(open_in_root(root_fd, path, O_PATH | O_DIRECTORY));
  struct stat st;
  if (!fd || fstat(fd.get(), &st) < 0) return false;
  out = st.st_mtim;
  return true;
}

bool same_time(const timespec& a, const timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

// Every directory on the way to each of `targets` that exists now, with its mtime.
std::vector<DirTimes> ancestors(int root_fd, const std::vector<std::string>& targets) {
  std::vector<DirTimes> out;
  for (const auto& t : targets)
    for (std::string d = dirname_of(t);; d = dirname_of(d)) {
      bool seen = false;
      for (const auto& x : out) seen |= x.path == d;
      DirTimes dt{d};
      if (!seen && mtime_of(root_fd, d, dt.before)) out.push_back(dt);
      if (d == "/" || d.empty() || d == ".") break;
    }
  return out;
}

// Whether a mount puts a file (not a directory) on its target.
bool binds_file(const RunMount& m) {
  struct stat st;
  if (m.type != RunMount::Type::kBind) return false;
  int r = m.tree_fd >= 0 ? fstat(m.tree_fd, &st) : stat(m.source.c_str(), &st);
  return r == 0 && !S_ISDIR(st.st_mode);
}

Prepared prepare(const RunSpec& spec) {
  Prepared p;
  p.root = UniqueFd(open(spec.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!p.root) throw_sys("open", spec.root);
  int r = p.root.get();
  std::vector<std::string> targets(std::begin(runtime::kSystemMountpoints),
                                   std::end(runtime::kSystemMountpoints));
  for (const char* f : kHostFiles) targets.push_back(f);
  for (const auto& m : spec.mounts) targets.push_back(m.target);
  p.dirs = ancestors(r, targets);
  for (const char* d : runtime::kSystemMountpoints) runtime::mountpoint_in_root(r, d, false, &p.created);
  ScratchDir scratch(spec.scratch);
  for (const char* f : kHostFiles) {
    auto content = read_file_if_exists(f, 1 << 20);
    if (!content) continue;
    std::string copy = scratch.write(basename_of(f), *content, 0644);
    try {
      runtime::mountpoint_in_root(r, f, true, &p.created);
      p.host_files.emplace_back(copy, f);
    } catch (const Error&) {
      // A dangling symlink or a directory in its place: the step goes without it.
    }
  }
  for (const auto& m : spec.mounts) runtime::mountpoint_in_root(r, m.target, binds_file(m), &p.created);
  for (auto& d : p.dirs) mtime_of(r, d.path, d.after);
  // The working directory is created for good, as BuildKit does.
  runtime::mountpoint_in_root(r, spec.workdir, false);
  return p;
}

// Takes out the mountpoints bale created, innermost first, when the step left them empty, and
// gives the directories that held them their mtimes back unless the step changed them too.
std::vector<std::string> remove_mountpoints(int root_fd, const std::vector<std::string>& created,
                                            std::vector<DirTimes>& dirs) {
  std::vector<std::string> restored;
  std::vector<bool> untouched;
  for (const auto& d : dirs) {
    timespec now{};
    untouched.push_back(mtime_of(root_fd, d.path, now) && same_time(now, d.after) &&
                        !same_time(d.before, d.after));
  }
  for (auto it = created.rbegin(); it != created.rend(); ++it) {
    const std::string& path = *it;
    UniqueFd parent(open_in_root(root_fd, dirname_of(path), O_PATH | O_DIRECTORY));
    if (!parent) continue;
    std::string leaf = basename_of(path);
    struct stat st;
    if (fstatat(parent.get(), leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
    if (S_ISDIR(st.st_mode))
      unlinkat(parent.get(), leaf.c_str(), AT_REMOVEDIR);  // fails, as it should, if not empty
    else if (S_ISREG(st.st_mode) && st.st_size == 0)
      unlinkat(parent.get(), leaf.c_str(), 0);
  }
  for (size_t i = 0; i < dirs.size(); i++) {
    if (!untouched[i]) continue;
    UniqueFd fd(open_in_root(root_fd, dirs[i].path, O_PATH | O_DIRECTORY));
    timespec ts[2] = {{0, UTIME_OMIT}, dirs[i].before};
    if (fd && utimensat(fd.get(), "", ts, AT_EMPTY_PATH) == 0) restored.push_back(dirs[i].path);
  }
  return restored;
}

void loopback_up() {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) throw_sys("socket", "lo");
  UniqueFd guard(s);
  ifreq ifr{};
  std::strcpy(ifr.ifr_name, "lo");
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) throw_sys("get flags of", "lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) throw_sys("bring up", "lo");
}

// In the step's init (PID 1 of the new namespace), before pivot_root.
void setup_mounts(const RunSpec& spec, const Prepared& p) {
  // A fresh fd: one opened before the clone names the parent namespace's mount, where this
  // namespace may not mount.
  UniqueFd root(open(spec.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw_sys("open", spec.root);
  int r = root.get();
  // The step has a PID namespace of its own, so a proc of its own; a sysfs of its own only with
  // a network namespace too (--network none) when bale is rootless.
  runtime::mount_system_dirs(r, {.sys_read_only = true,
                                 .bind_proc = false,
                                 .bind_sys = !spec.network_none && !runtime::in_initial_user_namespace(),
                                 .shm_dir = ""});
  for (const auto& [copy, path] : p.host_files) runtime::bind_in_root(r, copy, path, true, false, false);
  for (const auto& m : spec.mounts) {
    if (m.type == RunMount::Type::kTmpfs) {
      runtime::mount_tmpfs_in_root(r, m.target, m.options);
      continue;
    }
    if (m.tree_fd >= 0)
      runtime::attach_in_root(r, m.tree_fd, m.target, binds_file(m));
    else
      runtime::bind_in_root(r, m.source, m.target, binds_file(m), m.read_only, true);
  }
  if (spec.network_none) loopback_up();
}

void report(int fd, const std::string& what) {
  if (write(fd, what.data(), what.size()) < 0) {}
}

std::string describe(const Error& e) {
  return e.hint().empty() ? e.what() : std::string(e.what()) + "\n" + e.hint();
}

// The command itself (PID 2). Never returns.
[[noreturn]] void exec_command(const RunSpec& spec, int err_fd) {
  try {
    runtime::ContainerSpec c;
    c.argv = spec.argv;
    c.env = spec.env;
    c.user = spec.user;
    c.workdir = spec.workdir;
    runtime::exec_target(runtime::prepare_exec(c), {});
  } catch (const Error& e) {
    report(err_fd, describe(e));
    _exit(e.before_target().exit_code());
  }
}

// PID 1 of the step: sets up the view, starts the command, reaps whatever gets orphaned, and
// exits with the command's status. Its exit makes the kernel kill every process left in the
// namespace. Never returns.
[[noreturn]] void step_init(const RunSpec& spec, const Prepared& p, int err_fd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  try {
    setup_mounts(spec, p);
    runtime::pivot_into(spec.root);
  } catch (const Error& e) {
    report(err_fd, "setting up the RUN step: " + describe(e));
    _exit(kExitBeforeTarget);
  }
  int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null >= 0) dup2(null, 0);
  dup2(spec.output_fd, 1);
  dup2(spec.output_fd, 2);
  pid_t child = fork();
  if (child < 0) {
    report(err_fd, fmt::format("fork: {}", std::strerror(errno)));
    _exit(kExitBeforeTarget);
  }
  if (child == 0) exec_command(spec, err_fd);
  close(err_fd);
  runtime::exit_with_child(child);
}

// Reads the step's error pipe to its end; an interrupt kills the step, which ends it.
std::string read_all(int fd, pid_t step) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, n);
    } else if (n < 0 && errno == EINTR) {
      if (g_interrupted) kill(step, SIGKILL);
    } else {
      return out;
    }
  }
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;  // no SA_RESTART: a blocked wait must see the interrupt
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

void check_interrupted() {
  if (g_interrupted)
    throw Error(fmt::format("interrupted by SIG{}", sigabbrev_np(g_interrupted)), EINTR,
                128 + g_interrupted);
}

RunOutcome run_step(const RunSpec& spec) {
  Prepared p = prepare(spec);
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) < 0) throw_sys("pipe", "");
  UniqueFd rd(pipe_fds[0]), wr(pipe_fds[1]);
  unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | (spec.network_none ? CLONE_NEWNET : 0);
  // A fork into new namespaces (bale is single-threaded while steps run).
  long pid = syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) throw_sys("clone", "RUN step namespaces");
  if (pid == 0) step_init(spec, p, wr.get());
  wr.reset();
  std::string error = read_all(rd.get(), static_cast<pid_t>(pid));
  int status = 0;
  while (waitpid(static_cast<pid_t>(pid), &status, 0) < 0) {
    if (errno != EINTR) throw_sys("wait for", "RUN step");
    kill(static_cast<pid_t>(pid), SIGKILL);
  }
  if (g_interrupted) kill(static_cast<pid_t>(pid), SIGKILL);
  std::vector<std::string> restored = remove_mountpoints(p.root.get(), p.created, p.dirs);
  check_interrupted();
  RunOutcome out;
  out.restored_dirs = std::move(restored);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  out.error = error;
  if (!error.empty() && error.starts_with("setting up")) throw Error(error, 0, kExitFailed);
  return out;
}

}  // namespace bale::builder
