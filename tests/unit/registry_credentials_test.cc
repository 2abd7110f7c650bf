// docker's config.json: the spellings of a registry's key docker and podman write, writing an
// entry without losing the rest of the file, and a malformed entry named.
#include "registry/credentials.h"

#include <sys/stat.h>

#include <cstdlib>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"

namespace bale::registry {
namespace {

class Credentials : public ::testing::Test {
 protected:
  void SetUp() override { setenv("DOCKER_CONFIG", dir_.path().c_str(), 1); }
  void TearDown() override { unsetenv("DOCKER_CONFIG"); }
  void write(const std::string& text) { write_file_atomic(dir_.path() + "/config.json", text); }
  TempDir dir_;
};

TEST_F(Credentials, DockerSpellings) {
  EXPECT_EQ(docker_config_path(), dir_.path() + "/config.json");
  EXPECT_FALSE(find_credentials("quay.io"));  // no file at all
  // "YWxpY2U6czNjcjp0" is base64 of "alice:s3cr:t": the password may hold a colon.
  write(R"({"auths": {"https://index.docker.io/v1/": {"auth": "YWxpY2U6czNjcjp0"},
                      "https://quay.io": {"auth": "Ym9iOnB3"}}, "credsStore": "x"})");
  auto hub = find_credentials("docker.io");
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->user, "alice");
  EXPECT_EQ(hub->password, "s3cr:t");
  ASSERT_TRUE(find_credentials("quay.io"));
  EXPECT_EQ(find_credentials("quay.io")->user, "bob");
  EXPECT_FALSE(find_credentials("127.0.0.1:5000"));
}

TEST_F(Credentials, StoreKeepsTheRestAt0600) {
  write(R"({"auths": {"quay.io": {"auth": "Ym9iOnB3"}}, "credsStore": "desktop"})");
  store_credentials("127.0.0.1:5000", {"carol", "pw"});
  store_credentials("docker.io", {"dave", "pw2"});
  auto j = nlohmann::json::parse(read_file(dir_.path() + "/config.json"));
  EXPECT_EQ(j["credsStore"], "desktop");
  EXPECT_EQ(j["auths"]["quay.io"]["auth"], "Ym9iOnB3");
  EXPECT_EQ(find_credentials("127.0.0.1:5000")->user, "carol");
  EXPECT_TRUE(j["auths"].contains("https://index.docker.io/v1/"));
  EXPECT_EQ(find_credentials("docker.io")->password, "pw2");
  struct stat st;
  ASSERT_EQ(stat((dir_.path() + "/config.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(Credentials, MalformedEntryNamed) {
  write(R"({"auths": {"quay.io": {"auth": "not base64!"}}})");
  try {
    find_credentials("quay.io");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("config.json': auths.'quay.io'.auth is not base64 of USER:PASSWORD"),
              std::string::npos)
        << e.what();
  }
  write("[1]");
  EXPECT_THROW(find_credentials("quay.io"), Error);
}

}  // namespace
}  // namespace bale::registry
