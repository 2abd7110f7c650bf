// Tar entry names: what is normalized and what is refused before anything touches the disk.
#include "image/unpack.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace bale::image {
namespace {

TEST(CleanEntryName, Normalizes) {
  EXPECT_EQ(clean_entry_name("./a//b/"), "a/b");
  EXPECT_EQ(clean_entry_name("a/./b"), "a/b");
  EXPECT_EQ(clean_entry_name("."), "");
  EXPECT_EQ(clean_entry_name("./"), "");
  EXPECT_EQ(clean_entry_name("a..b/c.."), "a..b/c..");
}

TEST(CleanEntryName, RefusesEscapes) {
  for (const char* bad : {"../x", "a/../../x", "a/..", "..", "/etc/passwd", "/"}) {
    EXPECT_THROW(clean_entry_name(bad), Error) << bad;
  }
  try {
    clean_entry_name("x/../../etc");
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "tar entry 'x/../../etc': path goes outside the root ('..')");
  }
}

}  // namespace
}  // namespace bale::image
