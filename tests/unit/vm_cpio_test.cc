// The newc cpio writer of the guest's initramfs (src/vm/cpio.h), read back by GNU cpio's
// format rules: 110-byte ASCII headers, name and data padded to 4 bytes.
#include "vm/cpio.h"

#include <gtest/gtest.h>

namespace bale::vm {
namespace {

unsigned field(const std::string& a, size_t at, int i) {
  return std::stoul(a.substr(at + 6 + 8 * i, 8), nullptr, 16);
}

TEST(VmCpio, EntriesAreNewcWithPadding) {
  CpioWriter w;
  w.add_dir("dev");
  w.add_char_device("dev/console", 5, 1);
  w.add_file("init", "abcde", 0755);
  std::string a = w.finish();
  ASSERT_EQ(a.substr(0, 6), "070701");
  EXPECT_EQ(a.size() % 4, 0u);
  // First entry: "dev", a directory.
  EXPECT_EQ(field(a, 0, 1), 040755u);
  EXPECT_EQ(field(a, 0, 11), 4u);  // name size with its NUL
  EXPECT_EQ(a.substr(110, 3), "dev");
  size_t second = 116;  // 110 + 4, padded to 4
  ASSERT_EQ(a.substr(second, 6), "070701");
  EXPECT_EQ(field(a, second, 1), 020600u);
  EXPECT_EQ(field(a, second, 9), 5u);   // rdevmajor
  EXPECT_EQ(field(a, second, 10), 1u);  // rdevminor
  size_t third = a.find("070701", second + 110);
  EXPECT_EQ(field(a, third, 1), 0100755u);
  EXPECT_EQ(field(a, third, 6), 5u);  // file size
  size_t data = third + 110 + 5;      // "init\0" is 5: 115, padded to 116
  data = (data + 3) & ~size_t(3);
  EXPECT_EQ(a.substr(data, 5), "abcde");
  EXPECT_NE(a.find("TRAILER!!!"), std::string::npos);
}

TEST(VmCpio, SameInputSameArchive) {
  auto make = [] {
    CpioWriter w;
    w.add_file("a", "1");
    return w.finish();
  };
  EXPECT_EQ(make(), make());
}

}  // namespace
}  // namespace bale::vm
