// `bale run --vm`: one microVM from an image's unpacked tree, its app's stdio relayed, its exit
// status returned. The pieces: kernel.h (the guest kernel), initramfs.h (init and modules),
// erofs.h (the root disk), qemu.h (the VMM), session.h (the channel).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vm/frame.h"

namespace bale::store {
class Store;
}

namespace bale::vm {

enum class AccelChoice { kAuto, kKvm, kTcg };

struct VmOptions {
  std::optional<std::string> kernel, modules;  // --kernel FILE --modules DIR
  AccelChoice accel = AccelChoice::kAuto;
  uint64_t memory_mb = 512;
  unsigned cpus = 1;
  bool network_user = false;
  std::string rootfs;  // the image's unpacked tree (images/<hex>/rootfs)
  // -v HOST:CTR[:ro]: HOST copied in at start (an erofs image) and seen at CTR; unless
  // read-only, what the app changed there is written back into HOST when it has exited.
  struct Volume {
    std::string host, ctr;
    bool read_only = false;
  };
  std::vector<Volume> volumes;
  uint64_t scratch_bytes = 0;  // --scratch-size: an ext4 disk of this size holds the writes
  // --boot-timeout: a boot with no ready message within this is ended; 0 for the default
  // (60 s under TCG, 15 s under KVM with --accel auto, which then falls back to TCG).
  int boot_timeout_ms = 0;
  AppSpec app;         // argv, env, workdir, ids; tty is decided here
};

AccelChoice parse_accel(const std::string& s);  // "auto", "kvm", "tcg"; throws (usage) else

// Boots the VM, runs the app, and returns its exit status (code, or 128+signal); 125 with the
// guest's last log lines when it dies without one. Throws bale::Error before the VM starts.
int run_vm(const store::Store& st, VmOptions o);

}  // namespace bale::vm
