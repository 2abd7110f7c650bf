#include "base/progress_bars.h"

#include <gtest/gtest.h>

namespace bale {
namespace {

Bar bar(std::string label, uint64_t total, uint64_t done, std::string state = "") {
  Bar b;
  b.label = std::move(label);
  b.total = total;
  b.done = done;
  b.finished = !state.empty();
  b.state = std::move(state);
  return b;
}

TEST(ProgressBars, HalfwayFillsHalfTheBar) {
  Bar b = bar("layer 1/2 sha256:ab12", 2'000'000, 1'000'000);
  EXPECT_EQ(render_bar(b, 0), "layer 1/2 sha256:ab12 [##########          ]    1.0 / 2.0 MB");
}

TEST(ProgressBars, MoreThanDeclaredIsShownAsFull) {
  Bar b = bar("l", 100, 250);
  EXPECT_EQ(render_bar(b, 0), "l [####################]    0.0 / 0.0 MB");
}

TEST(ProgressBars, AFinishedBarShowsItsState) {
  Bar b = bar("layer 2/2", 3'000'000, 3'000'000, "verified");
  EXPECT_EQ(render_bar(b, 0), "layer 2/2 [####################] 3.0 MB verified");
  Bar empty = bar("config", 0, 0, "done");
  EXPECT_EQ(render_bar(empty, 0), "config [####################] 0.0 MB done");
}

TEST(ProgressBars, ANarrowTerminalGetsTheLineElided) {
  Bar b = bar("layer 1/2 sha256:ab12cd34ef56", 2'000'000, 0);
  std::string line = render_bar(b, 30);
  EXPECT_EQ(line.size(), 30u);
  EXPECT_NE(line.find("..."), std::string::npos);
  EXPECT_EQ(line.substr(0, 5), "layer");
  EXPECT_EQ(line.substr(line.size() - 2), "MB");
}

}  // namespace
}  // namespace bale
