// bale's guest init: PID 1 of a `bale run --vm` microVM. It loads the modules listed in
// /modules (already in dependency order), finds the root disk and the channel by name, stacks
// a tmpfs over the read-only erofs root, moves into it, and runs the app the host describes,
// relaying its stdio as frames (src/vm/frame.h) until it exits. Then it reboots, which with
// QEMU's -no-reboot ends the VM. Static, no NSS, no exceptions.
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "vm/frame.h"
#include "vm/volume_change.h"

using bale::vm::AppSpec;
using bale::vm::encode_frame;
using bale::vm::Frame;
using bale::vm::FrameReader;
using bale::vm::FrameType;

namespace {

int g_chan = -1;

long long now_us() {
  timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

void log_console(const std::string& msg) {
  std::string line = "bale-init: " + msg + "\n";
  if (write(2, line.data(), line.size()) < 0) {
  }
}

// Writes all of `data` to the channel (blocking: the host always reads).
void send_raw(const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(g_chan, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd p{g_chan, POLLOUT, 0};
      poll(&p, 1, -1);
      continue;
    }
    if (n <= 0) return;
    off += n;
  }
}

void send(FrameType t, const std::string& payload) {
  std::string out;
  encode_frame(out, t, payload);
  send_raw(out);
}

[[noreturn]] void power_off() {
  // The last message may still be in QEMU's hands: bale ends the VM once it has it (its root is
  // read-only, its writes in a tmpfs). Reboot only if bale has not done so in a while.
  if (g_chan >= 0) {
    long long until = now_us() + 5000000;
    char buf[4096];
    for (long long left; (left = until - now_us()) > 0;) {
      pollfd p{g_chan, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left / 1000) + 1) <= 0) break;
      if (read(g_chan, buf, sizeof buf) <= 0) break;
    }
  }
  sync();
  reboot(RB_AUTOBOOT);  // QEMU runs with -no-reboot: a reboot ends it
  for (;;) pause();
}

// A failure before the app ran: to the host if the channel is up, else to the console (the
// host then shows the guest log). Ends the VM.
[[noreturn]] void die(int code, const std::string& msg) {
  if (g_chan >= 0)
    send(FrameType::kError, std::to_string(code) + " " + msg);
  else
    log_console(msg);
  power_off();
}

std::string errno_text(const std::string& op, const std::string& path) {
  return op + " '" + path + "': " + strerror(errno);
}

void must_mount(const char* src, const char* dst, const char* type, unsigned long flags,
                const char* data) {
  if (mount(src, dst, type, flags, data) != 0) die(125, errno_text(std::string("mount ") + type, dst));
}

std::string read_small(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  std::string s = n > 0 ? std::string(buf, n) : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

void load_modules() {
  std::string list = read_small("/modules");  // names one a line, dependencies first
  size_t i = 0;
  while (i < list.size()) {
    size_t nl = list.find('\n', i);
    if (nl == std::string::npos) nl = list.size();
    std::string path = "/lib/modules/" + list.substr(i, nl - i);
    i = nl + 1;
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) die(125, errno_text("open", path));
    // A compressed module (.ko.xz, .ko.zst, .ko.gz) the kernel decompresses itself.
    bool compressed = path.size() > 3 && path.substr(path.size() - 3) != ".ko";
    if (syscall(SYS_finit_module, fd, "", compressed ? 4 /* MODULE_INIT_COMPRESSED_FILE */ : 0) != 0 &&
        errno != EEXIST)
      die(125, errno_text("finit_module", path));
    close(fd);
  }
}

// The /sys/<cls> entry whose `attr` file reads `want`, polled for a while: devices probe
// asynchronously after their module loads.
std::string find_by_attr(const char* cls, const char* attr, const std::string& want) {
  for (int tries = 0; tries < 2000; tries++) {
    DIR* d = opendir(cls);
    if (d) {
      while (dirent* e = readdir(d)) {
        if (e->d_name[0] == '.') continue;
        if (read_small(std::string(cls) + "/" + e->d_name + "/" + attr) == want) {
          std::string name = e->d_name;
          closedir(d);
          return name;
        }
      }
      closedir(d);
    }
    usleep(5000);
  }
  die(125, std::string("no device in ") + cls + " with " + attr + " '" + want + "'");
}

