// apps/yaml_subset: the app files' YAML subset, read as YAML reads it, and refused past it.
#include <gtest/gtest.h>

#include "apps/launch.h"
#include "apps/yaml_subset.h"
#include "base/error.h"

namespace bale::apps {
namespace {

const YamlValue& get(const YamlMap& m, const std::string& key) {
  for (const auto& [k, v] : m)
    if (k == key) return v;
  throw std::runtime_error("no key " + key);
}

TEST(YamlSubset, ScalarsListsAndComments) {
  YamlMap m = parse_yaml_subset(
      "# a comment\n---\nimage: aws:latest  # trailing comment\ntarget: \"/usr/bin/aws\"\n"
      "user: 'o''brien'\nworkdir:\nlayers:\n  - mid\n  - \"top #1\"\nenv: []\n"
      "base: ~\nlabel: a#b\n",
      "t");
  EXPECT_EQ(get(m, "image").scalar, "aws:latest");
  EXPECT_EQ(get(m, "target").scalar, "/usr/bin/aws");
  EXPECT_EQ(get(m, "user").scalar, "o'brien");
  EXPECT_FALSE(get(m, "workdir").is_list);
  EXPECT_EQ(get(m, "workdir").scalar, "");
  ASSERT_TRUE(get(m, "layers").is_list);
  EXPECT_EQ(get(m, "layers").items, (std::vector<std::string>{"mid", "top #1"}));
  EXPECT_TRUE(get(m, "env").is_list);
  EXPECT_TRUE(get(m, "env").items.empty());
  EXPECT_EQ(get(m, "base").scalar, "");
  EXPECT_EQ(get(m, "label").scalar, "a#b");
  EXPECT_EQ(m[0].first, "image");  // the order of the file
}

TEST(YamlSubset, QuoteRoundTrips) {
  for (std::string s : {"", "plain", "with \"quotes\" and \\", "tab\there\nnewline", "%VAR @x",
                        "ctl\x01", "grüße: #"}) {
    YamlMap m = parse_yaml_subset("k: " + yaml_quote(s) + "\n", "t");
    EXPECT_EQ(get(m, "k").scalar, s);
  }
}

TEST(YamlSubset, RefusesWhatItDoesNotTake) {
  for (const char* bad : {"a:\n  b: c\n", "a: [x, y]\n", "a: {b: c}\n", "a: &anchor x\n",
                          "a: *ref\n", "a: |\n  text\n", "a: x\na: y\n", "- orphan\n",
                          "a: \"open\n", "a: b: c\n", "\ta: x\n", "a: \"x\" y\n", "key\n",
                          "a: %x\n", "a: @x\n", "a:x\n", "a: \"\\q\"\n", "a:\n  - x\n- y\n"}) {
    try {
      parse_yaml_subset(bad, "'f.yaml'");
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("'f.yaml' line "), std::string::npos) << e.what();
    }
  }
}

TEST(CallerVars, ExpandedFromTheEnvironment) {
  setenv("BALE_T_SET", "v1", 1);
  unsetenv("BALE_T_UNSET");
  EXPECT_EQ(expand_caller_vars("%BALE_T_SET"), "v1");
  EXPECT_EQ(expand_caller_vars("a-%BALE_T_SET-b"), "a-v1-b");
  EXPECT_EQ(expand_caller_vars("x%BALE_T_UNSET"), "x");
  EXPECT_EQ(expand_caller_vars("%BALE_T_UNSET"), std::nullopt);
  EXPECT_EQ(expand_caller_vars("100%% of %"), "100% of %");
  EXPECT_EQ(expand_caller_vars("%1x"), "%1x");
}

}  // namespace
}  // namespace bale::apps
