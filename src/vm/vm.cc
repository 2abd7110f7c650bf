// `bale run --vm`: the kernel, the initramfs and the root disk made ready (cached), the
// accelerator chosen, QEMU started and the session run to its end (see vm.h).
#include "vm/vm.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fd.h"
#include "base/fs.h"
#include "store/store.h"
#include "vm/erofs.h"
#include "vm/host_tool.h"
#include "vm/initramfs.h"
#include "vm/kernel.h"
#include "vm/qemu.h"
#include "vm/scratch_disk.h"
#include "vm/session.h"
#include "vm/terminal.h"

namespace bale::vm {

namespace {

// A stock kernel boots to its init in well under a second with KVM; one that has shown
// nothing in this time is hanging (a KVM that cannot run it), and TCG is tried instead.
constexpr int kKvmReadyTimeoutMs = 15000;
// Under TCG Debian's cloud kernel reaches init in seconds on a slow machine; a minute without
// a word means it never will (a kernel that hangs, an init that cannot find its devices).
constexpr int kTcgReadyTimeoutMs = 60000;

void say(const std::string& line) { std::fprintf(stderr, "bale: %s\n", line.c_str()); }

// The signals bale takes over while the VM runs, blocked and read from a signalfd.
class SignalFd {
 public:
  SignalFd() {
    sigemptyset(&set_);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGCHLD}) sigaddset(&set_, s);
    sigprocmask(SIG_BLOCK, &set_, &old_);
    fd_ = UniqueFd(signalfd(-1, &set_, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!fd_) throw_sys("signalfd", "INT TERM HUP WINCH CHLD");
  }
  ~SignalFd() { sigprocmask(SIG_SETMASK, &old_, nullptr); }
  int fd() const { return fd_.get(); }

 private:
  sigset_t set_, old_;
  UniqueFd fd_;
};

struct Boot {
  Result result;
  std::string log;
};

Boot boot_once(const QemuConfig& qc, const std::string& disk, const std::vector<std::string>& volumes,
               const std::vector<int>& scratch_fds, const AppSpec& app, int signals, int ready_timeout_ms, VolumeApplier* applier) {
  int ch[2], con[2], out[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ch) != 0) throw_sys("socketpair", "channel");
  UniqueFd chan(ch[0]), chan_guest(ch[1]);
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, con) != 0) throw_sys("socketpair", "console");
  UniqueFd console(con[0]), console_guest(con[1]);
  if (pipe2(out, O_CLOEXEC) != 0) throw_sys("pipe", "qemu output");
  UniqueFd output(out[0]), output_qemu(out[1]);
  UniqueFd disk_fd = open_file(disk, O_RDONLY | O_CLOEXEC);
  std::vector<UniqueFd> volume_fds;
  std::vector<int> volume_nums;
  for (const auto& v : volumes) {
    volume_fds.push_back(open_file(v, O_RDONLY | O_CLOEXEC));
    volume_nums.push_back(volume_fds.back().get());
  }
  // bale keeps them: an unnamed file has no other reference.
  volume_nums.insert(volume_nums.end(), scratch_fds.begin(), scratch_fds.end());
  for (int fd : {chan.get(), console.get(), output.get()})
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  int64_t spawned = monotonic_us();
  pid_t pid = spawn_qemu(qemu_argv(qc), chan_guest.get(), console_guest.get(), disk_fd.get(),
                         volume_nums, output_qemu.get());
  // Only QEMU holds the guest's ends now: when it ends, bale's ends see it.
  chan_guest.reset();
  console_guest.reset();
  output_qemu.reset();
  disk_fd.reset();
  volume_fds.clear();
  Session s({chan.get(), console.get(), output.get(), signals, pid}, app, spawned, applier);
  Boot b;
  b.result = s.run(ready_timeout_ms);
  b.log = s.log().text();
  return b;
}

void print_phases(const Result& r, bool built_erofs, bool built_initramfs) {
  const Phases& p = r.phases;
  auto ms = [](int64_t us) { return fmt::format("{:.1f}", us / 1000.0); };
  // The guest's clock starts with its kernel: what the host waited for before that is QEMU's.
  int64_t to_ready = p.ready - p.spawn;
  std::fprintf(stderr,
               "bale-vm-times: qemu_start_ms=%s kernel_to_init_ms=%s modules_ms=%s mounts_ms=%s "
               "app_start_ms=%s app_run_ms=%s shutdown_ms=%s total_ms=%s erofs_built=%d "
               "initramfs_built=%d\n",
               ms(to_ready - p.guest_mounts).c_str(), ms(p.guest_init).c_str(),
               ms(p.guest_modules - p.guest_init).c_str(), ms(p.guest_mounts - p.guest_modules).c_str(),
               ms(p.guest_app - p.guest_mounts).c_str(), ms(p.guest_exit - p.guest_app).c_str(),
               ms(p.reaped - p.exit).c_str(), ms(p.reaped - p.spawn).c_str(), built_erofs,
               built_initramfs);
}

}  // namespace

AccelChoice parse_accel(const std::string& s) {
  if (s == "auto") return AccelChoice::kAuto;
  if (s == "kvm") return AccelChoice::kKvm;
  if (s == "tcg") return AccelChoice::kTcg;
  throw Error(fmt::format("--accel {}: auto, kvm or tcg", quote(s)), 0, kExitUsage);
}

