// registries.yaml: entries normalised as references are, matched at '/' boundaries, edited in
// place, and lines bale cannot read named.
#include "registry/policy.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "base/fs.h"

namespace bale::registry {
namespace {

TEST(Policy, Normalize) {
  EXPECT_EQ(normalize_policy_entry("docker.io/library"), "docker.io/library");
  EXPECT_EQ(normalize_policy_entry("debian"), "docker.io/library/debian");
  EXPECT_EQ(normalize_policy_entry("docker.io/debian"), "docker.io/library/debian");
  EXPECT_EQ(normalize_policy_entry("user/app"), "docker.io/user/app");
  EXPECT_EQ(normalize_policy_entry("127.0.0.1:5000"), "127.0.0.1:5000");
  EXPECT_EQ(normalize_policy_entry("quay.io/org"), "quay.io/org");
  EXPECT_THROW(normalize_policy_entry("debian:12/x:1"), Error);
  EXPECT_THROW(normalize_policy_entry("quay.io/org/app:1"), Error);
  EXPECT_THROW(normalize_policy_entry("debian@sha256:" + std::string(64, 'a')), Error);
  EXPECT_THROW(normalize_policy_entry("Quay.io/Org"), Error);
}

TEST(Policy, CoversAtSlashBoundaries) {
  std::vector<std::string> e{"docker.io/library", "127.0.0.1:5000"};
  EXPECT_TRUE(policy_covers(e, parse_reference("debian:12")));
  EXPECT_TRUE(policy_covers(e, parse_reference("127.0.0.1:5000/a/b:1")));
  EXPECT_FALSE(policy_covers(e, parse_reference("user/app")));
  EXPECT_FALSE(policy_covers({"docker.io/lib"}, parse_reference("debian")));
  EXPECT_FALSE(policy_covers({"127.0.0.1:500"}, parse_reference("127.0.0.1:5000/a")));
}

TEST(Policy, EditAndRead) {
  TempDir d;
  EXPECT_TRUE(read_policy(d.path()).empty());
  EXPECT_TRUE(policy_add(d.path(), "debian"));
  EXPECT_FALSE(policy_add(d.path(), "docker.io/library/debian"));
  EXPECT_TRUE(policy_add(d.path(), "quay.io/org"));
  EXPECT_EQ(read_policy(d.path()), (std::vector<std::string>{"docker.io/library/debian", "quay.io/org"}));
  EXPECT_TRUE(policy_remove(d.path(), "debian"));
  EXPECT_FALSE(policy_remove(d.path(), "debian"));
  EXPECT_EQ(read_policy(d.path()), (std::vector<std::string>{"quay.io/org"}));
}

TEST(Policy, UnreadableLineNamed) {
  TempDir d;
  write_file_atomic(policy_path(d.path()), "trusted:\n  - quay.io/org\nsomething: x\n");
  try {
    read_policy(d.path());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("registries.yaml' line 3"), std::string::npos) << e.what();
  }
  write_file_atomic(policy_path(d.path()), "# comment\ntrusted:\n  - \"quay.io/org\"  # the team\n");
  EXPECT_EQ(read_policy(d.path()), (std::vector<std::string>{"quay.io/org"}));
}

}  // namespace
}  // namespace bale::registry

namespace bale::registry {
namespace {

TEST(Policy, MirrorsReadAndKeptByEdits) {
  TempDir d;
  write_file_atomic(policy_path(d.path()),
                    "trusted:\n  - quay.io/org\nmirrors:\n  docker.io:\n    - m1.example:5000\n"
                    "    - m2.example\n  quay.io:\n    - m3.example\n");
  EXPECT_EQ(mirrors_for(d.path(), "docker.io"), (std::vector<std::string>{"m1.example:5000", "m2.example"}));
  EXPECT_EQ(mirrors_for(d.path(), "quay.io"), (std::vector<std::string>{"m3.example"}));
  EXPECT_TRUE(mirrors_for(d.path(), "ghcr.io").empty());
  EXPECT_TRUE(policy_add(d.path(), "debian"));
  EXPECT_EQ(mirrors_for(d.path(), "docker.io").size(), 2u);
  EXPECT_EQ(read_policy(d.path()), (std::vector<std::string>{"quay.io/org", "docker.io/library/debian"}));
  write_file_atomic(policy_path(d.path()), "mirrors:\n  docker.io:\n    - m.example/path\n");
  EXPECT_THROW(read_policy(d.path()), Error);
  write_file_atomic(policy_path(d.path()), "mirrors:\n  - m.example\n");  // no registry above it
  EXPECT_THROW(read_policy(d.path()), Error);
}

}  // namespace
}  // namespace bale::registry
