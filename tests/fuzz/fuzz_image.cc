// libFuzzer target: arbitrary bytes as an image file. Reading the trailer, parsing the
// signature and extracting the body must end in a bale::Error or success, never a crash, a
// sanitizer report or a write outside the extraction directory.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "base/error.h"
#include "base/fs.h"
#include "image/body_reader.h"
#include "image/image_file.h"
#include "image/unpack.h"
#include "trust/sshsig.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bale::TempDir scratch;
  int fd = memfd_create("fuzz-image", MFD_CLOEXEC);
  if (fd < 0) return 0;
  bale::UniqueFd guard(fd);
  if (write(fd, data, size) != static_cast<ssize_t>(size)) return 0;
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  try {
    auto info = bale::image::read_image_info(path);
    if (info.trailer) (void)bale::trust::sshsig_parse(info.trailer->signature);
  } catch (const bale::Error&) {
  }
  std::string root = scratch.path() + "/root";
  try {
    bale::mkdir_p(root);
    auto a = bale::image::open_archive_range(fd, 0, size, path, false);
    bale::image::unpack_tar(a.get(), path, root, {.layer = (size & 1) != 0});
  } catch (const bale::Error&) {
  }
  bale::remove_tree(root);
  return 0;
}