int run_vm(const store::Store& st, VmOptions o) {
  GuestKernel k;
  if (o.kernel || o.modules) {
    if (!o.kernel || !o.modules)
      throw Error("--kernel and --modules go together: the kernel file and its lib/modules/VERSION", 0, kExitUsage);
    k = user_kernel(*o.kernel, *o.modules);
  } else {
    k = fetch_kernel(st, false, say);
  }
  bool built_initramfs = false, built_erofs = false;
  QemuConfig qc;
  qc.kernel = k.image;
  qc.initrd = ensure_initramfs(st.root(), k, o.network_user, o.scratch_bytes > 0, built_initramfs);
  std::string disk = ensure_erofs(o.rootfs, built_erofs);
  qc.memory_mb = o.memory_mb;
  qc.cpus = o.cpus;
  qc.network_user = o.network_user;
  qc.tsc_khz = host_tsc_khz();
  // Volumes: each host directory as an erofs image in a scratch directory of the store, gone
  // when bale ends (and, after a kill -9, removed by the next `bale store gc`).
  std::optional<store::Scratch> scratch;
  std::vector<std::string> volume_disks;
  if (!o.volumes.empty()) scratch.emplace(st, "vm-volumes.");
  std::vector<std::string> writable;  // by index: the host directory of a rw volume, else ""
  for (const auto& v : o.volumes) {
    std::string img = fmt::format("{}/{}.erofs", scratch->path(), volume_disks.size());
    run_tool({"mkfs.erofs", "--quiet", img, v.host}, "erofs-utils");
    volume_disks.push_back(img);
    o.app.volumes.push_back((v.read_only ? "ro:" : "rw:") + v.ctr);
    writable.push_back(v.read_only ? "" : v.host);
  }
  VolumeApplier applier(writable);
  qc.volumes = static_cast<unsigned>(volume_disks.size());
  UniqueFd scratch_disk, scratch_ro;
  std::vector<int> scratch_fds;
  if (o.scratch_bytes) {
    scratch_disk = make_scratch_disk(st.root() + "/tmp", o.scratch_bytes);
    std::string self = fmt::format("/proc/self/fd/{}", scratch_disk.get());
    scratch_ro = open_file(self, O_RDONLY | O_CLOEXEC);  // see QemuConfig::scratch
    scratch_fds = {scratch_disk.get(), scratch_ro.get()};
    qc.scratch = o.app.scratch = true;
  }
  std::string why;
  bool kvm = o.accel == AccelChoice::kKvm || (o.accel == AccelChoice::kAuto && kvm_usable(why));
  if (o.accel == AccelChoice::kAuto && !kvm)
    say(fmt::format("no usable KVM ({}): falling back to TCG emulation, much slower", why));
  qc.accel = kvm ? Accel::kKvm : Accel::kTcg;

  o.app.tty = isatty(0) && isatty(1);
  if (o.app.tty) window_size(0, o.app.rows, o.app.cols);
  int timeout_ms = o.boot_timeout_ms ? o.boot_timeout_ms : kvm ? kKvmReadyTimeoutMs : kTcgReadyTimeoutMs;
  SignalFd signals;
  Boot b;
  {
    RawTerminal raw(o.app.tty ? 0 : -1);
    b = boot_once(qc, disk, volume_disks, scratch_fds, o.app, signals.fd(), timeout_ms, &applier);
    if (kvm && o.accel == AccelChoice::kAuto && !b.result.ready &&
        (b.result.outcome == Outcome::kDied || b.result.outcome == Outcome::kNoReady)) {
      std::string last = b.log.empty() ? "" : b.log.substr(b.log.rfind('\n', b.log.size() - 2) + 1);
      while (!last.empty() && last.back() == '\n') last.pop_back();
      say(fmt::format("the VM did not come up under KVM ({}): falling back to TCG emulation, much slower\r",
                      b.result.outcome == Outcome::kNoReady ? "no ready message in time" : last));
      qc.accel = Accel::kTcg;
      timeout_ms = o.boot_timeout_ms ? o.boot_timeout_ms : kTcgReadyTimeoutMs;
      b = boot_once(qc, disk, volume_disks, scratch_fds, o.app, signals.fd(), timeout_ms, &applier);
    }
  }
  if (std::getenv("BALE_VM_TIMES")) print_phases(b.result, built_erofs, built_initramfs);
  if (!applier.error().empty())
    say(fmt::format("warning: not every change of a volume was written back: {}", applier.error()));
  switch (b.result.outcome) {
    case Outcome::kExit:
    case Outcome::kInterrupt:
      return b.result.code;
    case Outcome::kError:
      throw Error(b.result.message, 0, b.result.code);
    case Outcome::kDied:
    case Outcome::kNoReady:
      break;
  }
  std::string what = b.result.outcome == Outcome::kNoReady
                         ? fmt::format("gave no ready message within {:g} s (--boot-timeout)", timeout_ms / 1000.0)
                     : b.result.ready ? "ended without the app's exit status"
                                      : "ended before its init was ready";
  std::fprintf(stderr, "bale: the VM %s; the last lines of its console and of QEMU:\n", what.c_str());
  std::string log = b.log.empty() ? "(nothing)\n" : b.log;
  std::fprintf(stderr, "%s", log.c_str());
  return kExitBeforeTarget;
}

}  // namespace bale::vm
