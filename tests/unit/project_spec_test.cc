// A command's argv and environment from bale.yaml: the list-vs-string argument rules and the
// precedence of the environment's sources, with nothing else taken from the host.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "project/parse.h"
#include "project/spec.h"
#include "project/tree.h"

namespace bale::project {
namespace {

Project parse(const std::string& text) { return parse_project(parse_yaml(text, "bale.yaml"), "/src"); }

const char* kYaml = R"(
containers:
  c:
    image: x
    environ: {A: container, B: container}
commands:
  list: {run: [echo, one]}
  shell: {run: 'echo "$@"'}
  open: {run: 'echo "$@"', accepts-arguments: true}
  env: {run: [env], environ: {B: command, C: command}}
)";

TEST(ProjectSpec, ListAppendsArguments) {
  Project p = parse(kYaml);
  EXPECT_EQ(command_argv(p.commands.at("list"), {"a b", "c"}),
            (std::vector<std::string>{"echo", "one", "a b", "c"}));
}

TEST(ProjectSpec, StringRefusesArgumentsUnlessAccepted) {
  Project p = parse(kYaml);
  EXPECT_EQ(command_argv(p.commands.at("shell"), {}),
            (std::vector<std::string>{"/bin/sh", "-c", "echo \"$@\"", "shell"}));
  try {
    command_argv(p.commands.at("shell"), {"x"});
    FAIL() << "arguments were taken";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
    EXPECT_STREQ(e.what(), "command 'shell' takes no arguments (its 'run' is a shell string)");
  }
  EXPECT_EQ(command_argv(p.commands.at("open"), {"x", "y"}),
            (std::vector<std::string>{"/bin/sh", "-c", "echo \"$@\"", "open", "x", "y"}));
}

TEST(ProjectSpec, EnvironmentPrecedenceAndNothingElseFromTheHost) {
  Project p = parse(kYaml);
  setenv("TERM", "vt100", 1);
  setenv("https_proxy", "http://p:1", 1);
  setenv("BALE_TEST_LEAK", "host", 1);
  setenv("A", "host", 1);
  nlohmann::json config = {{"Env", {"PATH=/image/bin", "A=image", "D=image"}}};
  Invocation inv;
  inv.env = {"C=cli", "E=cli"};
  auto env = command_environ(p.containers.at("c"), p.commands.at("env"), config, inv);
  std::sort(env.begin(), env.end());  // the host's variables come in the host's order
  EXPECT_EQ(env, (std::vector<std::string>{"A=container", "B=command", "C=cli", "D=image", "E=cli",
                                           "PATH=/image/bin", "TERM=vt100", "https_proxy=http://p:1"}));
  unsetenv("BALE_TEST_LEAK");
  unsetenv("A");
}

TEST(ProjectSpec, DefaultPathWithoutOneInTheImage) {
  Project p = parse(kYaml);
  auto env = command_environ(p.containers.at("c"), p.commands.at("list"), nlohmann::json::object(), {});
  ASSERT_FALSE(env.empty());
  EXPECT_EQ(env[0], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
}

}  // namespace
}  // namespace bale::project
