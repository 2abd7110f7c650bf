// QEMU's command line for a microvm (src/vm/qemu.h): the accelerator's CPU model and clock
// hint, the fixed fds of channel, console and disks, and no network device unless asked.
#include "vm/qemu.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace bale::vm {
namespace {

bool has_pair(const std::vector<std::string>& a, const std::string& opt, const std::string& val) {
  for (size_t i = 0; i + 1 < a.size(); i++)
    if (a[i] == opt && a[i + 1] == val) return true;
  return false;
}

TEST(VmQemu, TcgHasCpuMaxAndTheTscRate) {
  QemuConfig c;
  c.accel = Accel::kTcg;
  c.tsc_khz = 2100000;
  c.kernel = "/k";
  c.initrd = "/i";
  auto a = qemu_argv(c);
  EXPECT_TRUE(has_pair(a, "-M", "microvm"));
  EXPECT_TRUE(has_pair(a, "-accel", "tcg"));
  EXPECT_TRUE(has_pair(a, "-cpu", "max"));
  EXPECT_NE(kernel_cmdline(c).find("tsc_early_khz=2100000"), std::string::npos);
  for (const char* f : {"-nodefaults", "-no-user-config", "-nographic", "-no-reboot"})
    EXPECT_NE(std::find(a.begin(), a.end(), f), a.end()) << f;
  EXPECT_TRUE(has_pair(a, "-chardev", "socket,id=bale,fd=3"));
  EXPECT_TRUE(has_pair(a, "-add-fd", "fd=5,set=1"));
  EXPECT_TRUE(has_pair(a, "-device", "virtio-blk-device,drive=root,serial=bale-root"));
  EXPECT_EQ(std::find(a.begin(), a.end(), "-netdev"), a.end());
  EXPECT_EQ(std::find(a.begin(), a.end(), "virtio-blk-device,drive=scratch,serial=bale-scratch"), a.end());
}

TEST(VmQemu, TheScratchDiskIsWritableAndAfterTheVolumes) {
  QemuConfig c;
  c.volumes = 2;
  c.scratch = true;
  auto a = qemu_argv(c);
  EXPECT_TRUE(has_pair(a, "-add-fd", "fd=8,set=4"));
  EXPECT_TRUE(has_pair(a, "-add-fd", "fd=9,set=4"));  // its read-only twin
  EXPECT_TRUE(has_pair(a, "-drive", "file=/dev/fdset/4,if=none,id=scratch,format=raw,cache=unsafe"));
  EXPECT_TRUE(has_pair(a, "-device", "virtio-blk-device,drive=scratch,serial=bale-scratch"));
}

TEST(VmQemu, KvmHasTheHostCpuAndNoClockHint) {
  QemuConfig c;
  c.accel = Accel::kKvm;
  c.memory_mb = 256;
  c.cpus = 2;
  c.volumes = 2;
  c.network_user = true;
  auto a = qemu_argv(c);
  EXPECT_TRUE(has_pair(a, "-accel", "kvm"));
  EXPECT_TRUE(has_pair(a, "-cpu", "host"));
  EXPECT_TRUE(has_pair(a, "-m", "256M"));
  EXPECT_TRUE(has_pair(a, "-smp", "2"));
  EXPECT_EQ(kernel_cmdline(c).find("tsc_early_khz"), std::string::npos);
  EXPECT_TRUE(has_pair(a, "-add-fd", "fd=7,set=3"));
  EXPECT_TRUE(has_pair(a, "-device", "virtio-blk-device,drive=vol1,serial=bale-vol-1"));
  EXPECT_TRUE(has_pair(a, "-netdev", "user,id=net"));
}

}  // namespace
}  // namespace bale::vm
