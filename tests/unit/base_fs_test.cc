// base/fs.h helpers that change how the file system lays things out.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "base/fd.h"
#include "base/fs.h"

namespace bale {
namespace {

int flags_of(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  int flags = 0;
  if (!fd || ioctl(fd.get(), FS_IOC_GETFLAGS, &flags) < 0) return -1;
  return flags;
}

TEST(SpreadSubdirs, MarksTheDirectoryWhereTheFileSystemTakesIt) {
  TempDir dir("/var/tmp");
  std::string d = dir.path() + "/steps";
  ASSERT_EQ(mkdir(d.c_str(), 0700), 0);
  int before = flags_of(d);
  if (before < 0) GTEST_SKIP() << "no inode flags on this file system";
  spread_subdirs(d);
  int after = flags_of(d);
  if (after == before) GTEST_SKIP() << "this file system does not keep FS_TOPDIR_FL";
  EXPECT_EQ(after, before | FS_TOPDIR_FL);
  spread_subdirs(d);  // twice is once
  EXPECT_EQ(flags_of(d), after);
  spread_subdirs(dir.path() + "/missing");  // a hint: nothing to complain about
}

}  // namespace
}  // namespace bale
