// The erofs root disk cache (see erofs.h).
#include "vm/erofs.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "base/error.h"
#include "base/fs.h"
#include "vm/host_tool.h"

namespace bale::vm {

std::string ensure_erofs(const std::string& rootfs, bool& built) {
  built = false;
  std::string path = dirname_of(rootfs) + "/rootfs.erofs";
  if (path_exists(path)) return path;
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  try {
    // Uncompressed: the guest reads it through the page cache with no decompression cost.
    run_tool({"mkfs.erofs", "--quiet", tmp, rootfs}, "erofs-utils");
    UniqueFd fd = open_file(tmp, O_RDONLY | O_CLOEXEC);
    if (fsync(fd.get()) != 0) throw_sys("fsync", tmp);
    if (rename(tmp.c_str(), path.c_str()) != 0) throw_sys("rename into place", path);
  } catch (...) {
    unlink(tmp.c_str());
    throw;
  }
  built = true;
  return path;
}

}  // namespace bale::vm
