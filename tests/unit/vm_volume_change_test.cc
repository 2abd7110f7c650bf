// The rw volume change records the guest sends back (src/vm/volume_change.h): they round-trip,
// and a path that could leave the volume's directory is refused.
#include "vm/volume_change.h"

#include <gtest/gtest.h>

namespace bale::vm {
namespace {

TEST(VmVolumeChange, RoundTrips) {
  VolumeChange c;
  c.volume = 1;
  c.kind = 'f';
  c.mode = 0640;
  c.uid = 1000;
  c.gid = 50;
  c.path = "d/e/file name";
  c.data = std::string("a\0b", 3);
  VolumeChange d;
  ASSERT_TRUE(decode_volume_change(encode_volume_change(c), d));
  EXPECT_EQ(d.volume, 1u);
  EXPECT_EQ(d.kind, 'f');
  EXPECT_EQ(d.mode, 0640u);
  EXPECT_EQ(d.uid, 1000u);
  EXPECT_EQ(d.gid, 50u);
  EXPECT_EQ(d.path, c.path);
  EXPECT_EQ(d.data, c.data);
}

TEST(VmVolumeChange, PathsThatLeaveTheVolumeAreRefused) {
  for (const char* p : {"", "/etc/passwd", "..", "a/../../b", "a//b", "./a", "a/."}) {
    VolumeChange c;
    c.kind = 'f';
    c.path = p;
    VolumeChange d;
    EXPECT_FALSE(decode_volume_change(encode_volume_change(c), d)) << p;
  }
}

TEST(VmVolumeChange, UnknownKindsAreRefused) {
  VolumeChange c;
  c.kind = 'x';
  c.path = "a";
  VolumeChange d;
  EXPECT_FALSE(decode_volume_change(encode_volume_change(c), d));
}

}  // namespace
}  // namespace bale::vm
