// Writing and caching the guest's initramfs (see initramfs.h).
#include "vm/initramfs.h"

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "image/digest.h"
#include "vm/cpio.h"
#include "vm/modules.h"

// From vminit/init_blob.S: the static init program's bytes.
extern "C" const char bale_vm_init_start[];
extern "C" const char bale_vm_init_end[];

namespace bale::vm {

std::vector<std::string> guest_modules(bool network, bool scratch) {
  // virtio_mmio: microvm's devices (found through ACPI); virtio_blk: the root disk;
  // virtio_console: the channel; erofs and overlay: the root file system.
  std::vector<std::string> m = {"virtio_mmio", "virtio_blk", "virtio_console", "erofs", "overlay"};
  if (network) m.push_back("virtio_net");
  if (scratch) m.push_back("ext4");  // --scratch-size's disk (built into Debian's cloud kernel)
  return m;
}

std::string_view init_program() {
  return std::string_view(bale_vm_init_start, bale_vm_init_end - bale_vm_init_start);
}

std::string ensure_initramfs(const std::string& root, const GuestKernel& k, bool network, bool scratch,
                             bool& built) {
  built = false;
  std::string dep = read_file(k.modules + "/modules.dep");
  std::string builtin = read_file_if_exists(k.modules + "/modules.builtin").value_or("");
  std::vector<std::string> files = modules_to_load(dep, builtin, guest_modules(network, scratch));
  std::string list;
  for (const auto& f : files) list += basename_of(f) + "\n";
  // The same kernel reached by --kernel/--modules or through the store shares one initramfs;
  // a rebuilt kernel of the same version has another modules.dep (or init) and gets its own.
  std::string key = image::sha256_hex(std::string(init_program()) + '\0' + k.version + '\0' + dep +
                                      '\0' + list).substr(0, 16);
  std::string dir = root + "/vm/initramfs";
  std::string path = fmt::format("{}/{}-{}.cpio", dir, k.version, key);
  if (path_exists(path)) return path;
  CpioWriter w;
  w.add_dir("dev");
  w.add_char_device("dev/console", 5, 1);
  w.add_file("init", init_program(), 0755);
  w.add_dir("lib");
  w.add_dir("lib/modules");
  // Compressed modules (.ko.xz, .ko.zst) go in as they are: init asks the kernel to
  // decompress them (MODULE_INIT_COMPRESSED_FILE), which a kernel with MODULE_DECOMPRESS does.
  for (const auto& f : files)
    w.add_file("lib/modules/" + basename_of(f), read_file(k.modules + "/" + f, 256u << 20));
  w.add_file("modules", list);
  mkdir_p(dir, 0755);
  write_file_atomic(path, w.finish());
  built = true;
  return path;
}

}  // namespace bale::vm
