// The guest's initramfs: bale's static init, a /dev/console node, and only the kernel modules
// the guest needs (in load order, listed in /modules), as an uncompressed newc cpio. Cached in
// the store by kernel version and a hash of the init and the module list:
//   <store>/vm/initramfs/VERSION-HASH.cpio
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vm/kernel.h"

namespace bale::vm {

// The modules a guest needs on top of what its kernel has built in.
std::vector<std::string> guest_modules(bool network, bool scratch);

// The init program's bytes, linked into bale (vminit/, built by CMake).
std::string_view init_program();

// The cached initramfs for `k`, written first if there is none; `built` says whether it was.
std::string ensure_initramfs(const std::string& store_root, const GuestKernel& k, bool network, bool scratch,
                             bool& built);

}  // namespace bale::vm
