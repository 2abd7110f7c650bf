// The scratch disk of `--scratch-size` (see scratch_disk.h).
#include "vm/scratch_disk.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "base/error.h"
#include "vm/host_tool.h"

namespace bale::vm {

UniqueFd make_scratch_disk(const std::string& dir, uint64_t bytes) {
  UniqueFd fd(open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (!fd) {
    int err = errno;
    Error e = sys_error("--scratch-size: an unnamed file (O_TMPFILE) in", dir, err);
    if (err == EOPNOTSUPP || err == EISDIR)
      e.with_hint("the store's file system cannot make unnamed files; put the store on ext4, "
                  "xfs, btrfs or tmpfs");
    throw e;
  }
  if (ftruncate(fd.get(), static_cast<off_t>(bytes)) != 0) {
    int err = errno;
    Error e = sys_error(fmt::format("--scratch-size: a {} MiB file in", bytes >> 20), dir, err);
    if (err == EFBIG) e.with_hint("the store's file system does not take a file that large");
    throw e;
  }
  // mkfs.ext4 reaches the file through bale's own fd: it has no name to open. Without a
  // journal: nothing on it has to survive a crash, and writes are fewer.
  std::string path = fmt::format("/proc/{}/fd/{}", getpid(), fd.get());
  run_tool({"mkfs.ext4", "-q", "-F", "-m", "0", "-O", "^has_journal",
            "-E", "lazy_itable_init=1,nodiscard", path}, "e2fsprogs");
  return fd;
}

}  // namespace bale::vm
