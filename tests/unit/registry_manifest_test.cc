// Manifest kinds, what is refused in them, and picking a platform from an index.
#include "registry/manifest.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace bale::registry {
namespace {

const std::string kD = "sha256:" + std::string(64, 'a');

std::string desc(const std::string& type, const std::string& platform = "") {
  return R"({"mediaType":")" + type + R"(","digest":")" + kD + R"(","size":10)" + platform + "}";
}

TEST(Manifest, DockerSchema2) {
  std::string m = R"({"schemaVersion":2,"mediaType":")" + std::string(kDockerManifest) +
                  R"(","config":)" + desc("application/vnd.docker.container.image.v1+json") +
                  R"(,"layers":[)" + desc("application/vnd.docker.image.rootfs.diff.tar.gzip") + "," +
                  desc("application/vnd.docker.image.rootfs.diff.tar.gzip") + "]}";
  Manifest p = parse_manifest(m, "", "x");
  EXPECT_FALSE(p.is_index);
  EXPECT_EQ(p.media_type, kDockerManifest);
  EXPECT_EQ(p.layers.size(), 2u);
  EXPECT_EQ(p.config.size, 10u);
}

TEST(Manifest, OciImageManifest) {
  std::string m = R"({"schemaVersion":2,"mediaType":")" + std::string(kOciManifest) + R"(","config":)" +
                  desc(kOciConfig) + R"(,"layers":[)" + desc(kOciLayerGzip) + "]}";
  Manifest p = parse_manifest(m, kOciManifest, "x");
  EXPECT_FALSE(p.is_index);
  EXPECT_EQ(p.layers.size(), 1u);
  EXPECT_THROW(parse_manifest(R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v1+prettyjws"})",
                              "", "x"),
               Error);
}

TEST(Manifest, OciIndexAndPlatforms) {
  std::string m = R"({"schemaVersion":2,"manifests":[)" +
                  desc(kOciManifest, R"(,"platform":{"os":"linux","architecture":"amd64"})") + "," +
                  desc(kOciManifest, R"(,"platform":{"os":"linux","architecture":"arm64","variant":"v8"})") + "," +
                  desc(kOciManifest, R"(,"platform":{"os":"unknown","architecture":"unknown"})") + "]}";
  Manifest p = parse_manifest(m, kOciIndex, "x");
  EXPECT_TRUE(p.is_index);
  EXPECT_EQ(p.media_type, kOciIndex);  // from the Content-Type when the JSON names none
  ASSERT_EQ(p.manifests.size(), 3u);
  EXPECT_TRUE(select_platform(p, parse_platform("linux/amd64")));
  EXPECT_TRUE(select_platform(p, parse_platform("linux/arm64")));  // no variant asked: any
  EXPECT_TRUE(select_platform(p, parse_platform("linux/arm64/v8")));
  EXPECT_FALSE(select_platform(p, parse_platform("linux/arm64/v7")));
  EXPECT_FALSE(select_platform(p, parse_platform("linux/s390x")));
  EXPECT_EQ(offered_platforms(p), "linux/amd64, linux/arm64/v8, unknown/unknown");
}

void expect_refused(const std::string& m, const std::string& part) {
  try {
    parse_manifest(m, "", "'r'");
    FAIL() << "accepted " << m;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("'r': ", 0), 0u) << e.what();
  }
}

TEST(Manifest, Refusals) {
  expect_refused("{\"schemaVersion\":2,", "not valid JSON (19 bytes)");
  expect_refused("[]", "not a JSON object");
  expect_refused(R"({"schemaVersion":1,"fsLayers":[]})", "schema 1");
  expect_refused(R"({"schemaVersion":2})", "neither manifests nor config and layers");
  expect_refused(R"({"schemaVersion":2,"config":)" + desc("c") + R"(,"layers":[{"digest":"sha256:00","size":1}]})",
                 "not sha256: and 64 hex");
  expect_refused(R"({"schemaVersion":2,"config":)" + desc("c") + R"(,"layers":[{"digest":")" + kD + R"("}]})",
                 "layers[0] has no size");
  expect_refused(R"({"schemaVersion":2,"config":)" + desc("c") + R"(,"layers":[)" +
                     desc("application/vnd.cncf.helm.chart.content.v1.tar+gzip") + "]}",
                 "no tar layer bale can apply");
}

TEST(Platform, Parse) {
  EXPECT_EQ(parse_platform("linux/arm64/v8").str(), "linux/arm64/v8");
  EXPECT_EQ(parse_platform("linux/amd64").variant, "");
  EXPECT_EQ(parse_platform("").os, "linux");
  EXPECT_THROW(parse_platform("linux"), Error);
  EXPECT_THROW(parse_platform("linux//v8"), Error);
  EXPECT_THROW(parse_platform("a/b/c/d"), Error);
}

}  // namespace
}  // namespace bale::registry
