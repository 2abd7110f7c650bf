// A writer of the "newc" cpio format the kernel unpacks as an initramfs: an ASCII header of
// thirteen 8-digit hex fields per entry, the name NUL-terminated, name and data each padded to
// 4 bytes, and a "TRAILER!!!" entry at the end. Uncompressed: the kernel need not inflate it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace bale::vm {

class CpioWriter {
 public:
  void add_dir(std::string_view name, uint32_t mode = 0755);
  void add_file(std::string_view name, std::string_view data, uint32_t mode = 0644);
  // A character device node (e.g. /dev/console, 5:1), so the kernel can open the console
  // before anything has mounted devtmpfs.
  void add_char_device(std::string_view name, uint32_t major, uint32_t minor, uint32_t mode = 0600);
  // Appends the trailer and returns the archive.
  std::string finish();

 private:
  void entry(std::string_view name, uint32_t mode, std::string_view data, uint32_t rmajor = 0,
             uint32_t rminor = 0);
  std::string out_;
  uint32_t ino_ = 1;
};

}  // namespace bale::vm
