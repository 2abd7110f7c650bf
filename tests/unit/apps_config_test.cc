// apps/app_config: NAME.yaml with its drop-ins merged key by key in name order; what it refuses.
#include <gtest/gtest.h>

#include "apps/app_config.h"
#include "base/error.h"
#include "base/fs.h"

namespace bale::apps {
namespace {

TEST(AppConfig, DropInsReplaceKeysInNameOrder) {
  TempDir dir;
  AppConfig c;
  c.name = "tool";
  c.app = "/usr/local/bin/tool";
  c.image = "img";
  c.target = "/bin/tool";
  c.layers = {"l1", "l2"};
  c.env = {"A=%A"};
  write_app(dir.path(), c);
  mkdir_p(dir.path() + "/tool.d");
  write_file_atomic(dir.path() + "/tool.d/20-late.yaml", "target: /bin/late\n");
  write_file_atomic(dir.path() + "/tool.d/10-early.yaml", "target: /bin/early\nlayers:\n- only\n");
  write_file_atomic(dir.path() + "/tool.d/ignored.conf", "nonsense\n");
  std::optional<AppConfig> got = load_app(dir.path(), "tool");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->target, "/bin/late");
  EXPECT_EQ(got->layers, (std::vector<std::string>{"only"}));
  EXPECT_EQ(got->env, (std::vector<std::string>{"A=%A"}));
  EXPECT_EQ(got->image, "img");
  EXPECT_EQ(got->engine, "bale");
  EXPECT_FALSE(load_app(dir.path(), "other"));
  EXPECT_EQ(list_apps(dir.path()).size(), 1u);
}

TEST(AppConfig, RefusesUnknownKeysAndAForeignName) {
  TempDir dir;
  write_file_atomic(dir.path() + "/a.yaml", "app: /bin/a\nimage: i\nimgae: typo\n");
  try {
    load_app(dir.path(), "a");
    ADD_FAILURE() << "an unknown key was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown key 'imgae'"), std::string::npos) << e.what();
  }
  write_file_atomic(dir.path() + "/b.yaml", "app: /bin/other\nimage: i\n");
  EXPECT_THROW(load_app(dir.path(), "b"), Error);
  write_file_atomic(dir.path() + "/c.yaml", "app: /bin/c\nimage: i\nresume: maybe\n");
  EXPECT_THROW(load_app(dir.path(), "c"), Error);
}

TEST(AppConfig, Names) {
  EXPECT_TRUE(valid_app_name("aws"));
  EXPECT_TRUE(valid_app_name("python3.11"));
  EXPECT_TRUE(valid_app_name("g++"));
  EXPECT_FALSE(valid_app_name("bale"));
  EXPECT_FALSE(valid_app_name(".hidden"));
  EXPECT_FALSE(valid_app_name("a/b"));
  EXPECT_FALSE(valid_app_name("sp ace"));
  EXPECT_FALSE(valid_app_name(""));
}

}  // namespace
}  // namespace bale::apps
