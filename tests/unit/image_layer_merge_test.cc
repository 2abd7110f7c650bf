// Merging layer tars without a tree: which entries survive, in which order, and when the plan
// gives up for the tree to decide.
#include "image/layer_merge.h"

#include <gtest/gtest.h>

namespace bale::image {
namespace {

// A layer whose entry i takes bytes [100 i, 100 i + 100) of its tar.
std::vector<TarIndexEntry> layer(std::vector<std::pair<std::string, char>> names,
                                 std::vector<std::string> links = {}) {
  std::vector<TarIndexEntry> out;
  for (size_t i = 0; i < names.size(); i++)
    out.push_back({names[i].first, i < links.size() ? links[i] : "", names[i].second, 100 * i, 100 * i + 100});
  return out;
}

// The plan as "layer:start-end" pieces.
std::string pieces(const MergePlan& p) {
  std::string s;
  for (const auto& x : p.pieces) s += std::to_string(x.layer) + ":" + std::to_string(x.start) + "-" + std::to_string(x.end) + " ";
  return s;
}

TEST(LayerMerge, WhiteoutsAndOverwritesDropLowerEntries) {
  std::string why;
  auto p = plan_merge({layer({{"a/", '5'}, {"a/x", '0'}, {"a/y", '0'}, {"b", '0'}}),
                       layer({{"a/.wh.x", '0'}, {"b", '0'}})},
                      why);
  ASSERT_TRUE(p) << why;
  EXPECT_EQ(pieces(*p), "0:0-100 0:200-300 1:100-200 ");
  EXPECT_EQ(p->entries, 3u);
  EXPECT_EQ(p->whiteouts, 1u);
}

TEST(LayerMerge, OpaqueDirectoryKeepsOnlyItsOwnLayer) {
  std::string why;
  auto p = plan_merge({layer({{"d/", '5'}, {"d/old", '0'}, {"e", '0'}}),
                       layer({{"d/", '5'}, {"d/.wh..wh..opq", '0'}, {"d/new", '0'}})},
                      why);
  ASSERT_TRUE(p) << why;
  // d/ keeps its first place with the upper layer's header; d/old is gone.
  EXPECT_EQ(pieces(*p), "1:0-100 0:200-300 1:200-300 ");
}

TEST(LayerMerge, ContiguousEntriesAreOnePiece) {
  std::string why;
  auto p = plan_merge({layer({{"./a", '0'}, {"./b", '0'}, {"./c", '0'}})}, why);
  ASSERT_TRUE(p) << why;
  EXPECT_EQ(pieces(*p), "0:0-300 ");
}

TEST(LayerMerge, FileReplacingDirectoryDropsWhatItHeld) {
  std::string why;
  auto p = plan_merge({layer({{"d/", '5'}, {"d/f", '0'}}), layer({{"d", '2'}})}, why);
  ASSERT_TRUE(p) << why;
  EXPECT_EQ(pieces(*p), "1:0-100 ");
}

TEST(LayerMerge, WhiteoutInSameLayerHidesOnlyLowerLayers) {
  std::string why;
  auto p = plan_merge({layer({{"f", '0'}}), layer({{"f", '0'}, {".wh.f", '0'}})}, why);
  ASSERT_TRUE(p) << why;
  EXPECT_EQ(pieces(*p), "1:0-100 ");
}

TEST(LayerMerge, GivesUpWhereATreeMustDecide) {
  std::string why;
  // A path through a symlink of a lower layer.
  EXPECT_FALSE(plan_merge({layer({{"l", '2'}}), layer({{"l/x", '0'}})}, why));
  EXPECT_NE(why.find("'l'"), std::string::npos) << why;
  // A hardlink whose target a later layer replaces.
  EXPECT_FALSE(plan_merge({layer({{"t", '0'}, {"h", '1'}}, {"", "t"}), layer({{"t", '0'}})}, why));
  // A hardlink to nothing before it.
  EXPECT_FALSE(plan_merge({layer({{"h", '1'}}, {"nothing"})}, why));
  // A name out of the root.
  EXPECT_FALSE(plan_merge({layer({{"../x", '0'}})}, why));
  EXPECT_FALSE(plan_merge({layer({{"d/.wh...", '0'}})}, why));
  // A hardlink whose target stays is fine, even from a lower layer.
  EXPECT_TRUE(plan_merge({layer({{"t", '0'}}), layer({{"h", '1'}}, {"./t"})}, why)) << why;
}

}  // namespace
}  // namespace bale::image
