// GzipBodyWriter (image/gzip_body.h): what the caller, the compressors and the writer thread
// make together is one gzip stream of the bytes given, in order, with both hashes right; a
// failing write surfaces as an error from the writer, not a hang.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <libdeflate.h>

#include <string>

#include "base/error.h"
#include "base/fd.h"
#include "base/fs.h"
#include "image/digest.h"
#include "image/gzip_body.h"
#include "test_support.h"

namespace bale::image {
namespace {

// Bytes that compress a little and are never the same twice in a row.
std::string sample(size_t n) {
  std::string s(n, '\0');
  uint32_t x = 12345;
  for (size_t i = 0; i < n; i++) {
    x = x * 1103515245 + 12345;
    s[i] = static_cast<char>((x >> 16) % 40 + 'A');
  }
  return s;
}

// Every member of a multi-member gzip stream, inflated and joined.
std::string gunzip(const std::string& z) {
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  std::string out;
  std::string buf(kChunkSize, '\0');
  for (size_t at = 0; at < z.size();) {
    size_t in = 0, got = 0;
    if (libdeflate_gzip_decompress_ex(d, z.data() + at, z.size() - at, buf.data(), buf.size(),
                                      &in, &got) != LIBDEFLATE_SUCCESS) {
      ADD_FAILURE() << "not a gzip member at " << at;
      break;
    }
    out.append(buf.data(), got);
    at += in;
  }
  libdeflate_free_decompressor(d);
  return out;
}

std::string read_all(int fd) {
  std::string out;
  char buf[1 << 16];
  for (off_t at = 0;;) {
    ssize_t n = pread(fd, buf, sizeof buf, at);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    at += n;
  }
  return out;
}

TEST(GzipBodyWriter, ManyMembersInOrderWithBothHashes) {
  TempDir dir;
  std::string path = dir.path() + "/body";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  ASSERT_TRUE(fd);
  std::string data = sample(9 * kChunkSize + 12345);  // ten members, the last one short
  HashingSink sink(fd.get(), path);
  BodyCheckpoint mid;
  {
    GzipBodyWriter body(sink, kBuildCompressionLevel, 3);
    for (size_t at = 0; at < data.size(); at += 100000) {
      body.write(std::string_view(data).substr(at, 100000));
      if (at == 3000000) mid = body.checkpoint();  // a member boundary mid-chunk
    }
    body.finish();
    EXPECT_EQ(body.tar_size(), data.size());
    EXPECT_EQ(body.tar_sha256_hex(), sha256_hex(data));
  }
  std::string file = read_all(fd.get());
  EXPECT_EQ(sink.written(), file.size());
  Digest d = Digest::sha512();
  d.update(file);
  EXPECT_EQ(sink.digest(), d.bytes());
  EXPECT_EQ(gunzip(file), data);
  EXPECT_EQ(mid.tar_size, 3100000u);  // everything written before the checkpoint
  EXPECT_GT(mid.body_size, 0u);
  EXPECT_LT(mid.body_size, file.size());
}

TEST(GzipBodyWriter, AFailingWriteIsAnErrorNotAHang) {
  TempDir dir;
  int pipes[2];
  ASSERT_EQ(pipe(pipes), 0);
  close(pipes[0]);  // nobody reads: every write fails with EPIPE
  UniqueFd w(pipes[1]);
  signal(SIGPIPE, SIG_IGN);
  HashingSink sink(w.get(), "the pipe");
  std::string data = sample(20 * kChunkSize);
  std::string err = testing::error_of([&] {
    GzipBodyWriter body(sink, kCompressionLevel, 2);
    body.write(data);
    body.finish();
  });
  EXPECT_NE(err.find("the pipe"), std::string::npos) << err;
}

TEST(HashingSink, AResumeFromAShortFileFailsAndLeavesTheFileEmpty) {
  TempDir dir;
  std::string src = dir.path() + "/earlier", dst = dir.path() + "/body";
  UniqueFd in(::open(src.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  UniqueFd out(::open(dst.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  ASSERT_TRUE(in && out);
  std::string earlier = sample(300000);
  ASSERT_EQ(write(in.get(), earlier.data(), earlier.size()), static_cast<ssize_t>(earlier.size()));
  Digest d = Digest::sha512();
  d.update(earlier.substr(0, 100000));
  {
    HashingSink sink(out.get(), dst);  // a whole resume: the prefix copied, the hash continued
    sink.resume(in.get(), src, 100000, d.state());
    sink.write("tail");
    EXPECT_EQ(sink.written(), 100004u);
    d.update("tail");
    EXPECT_EQ(sink.digest(), d.bytes());
    EXPECT_EQ(read_all(out.get()), earlier.substr(0, 100000) + "tail");
  }
  ASSERT_EQ(ftruncate(out.get(), 0), 0);
  ASSERT_EQ(lseek(out.get(), 0, SEEK_SET), 0);
  HashingSink sink(out.get(), dst);
  std::string err = testing::error_of([&] { sink.resume(in.get(), src, 400000, d.state()); });
  EXPECT_NE(err.find("is shorter than its record says"), std::string::npos) << err;
  EXPECT_NE(err.find(src), std::string::npos) << err;
  EXPECT_EQ(sink.written(), 0u);
  EXPECT_EQ(read_all(out.get()), "");  // the 300,000 bytes copied before the end were taken back
  sink.write("fresh");
  EXPECT_EQ(read_all(out.get()), "fresh");
}

}  // namespace
}  // namespace bale::image
