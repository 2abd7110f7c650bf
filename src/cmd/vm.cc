// `bale vm kernel [--refresh]`: the guest kernel of `bale run --vm`, fetched into the store
// with the package tools when there is none (or, with --refresh, when Debian has a newer one).
#include <cstdio>

#include "base/error.h"
#include "cmd/commands.h"
#include "store/store.h"
#include "vm/kernel.h"

namespace bale::cmd {

namespace {

void progress(const std::string& line) { std::fprintf(stderr, "bale: %s\n", line.c_str()); }

}  // namespace

int vm_kernel(const VmKernelOptions& o) {
  store::Store st(o.store.value_or(store::Store::default_root()));
  vm::GuestKernel k = vm::fetch_kernel(st, o.refresh, progress);
  std::printf("kernel   %s\nversion  %s\npackage  %s\nmodules  %s\n", k.image.c_str(),
              k.version.c_str(), k.package.c_str(), k.modules.c_str());
  return kExitOk;
}

}  // namespace bale::cmd
