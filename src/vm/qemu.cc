// QEMU's arguments and its start (see qemu.h).
#include "vm/qemu.h"

#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fd.h"
#include "base/fs.h"

namespace bale::vm {

std::string kernel_cmdline(const QemuConfig& c) {
  // quiet: the console is a serial port, slow per byte; a panic still prints (KERN_EMERG).
  // panic=-1: a panic reboots at once, and -no-reboot turns that into QEMU's exit.
  // reboot=t: a reset by triple fault, which QEMU always sees (microvm has no keyboard
  // controller, and the kernel's other ways can hang there).
  std::string s = "console=ttyS0 quiet panic=-1 reboot=t rdinit=/init";
  if (c.accel == Accel::kTcg) s += fmt::format(" tsc_early_khz={}", c.tsc_khz ? c.tsc_khz : 2000000);
  return s;
}

std::vector<std::string> qemu_argv(const QemuConfig& c) {
  std::vector<std::string> a = {
      "qemu-system-x86_64", "-M", "microvm", "-nodefaults", "-no-user-config", "-nographic",
      "-no-reboot",
      "-accel", c.accel == Accel::kKvm ? "kvm" : "tcg",
      // TCG: "max" gives the guest every feature TCG emulates; KVM: the host's CPU.
      "-cpu", c.accel == Accel::kKvm ? "host" : "max",
      "-m", fmt::format("{}M", c.memory_mb), "-smp", std::to_string(c.cpus),
      "-kernel", c.kernel, "-initrd", c.initrd, "-append", kernel_cmdline(c),
      "-chardev", fmt::format("socket,id=console,fd={}", kConsoleFd), "-serial", "chardev:console",
      "-device", "virtio-serial-device",
      "-chardev", fmt::format("socket,id=bale,fd={}", kChannelFd),
      "-device", "virtserialport,chardev=bale,name=bale",
      "-add-fd", fmt::format("fd={},set=1", kDiskFd),
      "-drive", "file=/dev/fdset/1,if=none,id=root,format=raw,read-only=on",
      "-device", "virtio-blk-device,drive=root,serial=bale-root",
  };
  for (unsigned i = 0; i < c.volumes; i++) {
    a.insert(a.end(), {"-add-fd", fmt::format("fd={},set={}", kVolumeFd + i, i + 2), "-drive",
                       fmt::format("file=/dev/fdset/{},if=none,id=vol{},format=raw,read-only=on", i + 2, i),
                       "-device", fmt::format("virtio-blk-device,drive=vol{},serial=bale-vol-{}", i, i)});
  }
  if (c.scratch) {
    unsigned set = c.volumes + 2;
    // QEMU opens a writable drive read-only first, then again read-write: the set needs an
    // fd of each access mode (the second, read-only, at the next number).
    a.insert(a.end(), {"-add-fd", fmt::format("fd={},set={}", kVolumeFd + c.volumes, set), "-add-fd",
                       fmt::format("fd={},set={}", kVolumeFd + c.volumes + 1, set), "-drive",
                       fmt::format("file=/dev/fdset/{},if=none,id=scratch,format=raw,cache=unsafe", set),
                       "-device", "virtio-blk-device,drive=scratch,serial=bale-scratch"});
  }
  if (c.network_user) {
    a.insert(a.end(), {"-netdev", "user,id=net", "-device", "virtio-net-device,netdev=net"});
  }
  return a;
}

unsigned host_tsc_khz() {
  auto info = read_file_if_exists("/proc/cpuinfo", 1u << 20);
  if (info) {
    size_t at = info->find("cpu MHz");
    if (at != std::string::npos) {
      size_t colon = info->find(':', at);
      if (colon != std::string::npos) {
        double mhz = std::strtod(info->c_str() + colon + 1, nullptr);
        if (mhz > 100 && mhz < 100000) return static_cast<unsigned>(mhz * 1000);
      }
    }
  }
  return 2000000;
}

bool kvm_usable(std::string& why) {
  UniqueFd kvm(open("/dev/kvm", O_RDWR | O_CLOEXEC));
  if (!kvm) {
    why = fmt::format("open '/dev/kvm': {}", std::strerror(errno));
    return false;
  }
  int api = ioctl(kvm.get(), KVM_GET_API_VERSION, 0);
  if (api < 0) {
    why = fmt::format("KVM_GET_API_VERSION on '/dev/kvm': {}", std::strerror(errno));
    return false;
  }
  if (api != KVM_API_VERSION) {
    why = fmt::format("/dev/kvm speaks KVM API {}, not {}", api, KVM_API_VERSION);
    return false;
  }
  int vm = ioctl(kvm.get(), KVM_CREATE_VM, 0);
  if (vm < 0) {
    why = fmt::format("KVM_CREATE_VM: {}", std::strerror(errno));
    return false;
  }
  close(vm);
  return true;
}

pid_t spawn_qemu(const std::vector<std::string>& args, int channel, int console, int disk,
                 const std::vector<int>& volumes, int output) {
  std::string prog = find_host_program(args.at(0));
  if (prog.empty())
    throw Error(fmt::format("{} is not installed", quote(args[0])), ENOENT)
        .with_hint("apt-get install qemu-system-x86");
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<int> vols = volumes;  // moved in the child, allocated here
  UniqueFd null = open_file("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw_sys("fork", prog);
  if (pid == 0) {
    // No allocation from here to execv. Each fd is first moved above the fixed numbers, so no
    // dup2 overwrites one not yet moved; dup2 onto the fixed number clears its CLOEXEC.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(125);  // bale died before the line above took effect
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    int src[3] = {channel, console, disk};
    int floor = kVolumeFd + static_cast<int>(vols.size()) + 10;
    for (int& fd : src) fd = fcntl(fd, F_DUPFD_CLOEXEC, floor);
    for (int& fd : vols) fd = fcntl(fd, F_DUPFD_CLOEXEC, floor);
    dup2(null.get(), 0);
    dup2(output, 1);
    dup2(output, 2);
    dup2(src[0], kChannelFd);
    dup2(src[1], kConsoleFd);
    dup2(src[2], kDiskFd);
    for (size_t i = 0; i < vols.size(); i++) dup2(vols[i], kVolumeFd + static_cast<int>(i));
    execv(prog.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

}  // namespace bale::vm
