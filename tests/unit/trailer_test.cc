// The trailer's byte layout: round trips, and every kind of damage is refused.
#include "image/trailer.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace bale::image {
namespace {

std::string make_trailer(const std::string& config, Footer& f, size_t body = 1000) {
  const size_t sig = 300;
  std::string t = encode_signed_trailer(config, {12345, 7}, sig);
  f = {body, body + t.size(), static_cast<uint32_t>(sig)};
  t += std::string(sig, 'S');
  t += encode_trailer_end(f);
  return t;
}

TEST(Trailer, FooterRoundTrip) {
  Footer f{123, 4567, 321};
  std::string s = encode_footer(f) + std::string("\x03\0\0\0\0\0\0\0\0\0", 10);
  ASSERT_EQ(encode_footer(f).size(), kFooterSize);
  auto d = decode_footer(s);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->body_size, 123u);
  EXPECT_EQ(d->signed_size, 4567u);
  EXPECT_EQ(d->sig_size, 321u);
}

TEST(Trailer, NoMagicIsNotAFooter) {
  EXPECT_FALSE(decode_footer(std::string(kFooterFromEnd, 'x')));
}

TEST(Trailer, RoundTripSmallConfig) {
  Footer f;
  std::string t = make_trailer("{\"a\":1}", f);
  Trailer d = decode_trailer(t, f);
  EXPECT_EQ(d.config, "{\"a\":1}");
  EXPECT_EQ(d.tar.size, 12345u);
  EXPECT_EQ(d.tar.entries, 7u);
  EXPECT_EQ(d.signature, std::string(300, 'S'));
}

TEST(Trailer, LargeConfigSpansMembers) {
  std::string config(200000, 'c');
  Footer f;
  std::string t = make_trailer(config, f);
  EXPECT_EQ(decode_trailer(t, f).config, config);
}

TEST(Trailer, EveryByteFlipIsCaughtOrChangesContent) {
  Footer f;
  std::string t = make_trailer("{\"k\":\"v\"}", f);
  Trailer good = decode_trailer(t, f);
  for (size_t i = 0; i < t.size(); i++) {
    std::string bad = t;
    bad[i] ^= 0x01;
    try {
      auto footer = decode_footer(bad.substr(bad.size() - kFooterFromEnd));
      if (!footer) continue;  // no longer a bale trailer at all: "no signature"
      Trailer d = decode_trailer(bad, *footer);
      // Survived parsing: then the signed content or signature differs (caught by the signature).
      EXPECT_TRUE(d.config != good.config || d.signature != good.signature ||
                  d.tar.size != good.tar.size || d.tar.entries != good.tar.entries ||
                  footer->signed_size != f.signed_size)
          << "flip at " << i;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("damaged trailer"), std::string::npos);
    }
  }
}

TEST(Trailer, TruncationIsDamage) {
  Footer f;
  std::string t = make_trailer("{}", f);
  EXPECT_THROW(decode_trailer(t.substr(0, t.size() - 1), f), Error);
  EXPECT_THROW(decode_trailer(t + "x", f), Error);
}

}  // namespace
}  // namespace bale::image
