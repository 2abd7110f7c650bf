// The HOST:CONTAINER[:ro|rw] parser shared by `run -v` and an app's --bind.
#include <gtest/gtest.h>

#include "base/error.h"
#include "runtime/container.h"

namespace bale::runtime {
namespace {

TEST(ParseBind, Modes) {
  auto b = parse_bind("/h:/c:ro", "--bind", true);
  EXPECT_EQ(b.host, "/h");
  EXPECT_EQ(b.container, "/c");
  EXPECT_TRUE(b.read_only);
  EXPECT_FALSE(parse_bind("/h:/c", "--bind", true).read_only);
  EXPECT_FALSE(parse_bind("/h:/c:rw", "-v", false).read_only);
  EXPECT_THROW(parse_bind("/h:/c:rx", "--bind", true), Error);
  EXPECT_THROW(parse_bind("/h:c", "--bind", true), Error);
  EXPECT_THROW(parse_bind("just-a-path", "-v", false), Error);
  EXPECT_THROW(parse_bind(":/c", "-v", false), Error);
}

TEST(ParseBind, RelativeHostOnlyWhereAllowed) {
  EXPECT_EQ(parse_bind("data:/c", "-v", false).host, "data");
  try {
    parse_bind("h:/c", "--bind", true);
    FAIL() << "a relative host path was taken";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--bind 'h:/c': the host path must be absolute"), std::string::npos)
        << e.what();
    EXPECT_EQ(e.exit_code(), kExitUsage);
  }
}

}  // namespace
}  // namespace bale::runtime