void mount_root() {
  mkdir("/lower", 0755);
  mkdir("/rw", 0755);
  mkdir("/newroot", 0755);
  std::string disk = "/dev/" + find_by_attr("/sys/block", "serial", "bale-root");
  must_mount(disk.c_str(), "/lower", "erofs", MS_RDONLY, nullptr);
  must_mount("tmpfs", "/rw", "tmpfs", 0, "mode=0755");
  mkdir("/rw/upper", 0755);
  mkdir("/rw/work", 0755);
  must_mount("overlay", "/newroot", "overlay", 0,
             "lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work");
  // The usual API file systems, as `bale run` gives a container.
  for (const char* d : {"/newroot/proc", "/newroot/sys", "/newroot/dev", "/newroot/tmp"}) mkdir(d, 0755);
  must_mount("proc", "/newroot/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
  must_mount("sysfs", "/newroot/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
  must_mount("devtmpfs", "/newroot/dev", "devtmpfs", MS_NOSUID, "mode=0755");
  mkdir("/newroot/dev/pts", 0755);
  mkdir("/newroot/dev/shm", 01777);
  must_mount("devpts", "/newroot/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
             "newinstance,ptmxmode=0666,mode=0620");
  must_mount("tmpfs", "/newroot/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
  unlink("/newroot/dev/ptmx");
  if (symlink("pts/ptmx", "/newroot/dev/ptmx") != 0) {
  }
}

// The initramfs cannot be pivoted away from: move the new root over it and chroot.
void enter_root() {
  if (chdir("/newroot") != 0) die(125, errno_text("chdir", "/newroot"));
  must_mount(".", "/", nullptr, MS_MOVE, nullptr);
  if (chroot(".") != 0 || chdir("/") != 0) die(125, errno_text("chroot", "/newroot"));
}

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

void set_addr(sockaddr* sa, const char* ip) {
  auto* in = reinterpret_cast<sockaddr_in*>(sa);
  in->sin_family = AF_INET;
  inet_pton(AF_INET, ip, &in->sin_addr);
}

bool if_up(int sock, const char* name) {
  ifreq ifr{};
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl(sock, SIOCGIFFLAGS, &ifr) != 0) return false;
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  return ioctl(sock, SIOCSIFFLAGS, &ifr) == 0;
}

// QEMU's user networking (--network user) has fixed addresses: the guest 10.0.2.15/24, the
// gateway 10.0.2.2 (which is also the host's loopback), DNS 10.0.2.3. Without a network
// device (the default) only the loopback comes up.
void setup_network() {
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return;
  if_up(sock, "lo");
  if (access("/sys/class/net/eth0", F_OK) == 0) {
    ifreq ifr{};
    strncpy(ifr.ifr_name, "eth0", IFNAMSIZ - 1);
    set_addr(&ifr.ifr_addr, "10.0.2.15");
    if (ioctl(sock, SIOCSIFADDR, &ifr) != 0) die(125, errno_text("SIOCSIFADDR", "eth0"));
    set_addr(&ifr.ifr_netmask, "255.255.255.0");
    if (ioctl(sock, SIOCSIFNETMASK, &ifr) != 0) die(125, errno_text("SIOCSIFNETMASK", "eth0"));
    if (!if_up(sock, "eth0")) die(125, errno_text("SIOCSIFFLAGS", "eth0"));
    rtentry rt{};
    set_addr(&rt.rt_dst, "0.0.0.0");
    set_addr(&rt.rt_genmask, "0.0.0.0");
    set_addr(&rt.rt_gateway, "10.0.2.2");
    rt.rt_flags = RTF_UP | RTF_GATEWAY;
    if (ioctl(sock, SIOCADDRT, &rt) != 0) die(125, errno_text("SIOCADDRT", "default via 10.0.2.2"));
    mkdir("/etc", 0755);
    unlink("/etc/resolv.conf");  // the image's may be a symlink
    int fd = open("/etc/resolv.conf", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      const char text[] = "nameserver 10.0.2.3\n";
      if (write(fd, text, sizeof text - 1) < 0) {
      }
      close(fd);
    }
  }
  close(sock);
}

// mkdir -p, in the app's root.
void make_dirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); i++)
    if (i == path.size() || path[i] == '/') mkdir(path.substr(0, i).c_str(), 0755);
}

