// base/fs.h: ScratchDir never creates outside itself, whatever the name; dir_stream gives a
// close-on-exec duplicate; read_config_file reads regular files only.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fd.h"
#include "base/fs.h"
#include "test_support.h"

namespace bale {
namespace {

TEST(ScratchDir, WritesBelowItselfOnly) {
  TempDir top;
  ScratchDir s(top.path() + "/scratch");
  EXPECT_EQ(read_file(s.write("a", "x", 0640)), "x");
  struct stat st;
  ASSERT_EQ(stat((s.path() + "/a").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);  // exactly the mode asked, whatever the umask
  s.mkdir("d", 0700);
  EXPECT_EQ(read_file(s.write("d/b", "y")), "y");
  ASSERT_EQ(symlink(top.path().c_str(), (s.path() + "/link").c_str()), 0);
  for (const char* name : {"../escaped", "d/../../escaped", "/tmp/escaped", "link/escaped"})
    EXPECT_NE(testing::error_of([&] { s.write(name, "z"); }), "") << name;
  for (const char* name : {"../escaped-dir", "link/escaped-dir", "..", "d/.."})
    EXPECT_NE(testing::error_of([&] { s.mkdir(name); }), "") << name;
  EXPECT_FALSE(path_exists(top.path() + "/escaped"));
  EXPECT_FALSE(path_exists(top.path() + "/escaped-dir"));
  EXPECT_NE(testing::error_of([&] { s.write("a", "again"); }), "");  // never over a file
  EXPECT_EQ(read_file(s.path() + "/a"), "x");
}

TEST(DirStream, IsACloseOnExecDuplicate) {
  TempDir top;
  UniqueFd fd(::open(top.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(fd);
  {
    DirStream d = dir_stream(fd.get(), top.path());
    int dup_fd = dirfd(d.get());
    EXPECT_NE(dup_fd, fd.get());
    EXPECT_TRUE(fcntl(dup_fd, F_GETFD) & FD_CLOEXEC);
  }
  EXPECT_GE(fcntl(fd.get(), F_GETFD), 0);  // closing the stream left the original open
  EXPECT_NE(testing::error_of([] { dir_stream(-1, "/nowhere"); }), "");
}

TEST(ReadConfigFile, RegularFilesOnly) {
  TempDir top;
  std::string fifo = top.path() + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(testing::error_of([&] { read_config_file(fifo, 100); }),
            "'" + fifo + "': not a regular file (a FIFO)");  // and it did not wait for a writer
  EXPECT_EQ(testing::error_of([] { read_config_file("/dev/zero", 100); }),
            "'/dev/zero': not a regular file (a device)");
  EXPECT_EQ(testing::error_of([&] { read_config_file(top.path(), 100); }),
            "'" + top.path() + "': not a regular file (a directory)");
  EXPECT_FALSE(read_config_file(top.path() + "/missing", 100));
  write_file_atomic(top.path() + "/f", "text");
  EXPECT_EQ(*read_config_file(top.path() + "/f", 100), "text");
  // Beneath a directory: a symlink out of it is refused, one inside it followed.
  UniqueFd dir(::open(top.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_EQ(symlink("/etc/hostname", (top.path() + "/out").c_str()), 0);
  ASSERT_EQ(symlink("f", (top.path() + "/in").c_str()), 0);
  EXPECT_NE(testing::error_of([&] { read_config_file("out", 100, dir.get(), "out"); }), "");
  EXPECT_EQ(*read_config_file("in", 100, dir.get(), "in"), "text");
}

}  // namespace
}  // namespace bale
