// Reading debootstrap's output (lines as bookworm's debootstrap 1.0.128 prints them): the stages
// a log shows, and the counts a terminal's status line shows.
#include "cmd/bootstrap_progress.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bale::cmd {
namespace {

const char* const kRun[] = {
    "I: Retrieving InRelease ",
    "I: Checking Release signature",
    "I: Retrieving Packages ",
    "I: Validating Packages ",
    "I: Resolving dependencies of required packages...",
    "I: Checking component main on http://deb.debian.org/debian...",
    "I: Retrieving adduser 3.134",
    "I: Validating adduser 3.134",
    "I: Retrieving apt 2.6.1",
    "I: Retrieving apt 2.6.1",  // a retry
    "I: Retrieving base-files 12.4+deb12u5",
    "I: Chosen extractor for .deb packages: dpkg-deb",
    "I: Extracting adduser...",
    "I: Extracting apt...",
    "I: Installing core packages...",
    "I: Unpacking required packages...",
    "I: Unpacking adduser...",
    "I: Configuring required packages...",
    "I: Configuring adduser...",
    "W: a warning",
    "I: Unpacking the base system...",
    "I: Configuring the base system...",
    "I: Base system installed successfully.",
};

TEST(DebootstrapProgress, OneStageLineEach) {
  DebootstrapProgress p;
  std::vector<std::string> stages;
  for (const char* line : kRun)
    if (p.feed(line)) stages.push_back(p.stage());
  EXPECT_EQ(stages, (std::vector<std::string>{
                        "resolving packages", "retrieving packages", "extracting 3 packages",
                        "installing core packages", "unpacking required packages",
                        "configuring required packages", "unpacking the base system",
                        "configuring the base system", "base system installed"}));
  EXPECT_EQ(p.retrieved(), 3u);
}

TEST(DebootstrapProgress, StatusCountsPackages) {
  DebootstrapProgress p;
  std::vector<std::string> seen;
  for (const char* line : kRun) {
    p.feed(line);
    seen.push_back(p.status());
  }
  EXPECT_EQ(seen[0], "resolving packages");
  EXPECT_EQ(seen[7], "retrieving packages: 1 (adduser 3.134)");  // Validating changes nothing
  EXPECT_EQ(seen[9], "retrieving packages: 2 (apt 2.6.1)");
  EXPECT_EQ(seen[13], "extracting 2/3 (apt)");
  EXPECT_EQ(seen[16], "unpacking required packages: 1 (adduser)");
  EXPECT_EQ(seen[18], "configuring required packages: 1 (adduser)");
}

TEST(DebootstrapProgress, OtherLinesAreNotStages) {
  DebootstrapProgress p;
  EXPECT_FALSE(p.feed("E: Failed getting release file http://127.0.0.1:9/debian/dists/x/Release"));
  EXPECT_FALSE(p.feed(""));
  EXPECT_EQ(p.stage(), "");
}

}  // namespace
}  // namespace bale::cmd
