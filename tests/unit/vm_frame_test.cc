// The channel's frame codec and the app spec records (src/vm/frame.h).
#include "vm/frame.h"

#include <gtest/gtest.h>

namespace bale::vm {
namespace {

TEST(VmFrame, RoundTripsInPiecesOfAnySize) {
  std::string wire;
  encode_frame(wire, FrameType::kStdout, "hello");
  encode_frame(wire, FrameType::kStdinEof, "");
  std::string big(300000, 'x');
  encode_frame(wire, FrameType::kStderr, big);
  FrameReader r;
  std::vector<Frame> got;
  for (size_t i = 0; i < wire.size(); i += 7) {  // split inside headers and payloads
    r.feed(wire.data() + i, std::min<size_t>(7, wire.size() - i));
    Frame f;
    bool bad = false;
    while (r.next(f, bad)) got.push_back(f);
    ASSERT_FALSE(bad);
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].type, FrameType::kStdout);
  EXPECT_EQ(got[0].payload, "hello");
  EXPECT_EQ(got[1].type, FrameType::kStdinEof);
  EXPECT_EQ(got[1].payload, "");
  EXPECT_EQ(got[2].payload, big);
}

TEST(VmFrame, HeaderIsLittleEndianLengthThenType) {
  std::string wire;
  encode_frame(wire, FrameType::kExit, "42");
  EXPECT_EQ(wire, std::string("\x02\x00\x00\x00x42", 7));
}

TEST(VmFrame, OversizedLengthIsABrokenStream) {
  FrameReader r;
  std::string h("\xff\xff\xff\x7fo", 5);
  r.feed(h.data(), h.size());
  Frame f;
  bool bad = false;
  EXPECT_FALSE(r.next(f, bad));
  EXPECT_TRUE(bad);
}

TEST(VmFrame, SpecRoundTrips) {
  AppSpec s;
  s.argv = {"/bin/sh", "-c", "echo 'a b'", ""};
  s.env = {"PATH=/bin", "X=a=b"};
  s.workdir = "/srv";
  s.uid = 1000;
  s.gid = 50;
  s.groups = {29, 100};
  s.tty = true;
  s.rows = 24;
  s.cols = 80;
  s.volumes = {"ro:/data", "rw:/out"};
  s.read_only = true;
  s.scratch = true;
  s.tmpfs = {"/cache", "/big\nsize=64m"};
  AppSpec d;
  ASSERT_TRUE(decode_spec(encode_spec(s), d));
  EXPECT_EQ(d.argv, s.argv);
  EXPECT_EQ(d.env, s.env);
  EXPECT_EQ(d.workdir, "/srv");
  EXPECT_EQ(d.uid, 1000u);
  EXPECT_EQ(d.gid, 50u);
  EXPECT_EQ(d.groups, s.groups);
  EXPECT_TRUE(d.tty);
  EXPECT_EQ(d.rows, 24);
  EXPECT_EQ(d.cols, 80);
  EXPECT_EQ(d.volumes, s.volumes);
  EXPECT_TRUE(d.read_only);
  EXPECT_TRUE(d.scratch);
  EXPECT_EQ(d.tmpfs, s.tmpfs);
  AppSpec plain;
  plain.argv = {"true"};
  ASSERT_TRUE(decode_spec(encode_spec(plain), d));
  EXPECT_FALSE(d.read_only);
  EXPECT_FALSE(d.scratch);
  EXPECT_TRUE(d.tmpfs.empty());
}

TEST(VmFrame, MalformedSpecsAreRefused) {
  AppSpec d;
  EXPECT_FALSE(decode_spec(std::string("w=/\0", 4), d));              // no argv
  EXPECT_FALSE(decode_spec(std::string("a=x\0u=-1\0", 9), d));        // not a number
  EXPECT_FALSE(decode_spec(std::string("a=x\0u=99999999999\0", 19), d));  // past 32 bits
  EXPECT_FALSE(decode_spec(std::string("a=x\0q=1\0", 8), d));         // unknown key
  EXPECT_FALSE(decode_spec(std::string("a=x", 3), d));                // unterminated
  EXPECT_FALSE(decode_spec(std::string("a=x\0T=rel\0", 10), d));     // a relative tmpfs
}

}  // namespace
}  // namespace bale::vm