// Each volume's disk (serial bale-vol-N) at its path in the new root, before init moves into
// it: a ro one mounted as it is, a snapshot of the host directory taken when bale started the
// VM; a rw one under an overlay whose tmpfs upper holds the app's changes, which init sends
// back at the end (send_changes). Their mounts under /rw stay out of the app's sight.
std::vector<int> mount_volumes(const AppSpec& s) {
  std::vector<int> uppers;
  for (size_t i = 0; i < s.volumes.size(); i++) {
    bool rw = s.volumes[i].rfind("rw:", 0) == 0;
    std::string path = s.volumes[i].substr(3);
    std::string at = "/newroot" + path;
    std::string disk = "/dev/" + find_by_attr("/sys/block", "serial", "bale-vol-" + std::to_string(i));
    make_dirs(at);
    if (!rw) {
      if (mount(disk.c_str(), at.c_str(), "erofs", MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) != 0)
        die(125, errno_text("mount the volume at", path));
      uppers.push_back(-1);
      continue;
    }
    std::string base = "/rw/vol-" + std::to_string(i);
    for (const char* d : {"", "/lower", "/upper", "/work"}) mkdir((base + d).c_str(), 0755);
    if (mount(disk.c_str(), (base + "/lower").c_str(), "erofs", MS_RDONLY, nullptr) != 0)
      die(125, errno_text("mount the volume's copy for", path));
    // The overlay's root takes the upper directory's owner and mode: the host directory's.
    struct stat top;
    if (stat((base + "/lower").c_str(), &top) == 0) {
      if (chown((base + "/upper").c_str(), top.st_uid, top.st_gid) != 0 ||
          chmod((base + "/upper").c_str(), top.st_mode & 07777) != 0)
        die(125, errno_text("chown", base + "/upper"));
    }
    std::string opts = "lowerdir=" + base + "/lower,upperdir=" + base + "/upper,workdir=" + base + "/work";
    if (mount("overlay", at.c_str(), "overlay", 0, opts.c_str()) != 0)
      die(125, errno_text("mount the volume at", path));
    uppers.push_back(open((base + "/upper").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  }
  return uppers;
}

void send_change(bale::vm::VolumeChange& c) { send(FrameType::kVolume, bale::vm::encode_volume_change(c)); }

// The entries of a rw volume's overlay upper directory, parents first: what the app changed.
// overlayfs marks a removed name with a 0/0 character device and a directory made anew (its
// old contents gone) with the trusted.overlay.opaque xattr.
void send_changes(unsigned vol, int dir, const std::string& rel) {
  DIR* d = fdopendir(dup(dir));
  if (!d) return;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    if (fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    bale::vm::VolumeChange c;
    c.volume = vol;
    c.path = rel.empty() ? name : rel + "/" + name;
    c.mode = st.st_mode & 07777;
    c.uid = st.st_uid;
    c.gid = st.st_gid;
    if (S_ISCHR(st.st_mode) && st.st_rdev == 0) {
      c.kind = 'w';
      send_change(c);
    } else if (S_ISDIR(st.st_mode)) {
      int sub = openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0) continue;
      char v[4] = {};
      c.kind = fgetxattr(sub, "trusted.overlay.opaque", v, sizeof v) > 0 && v[0] == 'y' ? 'o' : 'd';
      send_change(c);
      send_changes(vol, sub, c.path);
      close(sub);
    } else if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = readlinkat(dir, name.c_str(), target, sizeof target);
      if (n < 0) continue;
      c.kind = 'l';
      c.data.assign(target, n);
      send_change(c);
    } else if (S_ISREG(st.st_mode)) {
      int fd = openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) continue;
      c.kind = 'f';
      static char buf[512 * 1024];
      for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        c.data.assign(buf, n);
        if (n > 0 || c.kind == 'f') send_change(c);
        if (n == 0) break;
        c.kind = 'a';
      }
      close(fd);
    }
  }
  closedir(d);
}

struct Child {
  pid_t pid = -1;
  int in = -1, out = -1, err = -1;  // in == out == the pty master with a terminal
};

void set_nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

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

std::string read_spec_frame(FrameReader& reader) {
  char buf[65536];
  for (;;) {
    Frame f;
    bool bad = false;
    while (reader.next(f, bad))
      if (f.type == FrameType::kStart) return f.payload;
    if (bad) die(125, "a broken frame on the channel");
    ssize_t n = read(g_chan, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die(125, "the channel closed before the app's spec came");
    reader.feed(buf, n);
  }
}

// Relays until the app has exited and its output is drained; returns its wait status.
int supervise(Child& c, FrameReader& reader, int sigfd) {
  std::string to_app;  // stdin not yet written
  bool stdin_eof = false, out_open = true, err_open = c.err >= 0;
  int status = -1;
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
    if (poll(p, n, -1) < 0) continue;
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = read(g_chan, buf, sizeof buf);
      if (r > 0) reader.feed(buf, r);
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

}  // namespace

int main() {
  long long t_init = now_us();
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  int sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  mkdir("/dev", 0755);
  mkdir("/proc", 0755);
  mkdir("/sys", 0755);
  must_mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
  must_mount("proc", "/proc", "proc", 0, nullptr);
  must_mount("sysfs", "/sys", "sysfs", 0, nullptr);
  load_modules();
  long long t_modules = now_us();
  std::string port = find_by_attr("/sys/class/virtio-ports", "name", "bale");
  std::string port_dev = "/dev/" + port;
  g_chan = open(port_dev.c_str(), O_RDWR | O_CLOEXEC);
  if (g_chan < 0) {
    log_console(errno_text("open", port_dev));
    power_off();
  }
  mount_root();
  long long t_mounts = now_us();
  send(FrameType::kReady, "init=" + std::to_string(t_init) + " modules=" +
                              std::to_string(t_modules) + " mounts=" + std::to_string(t_mounts));
  FrameReader reader;
  AppSpec spec;
  if (!bale::vm::decode_spec(read_spec_frame(reader), spec)) die(125, "a malformed app spec");
  std::vector<int> uppers = mount_volumes(spec);
  enter_root();
  setup_network();
  long long t_start = now_us();
  Child c = start_app(spec);
  int st = supervise(c, reader, sigfd);
  int code = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 125;
  for (size_t i = 0; i < uppers.size(); i++)
    if (uppers[i] >= 0) send_changes(static_cast<unsigned>(i), uppers[i], "");
  send(FrameType::kExit, std::to_string(code) + " app=" + std::to_string(t_start) +
                             " exit=" + std::to_string(now_us()));
  power_off();
}
