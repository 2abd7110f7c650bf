// WWW-Authenticate challenges as registries send them.
#include "registry/challenge.h"

#include <gtest/gtest.h>

namespace bale::registry {
namespace {

TEST(Challenge, DockerHubBearer) {
  Challenge c = parse_challenge(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/debian:pull")");
  EXPECT_EQ(c.scheme, "bearer");
  EXPECT_EQ(c.param("realm"), "https://auth.docker.io/token");
  EXPECT_EQ(c.param("service"), "registry.docker.io");
  EXPECT_EQ(c.param("scope"), "repository:library/debian:pull");
}

TEST(Challenge, BasicWithSpacesAndEscapes) {
  Challenge c = parse_challenge(R"(Basic  realm = "a \"quoted\" realm" , charset=UTF-8)");
  EXPECT_EQ(c.scheme, "basic");
  EXPECT_EQ(c.param("realm"), "a \"quoted\" realm");
  EXPECT_EQ(c.param("charset"), "UTF-8");
}

TEST(Challenge, ScopeWithCommaInQuotes) {
  Challenge c = parse_challenge(R"(Bearer realm="r",scope="repository:a:pull,push")");
  EXPECT_EQ(c.param("scope"), "repository:a:pull,push");
}

TEST(Challenge, EmptyOrJunk) {
  EXPECT_EQ(parse_challenge("").scheme, "");
  Challenge c = parse_challenge("Bearer ,,junk");
  EXPECT_EQ(c.scheme, "bearer");
  EXPECT_TRUE(c.params.empty());
}

}  // namespace
}  // namespace bale::registry
