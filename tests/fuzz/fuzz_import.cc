// libFuzzer target: arbitrary bytes as the archive `bale import` reads (a docker-archive or an
// OCI layout tarball). Reading manifest.json / index.json, the config and the layers, and
// applying the layers with their whiteouts must end in a bale::Error or a signed image, never a
// crash, a sanitizer report or a file outside the import's own directories.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "base/error.h"
#include "base/fs.h"
#include "image/docker_archive.h"
#include "trust/ssh_key.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bale::TempDir scratch;
  static const bale::trust::PrivateKey key = bale::trust::PrivateKey::generate("fuzz");
  std::string src = scratch.path() + "/in.tar";
  std::string dest = scratch.path() + "/out.bale";
  try {
    bale::UniqueFd fd = bale::open_file(src, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    bale::write_all(fd.get(), std::string_view(reinterpret_cast<const char*>(data), size), src);
  } catch (const bale::Error&) {
    return 0;
  }
  try {
    (void)bale::image::import_archive(src, dest, key);
  } catch (const bale::Error&) {
  }
  unlink(dest.c_str());
  return 0;
}
