// Digest (image/digest.h): known answers, and a hash saved mid-stream and resumed.
#include <gtest/gtest.h>

#include "image/digest.h"
#include "test_support.h"

namespace bale::image {
namespace {

TEST(Digest, KnownAnswers) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Digest d = Digest::sha512();
  d.update("abc");
  EXPECT_EQ(d.hex().substr(0, 32), "ddaf35a193617abacc417349ae204131");
}

TEST(Digest, ResumesFromASavedState) {
  for (auto make : {&Digest::sha256, &Digest::sha512}) {
    Digest whole = make();
    whole.update(std::string(1000, 'x'));
    whole.update("tail");
    Digest first = make();
    first.update(std::string(1000, 'x'));  // not a multiple of the block size: pending bytes
    Digest resumed = Digest::resume(first.state());
    resumed.update("tail");
    EXPECT_EQ(resumed.hex(), whole.hex());
    EXPECT_EQ(first.hex(), [&] {
      Digest d = make();
      d.update(std::string(1000, 'x'));
      return d.hex();
    }());  // taking the state changed nothing
  }
  EXPECT_EQ(testing::error_of([] { Digest::resume("junk"); }), "not a saved digest state");
}

}  // namespace
}  // namespace bale::image
