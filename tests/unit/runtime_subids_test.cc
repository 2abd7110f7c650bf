#include "runtime/subids.h"

#include <gtest/gtest.h>

namespace bale::runtime {
namespace {

TEST(Subids, ParsesNamesAndUidsAndSkipsWhatIsMalformed) {
  auto r = parse_subids("alice:100000:65536\n# comment\n\n1001:165536:1000\nbad line\n"
                        "bob:x:5\ncarol:200000:0\ndave:300000:10");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].owner, "alice");
  EXPECT_EQ(r[0].start, 100000u);
  EXPECT_EQ(r[0].count, 65536u);
  EXPECT_EQ(r[0].line, 1);
  EXPECT_EQ(r[1].owner, "1001");
  EXPECT_EQ(r[1].line, 4);
  EXPECT_EQ(r[2].owner, "dave");
}

TEST(Subids, FindsAUserByNameOrUid) {
  auto r = parse_subids("alice:100000:65536\n1001:165536:65536\n");
  EXPECT_EQ(subids_of(r, "alice", 1000)->start, 100000u);
  EXPECT_EQ(subids_of(r, "bob", 1001)->start, 165536u);
  EXPECT_FALSE(subids_of(r, "carol", 1002));
}

TEST(Subids, AFreeStartOverlapsNoRange) {
  EXPECT_EQ(free_subid_start({}, 65536), 100000u);
  auto r = parse_subids("a:100000:65536\nb:165536:65536\n");
  EXPECT_EQ(free_subid_start(r, 65536), 262144u);
  auto gap = parse_subids("a:300000:65536\n");
  EXPECT_EQ(free_subid_start(gap, 65536), 100000u);
  auto late = parse_subids("a:150000:10\n");
  EXPECT_EQ(free_subid_start(late, 65536), 196608u);
}

}  // namespace
}  // namespace bale::runtime
