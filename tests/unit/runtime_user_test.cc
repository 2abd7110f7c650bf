// USER[:GROUP] resolution against an image's passwd and group files.
#include "runtime/user.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace bale::runtime {
namespace {

const char* kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# a comment\n"
    "app:x:1000:1000:App:/home/app:/bin/sh\n"
    "svc:x:1001:50::/srv:/bin/false\n";
const char* kGroup =
    "root:x:0:\n"
    "app:x:1000:\n"
    "staff:x:50:\n"
    "audio:x:29:app,svc\n"
    "video:x:44:svc\n";

TEST(ResolveUser, EmptyIsRoot) {
  auto u = resolve_user("", kPasswd, kGroup);
  EXPECT_EQ(u.uid, 0u);
  EXPECT_EQ(u.gid, 0u);
  EXPECT_EQ(u.home, "/root");
}

TEST(ResolveUser, NameGivesIdsHomeAndSupplementaryGroups) {
  auto u = resolve_user("svc", kPasswd, kGroup);
  EXPECT_EQ(u.uid, 1001u);
  EXPECT_EQ(u.gid, 50u);
  EXPECT_EQ(u.home, "/srv");
  EXPECT_EQ(u.groups, (std::vector<gid_t>{29, 44}));
}

TEST(ResolveUser, NumericUserInPasswdUsesItsEntry) {
  auto u = resolve_user("1000", kPasswd, kGroup);
  EXPECT_EQ(u.name, "app");
  EXPECT_EQ(u.home, "/home/app");
}

TEST(ResolveOwner, BareNumberIsItsOwnGroupInPasswdOrNot) {
  auto in = resolve_owner("1000", "app:x:1000:2000::/home/app:/bin/sh\n", kGroup);
  EXPECT_EQ(in.uid, 1000u);
  EXPECT_EQ(in.gid, 1000u);
  auto out = resolve_owner("4242", kPasswd, kGroup);
  EXPECT_EQ(out.uid, 4242u);
  EXPECT_EQ(out.gid, 4242u);
}

TEST(ResolveOwner, NameTakesItsPrimaryGroupAndAGroupWins) {
  EXPECT_EQ(resolve_owner("svc", kPasswd, kGroup).gid, 50u);
  EXPECT_EQ(resolve_owner("4242:44", kPasswd, kGroup).gid, 44u);
  EXPECT_EQ(resolve_owner("4242:staff", kPasswd, kGroup).gid, 50u);
}

TEST(ResolveUser, NumericUserNotInPasswdIsAllowed) {
  auto u = resolve_user("4242", kPasswd, kGroup);
  EXPECT_EQ(u.uid, 4242u);
  EXPECT_EQ(u.gid, 0u);
  EXPECT_EQ(u.home, "/");
}

TEST(ResolveUser, ExplicitGroupByNameOrNumberDropsSupplementary) {
  auto u = resolve_user("app:staff", kPasswd, kGroup);
  EXPECT_EQ(u.gid, 50u);
  EXPECT_TRUE(u.groups.empty());
  EXPECT_EQ(resolve_user("app:77", kPasswd, kGroup).gid, 77u);
}

TEST(ResolveUser, UnknownNamesAreErrors) {
  try {
    resolve_user("nobody", kPasswd, kGroup);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "user 'nobody': no such user in the image's /etc/passwd");
  }
  EXPECT_THROW(resolve_user("app:nogroup", kPasswd, kGroup), Error);
}

}  // namespace
}  // namespace bale::runtime
