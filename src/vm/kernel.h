// The guest kernel: Debian's cloud kernel fetched with the package tools into the store once
// (never installed on the host), or one the user names with --kernel/--modules.
//
//   <store>/vm/kernel                 "VERSION\nPACKAGE PACKAGE_VERSION\n": the one in use
//   <store>/vm/kernels/VERSION/       the package's files (boot/vmlinuz-VERSION,
//                                     lib/modules/VERSION/ with a modules.dep made by depmod)
#pragma once

#include <optional>
#include <string>

namespace bale::store {
class Store;
}

namespace bale::vm {

struct GuestKernel {
  std::string version;  // "6.1.0-57-cloud-amd64": the modules directory's name
  std::string image;    // the bzImage QEMU loads
  std::string modules;  // lib/modules/VERSION, with modules.dep
  std::string package;  // "linux-image-6.1.0-57-cloud-amd64 6.1.192-3"; "" for a user's
};

inline constexpr const char* kKernelMetaPackage = "linux-image-cloud-amd64";

// The kernel in the store, if one was fetched.
std::optional<GuestKernel> stored_kernel(const std::string& store_root);

// Fetches the current Debian cloud kernel into the store (when `refresh`, or when there is
// none yet) with apt-cache, apt-get download and dpkg-deb, in a scratch directory of the store.
// `progress` is told what happens (a line each).
GuestKernel fetch_kernel(const store::Store& st, bool refresh, void (*progress)(const std::string&));

// A kernel the user gives: FILE and its modules directory (lib/modules/VERSION, with
// modules.dep as depmod makes it).
GuestKernel user_kernel(const std::string& file, const std::string& modules);

}  // namespace bale::vm
