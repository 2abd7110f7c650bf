// RUN --mount's fields as parse_mount reads them (builder/run_mounts.h): numbers are checked
// where they are read, so a bad one is a bale::Error the build reports with its line.
#include <gtest/gtest.h>

#include "builder/run_mounts.h"
#include "test_support.h"

namespace bale::builder {
namespace {

using bale::testing::error_of;

TEST(RunMounts, CacheOwnerAndModeAreNumbers) {
  MountFlag m = parse_mount("type=cache,target=/c,uid=1000,gid=50,mode=0700");
  EXPECT_EQ(m.uid, 1000u);
  EXPECT_EQ(m.gid, 50u);
  EXPECT_EQ(m.mode, 0700u);
}

TEST(RunMounts, ANameForUidIsAnError) {
  EXPECT_EQ(error_of([] { parse_mount("type=cache,target=/c,uid=abc"); }),
            "--mount=type=cache,target=/c,uid=abc: uid must be a number, got 'abc'");
}

TEST(RunMounts, BadGidAndModeAreErrors) {
  EXPECT_EQ(error_of([] { parse_mount("type=cache,target=/c,gid="); }),
            "--mount=type=cache,target=/c,gid=: gid must be a number, got ''");
  EXPECT_EQ(error_of([] { parse_mount("type=cache,target=/c,mode=0789"); }),
            "--mount=type=cache,target=/c,mode=0789: mode must be an octal mode such as 755, "
            "got '0789'");
  EXPECT_EQ(error_of([] { parse_mount("type=cache,target=/c,mode=17777"); }),
            "--mount=type=cache,target=/c,mode=17777: mode must be an octal mode such as 755, "
            "got '17777'");
}

TEST(RunMounts, AnIdPastTheRangeOfUidIsAnError) {
  EXPECT_NE(error_of([] { parse_mount("type=cache,target=/c,uid=4294967295"); }), "");
  EXPECT_NE(error_of([] { parse_mount("type=cache,target=/c,uid=99999999999"); }), "");
}

}  // namespace
}  // namespace bale::builder
