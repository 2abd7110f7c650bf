// Which modules a guest loads, in what order (src/vm/modules.h), from a modules.dep shaped as
// Debian's cloud kernel's.
#include "vm/modules.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace bale::vm {
namespace {

const char* kDep =
    "kernel/drivers/virtio/virtio_mmio.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/drivers/virtio/virtio_ring.ko:\n"
    "kernel/fs/erofs/erofs.ko: kernel/lib/libcrc32c.ko\n"
    "kernel/lib/libcrc32c.ko:\n"
    "kernel/fs/overlayfs/overlay.ko.xz:\n"
    "kernel/sound/snd-pcm.ko:\n";

TEST(VmModules, DependenciesFirstAndEachOnce) {
  auto order = modules_to_load(kDep, "", {"virtio_mmio", "virtio_blk", "erofs"});
  std::vector<std::string> want = {
      "kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/virtio/virtio.ko",
      "kernel/drivers/virtio/virtio_mmio.ko", "kernel/drivers/block/virtio_blk.ko",
      "kernel/lib/libcrc32c.ko", "kernel/fs/erofs/erofs.ko"};
  EXPECT_EQ(order, want);
}

TEST(VmModules, BuiltInModulesAreSkipped) {
  auto order = modules_to_load(kDep, "kernel/fs/erofs/erofs.ko\n", {"erofs", "overlay"});
  EXPECT_EQ(order, std::vector<std::string>{"kernel/fs/overlayfs/overlay.ko.xz"});
}

TEST(VmModules, NamesIgnoreDashesAndCompression) {
  EXPECT_EQ(module_name("kernel/sound/snd-pcm.ko"), "snd_pcm");
  EXPECT_EQ(module_name("kernel/fs/overlayfs/overlay.ko.xz"), "overlay");
  EXPECT_EQ(modules_to_load(kDep, "", {"snd-pcm"}), std::vector<std::string>{"kernel/sound/snd-pcm.ko"});
}

TEST(VmModules, AMissingModuleIsNamed) {
  try {
    modules_to_load(kDep, "", {"virtio_console"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'virtio_console'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bale::vm
