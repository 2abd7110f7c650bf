// Reference parsing with docker's normalisation, and the references it refuses.
#include "registry/reference.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace bale::registry {
namespace {

const std::string kHex(64, 'a');

TEST(Reference, DockerHubShortNames) {
  Reference r = parse_reference("debian");
  EXPECT_EQ(r.registry, "docker.io");
  EXPECT_EQ(r.repository, "library/debian");
  EXPECT_EQ(r.tag, "latest");
  EXPECT_EQ(r.str(), "docker.io/library/debian:latest");
  EXPECT_EQ(r.familiar(), "debian:latest");
  EXPECT_EQ(r.api_host(), "registry-1.docker.io");
  EXPECT_EQ(parse_reference("user/app:1.0").str(), "docker.io/user/app:1.0");
  EXPECT_EQ(parse_reference("user/app:1.0").familiar(), "user/app:1.0");
  EXPECT_EQ(parse_reference("docker.io/debian:12").str(), "docker.io/library/debian:12");
  EXPECT_EQ(parse_reference("index.docker.io/library/debian").str(), "docker.io/library/debian:latest");
}

TEST(Reference, OtherRegistries) {
  Reference r = parse_reference("127.0.0.1:5000/team/app:v2");
  EXPECT_EQ(r.registry, "127.0.0.1:5000");
  EXPECT_EQ(r.repository, "team/app");
  EXPECT_EQ(r.tag, "v2");
  EXPECT_EQ(r.api_host(), "127.0.0.1:5000");
  EXPECT_EQ(r.familiar(), "127.0.0.1:5000/team/app:v2");
  EXPECT_EQ(parse_reference("quay.io/org/x").str(), "quay.io/org/x:latest");
  EXPECT_EQ(parse_reference("localhost/app").registry, "localhost");
  EXPECT_EQ(parse_reference("localhost:5000/app").repository, "app");  // no library/ off docker.io
  // A first part without '.' or ':' is a repository path on docker.io.
  EXPECT_EQ(parse_reference("myhost/app").str(), "docker.io/myhost/app:latest");
}

TEST(Reference, Digests) {
  Reference r = parse_reference("debian@sha256:" + kHex);
  EXPECT_EQ(r.tag, "");
  EXPECT_EQ(r.digest, "sha256:" + kHex);
  EXPECT_EQ(r.manifest_ref(), "sha256:" + kHex);
  EXPECT_EQ(r.familiar(), "");
  EXPECT_EQ(r.str(), "docker.io/library/debian@sha256:" + kHex);
  Reference both = parse_reference("host:1/a:t@sha256:" + kHex);
  EXPECT_EQ(both.tag, "t");
  EXPECT_EQ(both.manifest_ref(), "sha256:" + kHex);
  EXPECT_EQ(both.str(), "host:1/a:t@sha256:" + kHex);
}

TEST(Reference, SeparatorsInPathComponents) {
  EXPECT_EQ(parse_reference("ab/a.b_c__d---e/f-g").repository, "ab/a.b_c__d---e/f-g");
  // A first part with a dot names a registry, and "_" is no host name character.
  EXPECT_THROW(parse_reference("a.b_c/d"), Error);
  for (const char* bad : {"a..b", "a___b", "_a", "a_", "a-", "-a", "a/", "/a", "a//b"})
    EXPECT_THROW(parse_reference(bad), Error) << bad;
}

void expect_refused(const std::string& text, const std::string& part) {
  try {
    parse_reference(text);
    FAIL() << "accepted " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'" + text + "'"), std::string::npos) << e.what();
  }
}

TEST(Reference, RefusalsSayWhatIsWrong) {
  expect_refused("Debian", "lower case");
  expect_refused("docker.io/Library/debian", "lower case");
  expect_refused("debian:", "tag ''");
  expect_refused("debian:.x", "tag '.x'");
  expect_refused("debian:" + std::string(129, 'a'), "at most 128");
  expect_refused("debian@sha256:abc", "64 lower-case hex");
  expect_refused("debian@md5:" + kHex, "is not sha256");
  expect_refused("debian@sha256:" + std::string(64, 'A'), "64 lower-case hex");
  expect_refused("", "no repository");
  expect_refused("host:port/x", "not a host[:port]");
  expect_refused("-bad.host/x", "not a host[:port]");
  expect_refused("a/" + std::string(260, 'b'), "longer than 255");
}

TEST(Reference, Sha256Digest) {
  EXPECT_TRUE(is_sha256_digest("sha256:" + kHex));
  EXPECT_FALSE(is_sha256_digest("sha256:" + kHex.substr(1)));
  EXPECT_FALSE(is_sha256_digest("sha512:" + kHex));
}

}  // namespace
}  // namespace bale::registry
