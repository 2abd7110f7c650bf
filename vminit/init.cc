// bale's guest init: PID 1 of a `bale run --vm` microVM. It loads the modules listed in
// /modules (already in dependency order), finds the root disk and the channel by name, says
// ready, and on the spec bale sends stacks the root (mounts.cc), mounts the volumes
// (volumes.cc), moves in, and runs the app, relaying its stdio as frames (exec.cc) until it
// exits. Then it reboots, which with QEMU's -no-reboot ends the VM. The parts: guest.h.
#include <signal.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "guest.h"

using namespace guest;
using bale::vm::AppSpec;
using bale::vm::FrameReader;
using bale::vm::FrameType;

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
  mount_lower();
  long long t_mounts = now_us();
  send(FrameType::kReady, "init=" + std::to_string(t_init) + " modules=" +
                              std::to_string(t_modules) + " mounts=" + std::to_string(t_mounts));
  FrameReader reader;
  AppSpec spec;
  if (!bale::vm::decode_spec(read_spec_frame(reader), spec)) die(125, "a malformed app spec");
  mount_root(spec);  // what it is depends on the spec: --read-only, --scratch-size, --tmpfs
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
