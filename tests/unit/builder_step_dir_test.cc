// builder/cache.h StepDir and builder/layers.h LayerView: moving one onto another drops what the
// target held (its directory, its mount) and takes the source's, with no use of a destroyed
// member (the old assignment ran the destructor first and then assigned to the dead strings:
// AddressSanitizer, which the sanitizer build of these tests runs, reports that).
#include <gtest/gtest.h>

#include "base/fs.h"
#include "builder/cache.h"
#include "builder/layers.h"

namespace bale::builder {
namespace {

TEST(StepDir, MoveAssignmentRemovesWhatItHeld) {
  TempDir top;
  // Paths longer than the small-string buffer, so a use after destruction touches freed memory.
  std::string a = top.path() + "/a-step-directory-with-a-long-name";
  std::string b = top.path() + "/b-step-directory-with-a-long-name";
  mkdir_p(a);
  mkdir_p(b);
  StepDir x(a), y(b);
  y.drop_if_unchanged({"/etc"});
  x = std::move(y);
  EXPECT_FALSE(path_exists(a));
  EXPECT_TRUE(path_exists(b));
  EXPECT_EQ(x.path(), b);
  EXPECT_EQ(x.unchanged(), std::vector<std::string>{"/etc"});
  EXPECT_EQ(y.path(), "");
  x = std::move(x);  // onto itself: nothing happens
  EXPECT_TRUE(path_exists(b));
}

TEST(LayerView, MoveAssignmentTakesTheOtherView) {
  TempDir top;
  LayerView x, y;
  x = std::move(y);  // both empty: nothing to unmount
  EXPECT_EQ(x.path(), "");
}

}  // namespace
}  // namespace bale::builder
