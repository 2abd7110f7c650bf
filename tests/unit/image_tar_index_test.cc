// The tar indexer: entry names from ustar, pax and GNU long-name headers, byte ranges that take
// in the blocks before a header, however the stream is cut into pieces; damage is an error,
// what it cannot place is "unusual".
#include "image/tar_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "base/error.h"

namespace bale::image {
namespace {

std::string header(const std::string& name, char type, size_t size, const std::string& link = "") {
  std::string h(512, '\0');
  std::memcpy(h.data(), name.data(), std::min<size_t>(name.size(), 100));
  std::snprintf(h.data() + 100, 8, "%07o", 0644);
  std::snprintf(h.data() + 124, 12, "%011zo", size);
  h[156] = type;
  std::memcpy(h.data() + 157, link.data(), std::min<size_t>(link.size(), 100));
  std::memcpy(h.data() + 257, "ustar\0" "00", 8);
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h.data() + 148, 8, "%06o", sum);
  return h;
}

std::string blocks(const std::string& d) { return d + std::string((512 - d.size() % 512) % 512, '\0'); }

std::string pax(const std::string& key, const std::string& value) {
  std::string rec = " " + key + "=" + value + "\n";
  size_t len = rec.size() + 2;
  if (std::to_string(len).size() + rec.size() != len) len++;
  return std::to_string(len) + rec;
}

std::vector<TarIndexEntry> index_of(const std::string& tar, size_t piece) {
  TarIndexer ix("t.tar");
  for (size_t at = 0; at < tar.size(); at += piece) ix.feed(std::string_view(tar).substr(at, piece));
  ix.finish();
  EXPECT_FALSE(ix.unusual()) << ix.why_unusual();
  return ix.entries();
}

TEST(TarIndex, NamesAndRanges) {
  std::string long_name(300, 'n');
  std::string records = pax("path", "p/" + long_name);
  std::string tar = header("a", '0', 5) + blocks("hello") +                       // 0-1024
                    header("././@PaxHeader", 'x', records.size()) + blocks(records) +  // 1024-2048
                    header("short", '0', 0) +                                 // -2560
                    header("././@LongLink", 'L', long_name.size() + 1) + blocks(long_name + '\0') +
                    header("trunc", '1', 0, "a") + std::string(1024, '\0');
  for (size_t piece : {1ul, 7ul, 512ul, 100000ul}) {
    auto e = index_of(tar, piece);
    ASSERT_EQ(e.size(), 3u) << piece;
    EXPECT_EQ(e[0].name, "a");
    EXPECT_EQ(e[0].start, 0u);
    EXPECT_EQ(e[0].end, 1024u);
    EXPECT_EQ(e[1].name, "p/" + long_name);
    EXPECT_EQ(e[1].start, 1024u);
    EXPECT_EQ(e[1].end, 2560u);
    EXPECT_EQ(e[2].name, long_name);
    EXPECT_EQ(e[2].type, '1');
    EXPECT_EQ(e[2].link, "a");
    EXPECT_EQ(e[2].start, 2560u);
    EXPECT_EQ(e[2].end, 2560u + 512 * 3);
  }
}

TEST(TarIndex, DamageAndUnusual) {
  std::string bad = header("a", '0', 5);
  bad[0] = 'b';  // the checksum no longer matches
  TarIndexer a("t.tar");
  EXPECT_THROW(a.feed(bad), Error);

  TarIndexer b("t.tar");
  b.feed(header("a", '0', 5000) + blocks("only some"));
  EXPECT_THROW(b.finish(), Error);  // ends inside the entry

  TarIndexer c("t.tar");
  c.feed(header("sparse", 'S', 0) + std::string(1024, '\0'));
  c.finish();
  EXPECT_TRUE(c.unusual());
}

}  // namespace
}  // namespace bale::image
