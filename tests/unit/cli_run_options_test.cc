// The direct parser of `bale run` options: what it takes, and what it leaves to CLI11.
#include "cli/run_options.h"

#include <gtest/gtest.h>

#include <vector>

namespace bale::cli {
namespace {

std::optional<cmd::RunOptions> parse(std::vector<std::string> words) {
  static std::vector<std::string> keep;
  keep = words;
  keep.insert(keep.begin(), {"bale", "run"});
  std::vector<char*> argv;
  for (auto& w : keep) argv.push_back(w.data());
  return parse_run_fast(static_cast<int>(argv.size()), argv.data(), 1);
}

TEST(RunOptions, OptionsThenImageThenCommandUntouched) {
  auto o = parse({"-e", "A=1", "--env=B=2", "-v", "/h:/c:ro", "--read-only", "--cpus", "1.5",
                  "img.bale", "sh", "-c", "echo -e x", "--read-only"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->env, (std::vector<std::string>{"A=1", "B=2"}));
  EXPECT_EQ(o->volumes, (std::vector<std::string>{"/h:/c:ro"}));
  EXPECT_TRUE(o->read_only);
  EXPECT_EQ(o->cpus, 1.5);
  EXPECT_EQ(o->image, "img.bale");
  EXPECT_EQ(o->command, (std::vector<std::string>{"sh", "-c", "echo -e x", "--read-only"}));
}

TEST(RunOptions, DoubleDashEndsOptions) {
  auto o = parse({"--", "-weird-name"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->image, "-weird-name");
}

TEST(RunOptions, UnusualInputIsLeftToCli11) {
  EXPECT_FALSE(parse({"--help"}));
  EXPECT_FALSE(parse({"--bogus", "img"}));
  EXPECT_FALSE(parse({"-e"}));
  EXPECT_FALSE(parse({"--cpus", "lots", "img"}));
  EXPECT_FALSE(parse({"--insecure=yes", "img"}));
  EXPECT_FALSE(parse({}));
}

TEST(RunOptions, ImageIndexSkipsOptionValues) {
  std::vector<std::string> w = {"bale", "run", "-e", "A=1", "--insecure", "img", "cmd"};
  std::vector<char*> argv;
  for (auto& s : w) argv.push_back(s.data());
  EXPECT_EQ(image_index(static_cast<int>(argv.size()), argv.data(), 1), 5);
}

TEST(RunOptions, EveryFlagIsFoundByEachSpelling) {
  for (const RunFlag* f = kRunFlags; f->names; f++) {
    std::string names = f->names;
    for (size_t i = 0; i < names.size();) {
      size_t j = names.find(',', i);
      if (j == std::string::npos) j = names.size();
      EXPECT_EQ(find_run_flag(names.substr(i, j - i)), f) << names;
      i = j + 1;
    }
  }
}

}  // namespace
}  // namespace bale::cli
