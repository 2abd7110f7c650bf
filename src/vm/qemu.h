// QEMU's command line for a microvm and starting it as bale's child. The guest's devices are
// fds bale opened and passes at fixed numbers: the channel socket (kChannelFd), the console
// socket (kConsoleFd), the root disk (kDiskFd).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace bale::vm {

inline constexpr int kChannelFd = 3;
inline constexpr int kConsoleFd = 4;
inline constexpr int kDiskFd = 5;
inline constexpr int kVolumeFd = 6;  // volume N's disk at kVolumeFd + N; then the scratch disk

enum class Accel { kKvm, kTcg };

struct QemuConfig {
  Accel accel = Accel::kTcg;
  std::string kernel, initrd;
  uint64_t memory_mb = 512;
  unsigned cpus = 1;
  bool network_user = false;
  unsigned tsc_khz = 0;  // TCG: the guest is told the TSC rate instead of calibrating it
  unsigned volumes = 0;  // read-only volume disks (serial bale-vol-N)
  // A writable disk (serial bale-scratch): its fd after the volumes', then the same file
  // opened read-only.
  bool scratch = false;
};

// "qemu-system-x86_64" and its arguments.
std::vector<std::string> qemu_argv(const QemuConfig& c);
// The kernel command line qemu_argv passes.
std::string kernel_cmdline(const QemuConfig& c);

// The host's TSC rate in kHz (from /proc/cpuinfo's "cpu MHz"), or a fixed guess.
unsigned host_tsc_khz();

// Whether KVM can be used: /dev/kvm opens and creates a VM. `why` says why not.
bool kvm_usable(std::string& why);

// Starts QEMU with `channel`, `console` and `disk` at their fixed numbers, stdin /dev/null and
// stdout and stderr on `output`, in a process group of its own (the terminal's signals are for
// bale, which forwards them), killed when bale dies (PR_SET_PDEATHSIG).
// `volumes` are moved to kVolumeFd and up, in order (the scratch disk, if any, last).
pid_t spawn_qemu(const std::vector<std::string>& argv, int channel, int console, int disk,
                 const std::vector<int>& volumes, int output);

}  // namespace bale::vm
