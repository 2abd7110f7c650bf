// The app in the guest: found with its own PATH, forked with its ids, directory and a pty or
// pipes, and relayed to and from bale's frames until it has exited.
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "guest.h"

using bale::vm::AppSpec;
using bale::vm::Frame;
using bale::vm::FrameReader;
using bale::vm::FrameType;

namespace guest {

namespace {

std::string path_of(const AppSpec& s) {
  for (const auto& e : s.env)
    if (e.rfind("PATH=", 0) == 0) return e.substr(5);
  return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

// argv[0] as execvpe finds it, with the app's own PATH; "" when there is none.
std::string lookup(const AppSpec& s) {
  const std::string& a0 = s.argv[0];
  if (a0.find('/') != std::string::npos) return a0;
  std::string path = path_of(s);
  size_t i = 0;
  while (i <= path.size()) {
    size_t c = path.find(':', i);
    if (c == std::string::npos) c = path.size();
    std::string dir = path.substr(i, c - i);
    std::string full = (dir.empty() ? "." : dir) + "/" + a0;
    struct stat st;
    if (stat(full.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return full;
    i = c + 1;
  }
  return "";
}

void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Reads what is there of `fd` and sends it as `t`; false at its end.
bool relay_out(int fd, FrameType t) {
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      send(t, std::string(buf, n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    return false;  // EOF, or EIO: a pty whose last slave closed
  }
}

}  // namespace

// Forks the app. What fails before its execve comes back as an errno through a CLOEXEC pipe.
Child start_app(const AppSpec& s) {
  std::string exe = lookup(s);
  if (exe.empty()) die(127, "'" + s.argv[0] + "': executable file not found in PATH (" + path_of(s) + ")");
  int p_in[2] = {-1, -1}, p_out[2] = {-1, -1}, p_err[2] = {-1, -1}, status[2];
  int master = -1;
  std::string slave;
  if (s.tty) {
    master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) || unlockpt(master)) die(125, errno_text("open", "/dev/ptmx"));
    slave = ptsname(master);
    winsize ws{s.rows, s.cols, 0, 0};
    ioctl(master, TIOCSWINSZ, &ws);
  } else if (pipe2(p_in, O_CLOEXEC) || pipe2(p_out, O_CLOEXEC) || pipe2(p_err, O_CLOEXEC)) {
    die(125, errno_text("pipe", "stdio"));
  }
  if (pipe2(status, O_CLOEXEC)) die(125, errno_text("pipe", "status"));
  std::vector<char*> argv, envp;
  for (const auto& a : s.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : s.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  std::vector<gid_t> groups(s.groups.begin(), s.groups.end());
  pid_t pid = fork();
  if (pid < 0) die(125, errno_text("fork", s.argv[0]));
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    setsid();
    if (s.tty) {
      int fd = open(slave.c_str(), O_RDWR);
      if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) != 0) goto fail;
      dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
      if (fd > 2) close(fd);
    } else {
      dup2(p_in[0], 0), dup2(p_out[1], 1), dup2(p_err[1], 2);
    }
    if (setgroups(groups.size(), groups.data()) || setgid(s.gid) || setuid(s.uid)) goto fail;
    if (chdir(s.workdir.c_str()) != 0) goto fail;
    execve(exe.c_str(), argv.data(), envp.data());
  fail:
    int e = errno;
    if (write(status[1], &e, sizeof e) < 0) {
    }
    _exit(127);
  }
  close(status[1]);
  int e = 0;
  ssize_t n;
  while ((n = read(status[0], &e, sizeof e)) < 0 && errno == EINTR) {
  }
  close(status[0]);
  if (n == sizeof e) {
    waitpid(pid, nullptr, 0);
    errno = e;
    int code = (e == ENOENT) ? 127 : (e == EACCES || e == ENOEXEC) ? 126 : 125;
    die(code, errno_text("exec", exe) + " (workdir '" + s.workdir + "', uid " +
                  std::to_string(s.uid) + ")");
  }
  Child c;
  c.pid = pid;
  if (s.tty) {
    c.in = c.out = master;
  } else {
    close(p_in[0]), close(p_out[1]), close(p_err[1]);
    c.in = p_in[1], c.out = p_out[0], c.err = p_err[0];
    set_nonblock(c.err);
  }
  set_nonblock(c.in);
  if (c.out != c.in) set_nonblock(c.out);
  return c;
}

// Relays until the app has exited and its output is drained; returns its wait status.
int supervise(Child& c, FrameReader& reader, int sigfd) {
  std::string to_app;  // stdin not yet written
  bool stdin_eof = false, out_open = true, err_open = c.err >= 0;
  int status = -1;
  bool buffered = true;
  char buf[65536];
  while (status < 0 || out_open || err_open) {
    if (status >= 0) {  // exited: what it wrote is in the pipes already; do not wait for more
      if (out_open) relay_out(c.out, FrameType::kStdout);
      if (err_open) relay_out(c.err, FrameType::kStderr);
      break;
    }
    pollfd p[5];
    int n = 0;
    p[n++] = {g_chan, static_cast<short>(to_app.size() < (1u << 20) ? POLLIN : 0), 0};
    p[n++] = {sigfd, POLLIN, 0};
    int i_out = out_open ? n : -1;
    if (out_open) p[n++] = {c.out, POLLIN, 0};
    int i_err = err_open ? n : -1;
    if (err_open) p[n++] = {c.err, POLLIN, 0};
    int i_in = -1;
    if (!to_app.empty() && c.in >= 0) {
      if (c.in == c.out && i_out >= 0) {
        p[i_out].events |= POLLOUT;
        i_in = i_out;
      } else {
        i_in = n;
        p[n++] = {c.in, POLLOUT, 0};
      }
    }
    // The frames that came in the same read as the spec (stdin, its end) wait in `reader`:
    // the first round takes them without waiting for the channel.
    if (poll(p, n, buffered ? 0 : -1) < 0) continue;
    bool chan = p[0].revents & (POLLIN | POLLHUP | POLLERR);
    if (chan || buffered) {
      buffered = false;
      if (chan) {
        ssize_t r = read(g_chan, buf, sizeof buf);
        if (r > 0) reader.feed(buf, r);
      }
      Frame f;
      bool bad = false;
      while (reader.next(f, bad)) {
        if (f.type == FrameType::kStdin) to_app += f.payload;
        if (f.type == FrameType::kStdinEof) stdin_eof = true;
        if (f.type == FrameType::kSignal) kill(c.pid, atoi(f.payload.c_str()));
        if (f.type == FrameType::kWinsize && c.in == c.out) {
          unsigned r2 = 0, c2 = 0;
          if (sscanf(f.payload.c_str(), "%u %u", &r2, &c2) == 2) {
            winsize ws{static_cast<unsigned short>(r2), static_cast<unsigned short>(c2), 0, 0};
            ioctl(c.out, TIOCSWINSZ, &ws);
          }
        }
      }
    }
    if (i_in >= 0 && (p[i_in].revents & (POLLOUT | POLLERR))) {
      ssize_t w = write(c.in, to_app.data(), to_app.size());
      if (w > 0) to_app.erase(0, w);
      if (w < 0 && errno == EPIPE) to_app.clear();
    }
    // stdin-eof once everything before it is written: close the pipe (a terminal has no EOF
    // but ^D, which the host's raw terminal sends as a byte).
    if (stdin_eof && to_app.empty() && c.in >= 0 && c.in != c.out) {
      close(c.in);
      c.in = -1;
    }
    if (i_out >= 0 && (p[i_out].revents & (POLLIN | POLLHUP | POLLERR)))
      out_open = relay_out(c.out, FrameType::kStdout);
    if (i_err >= 0 && (p[i_err].revents & (POLLIN | POLLHUP | POLLERR)))
      err_open = relay_out(c.err, FrameType::kStderr);
    if (p[1].revents & POLLIN) {
      signalfd_siginfo si;
      while (read(sigfd, &si, sizeof si) == sizeof si) {
      }
      int st;
      pid_t w;
      while ((w = waitpid(-1, &st, WNOHANG)) > 0)  // PID 1 reaps every orphan
        if (w == c.pid) status = st;
    }
  }
  return status;
}

}  // namespace guest
