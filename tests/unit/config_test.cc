// The image config: edits as pack applies them, and type checks of configs from elsewhere.
#include "image/config.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "runtime/cgroup.h"
#include "store/names.h"

namespace bale::image {
namespace {

using nlohmann::json;

TEST(Config, EntrypointDropsInheritedCmdUnlessGiven) {
  json c = new_config();
  c["config"]["Cmd"] = {"old"};
  ConfigEdits e;
  e.entrypoint = std::vector<std::string>{"/bin/app"};
  apply_edits(c, e);
  EXPECT_FALSE(c["config"].contains("Cmd"));
  e.cmd = std::vector<std::string>{"--flag"};
  apply_edits(c, e);
  EXPECT_EQ(c["config"]["Cmd"], json({"--flag"}));
}

TEST(Config, EnvReplacesSameKeyAndPortsGetProtocol) {
  json c = new_config();
  ConfigEdits e;
  e.env = {"A=1", "B=2", "A=3"};
  e.expose = {"80", "53/udp"};
  apply_edits(c, e);
  EXPECT_EQ(c["config"]["Env"], json({"A=3", "B=2"}));
  EXPECT_TRUE(c["config"]["ExposedPorts"].contains("80/tcp"));
  EXPECT_TRUE(c["config"]["ExposedPorts"].contains("53/udp"));
}

TEST(Config, SanitizeKeepsKnownFieldsAndChecksTypes) {
  json in = json::parse(R"({"config":{"Env":["A=1"],"Hostname":"x"},"history":[1],"os":"linux"})");
  json out = sanitize_config(in, "'c.json'");
  EXPECT_FALSE(out.contains("history"));
  EXPECT_FALSE(out["config"].contains("Hostname"));
  EXPECT_EQ(out["config"]["Env"], json({"A=1"}));
  try {
    sanitize_config(json::parse(R"({"config":{"Labels":"x"}})"), "'c.json'");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "'c.json': config.Labels must be an object of strings");
  }
  EXPECT_THROW(sanitize_config(json::parse(R"({"config":{"Env":["A=1",5]}})"), "x"), Error);
}

TEST(Config, SingleDiffId) {
  std::string id = "sha256:" + std::string(64, 'a');
  EXPECT_EQ(single_diff_id(json{{"rootfs", {{"diff_ids", {id}}}}}, "x"), id);
  EXPECT_THROW(single_diff_id(json::object(), "x"), Error);
  EXPECT_THROW(single_diff_id(json{{"rootfs", {{"diff_ids", {id, id}}}}}, "x"), Error);
  EXPECT_THROW(single_diff_id(json{{"rootfs", {{"diff_ids", {"sha256:xyz"}}}}}, "x"), Error);
}

TEST(Config, LayerDiffIds) {
  std::string a = "sha256:" + std::string(64, 'a'), b = "sha256:" + std::string(64, 'b');
  json two{{"rootfs", {{"diff_ids", {a, b}}}}};
  EXPECT_EQ(layer_diff_ids(two, 2, "x"), (std::vector<std::string>{a, b}));
  try {
    layer_diff_ids(two, 3, "'r' config");
    FAIL() << "a count mismatch was accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "'r' config: the config's rootfs.diff_ids lists 2 layers, the manifest 3");
  }
  EXPECT_THROW(layer_diff_ids(json::object(), 0, "x"), Error);
  EXPECT_THROW(layer_diff_ids(json{{"rootfs", {{"diff_ids", "sha256:x"}}}}, 1, "x"), Error);
  EXPECT_THROW(layer_diff_ids(json{{"rootfs", {{"diff_ids", {a, "md5:0"}}}}}, 2, "x"), Error);
  EXPECT_THROW(layer_diff_ids(json{{"rootfs", {{"diff_ids", {a, 7}}}}}, 2, "x"), Error);
}

TEST(Sizes, ParseSize) {
  EXPECT_EQ(runtime::parse_size("512m", "--memory"), 512ull << 20);
  EXPECT_EQ(runtime::parse_size("2G", "--memory"), 2ull << 30);
  EXPECT_EQ(runtime::parse_size("100", "--pids"), 100u);
  EXPECT_THROW(runtime::parse_size("lots", "--memory"), Error);
  EXPECT_THROW(runtime::parse_size("5q", "--memory"), Error);
}

TEST(Names, Normalize) {
  EXPECT_EQ(store::normalize_name("debian"), "debian:latest");
  EXPECT_EQ(store::normalize_name("debian:bookworm"), "debian:bookworm");
  EXPECT_EQ(store::normalize_name("localhost:5000/app"), "localhost:5000/app:latest");
  EXPECT_THROW(store::normalize_name("Bad Name"), Error);
  EXPECT_THROW(store::normalize_name("/abs"), Error);
}

}  // namespace
}  // namespace bale::image
