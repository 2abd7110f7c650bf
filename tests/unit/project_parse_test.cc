// bale.yaml: the typed model, and the messages for each kind of mistake (file:line, path, what).
#include <gtest/gtest.h>

#include <string>

#include "base/error.h"
#include "project/errors.h"
#include "project/order.h"
#include "project/parse.h"
#include "project/tree.h"

namespace bale::project {
namespace {

Project parse(const std::string& text) {
  Project p = parse_project(parse_yaml(text, "bale.yaml"), "/src");
  check_no_cycles(p);
  return p;
}

// The message of the error that parsing `text` throws ("" if it parses).
std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), kExitBadConfig) << e.what();
    return e.what();
  }
  return "";
}

const char* kBase = R"(
containers:
  dev:
    dockerfile: docker/dev.Dockerfile
    context: docker
    build-args: {VERSION: 3}
    environ: {LANG: C.UTF-8}
    work-dir: /work/src
  db:
    image: postgres:15
    volumes:
      /var/lib/postgresql: {persistent: pgdata}
      /tmp: {tmpfs: true, size: 64m, mode: "1777"}
commands:
  test:
    description: run the tests
    container: dev
    run: [make, test]
    environ: {CI: "1"}
    prerequisites: [gen]
  gen:
    container: dev
    run: ./generate.sh "$@"
    accepts-arguments: true
    user: "1000:1000"
    volumes:
      /src: {bind: src, read-only: true}
      /root/.cache: {cache: pip}
  serve:
    description: the stack
    supervise:
      mode: restart
      children: [test, gen]
      grace-period: 2.5
)";

TEST(ProjectParse, ReadsEveryField) {
  Project p = parse(kBase);
  ASSERT_EQ(p.containers.size(), 2u);
  const Container& dev = p.containers.at("dev");
  EXPECT_EQ(dev.dockerfile, "docker/dev.Dockerfile");
  EXPECT_EQ(dev.context, "docker");
  EXPECT_EQ(dev.build_args.at("VERSION"), "3");
  ASSERT_EQ(dev.environ.size(), 1u);
  EXPECT_EQ(dev.environ[0].second, "C.UTF-8");
  EXPECT_EQ(dev.work_dir, "/work/src");
  const Container& db = p.containers.at("db");
  EXPECT_EQ(db.image, "postgres:15");
  ASSERT_EQ(db.volumes.size(), 2u);
  EXPECT_EQ(db.volumes[0].kind, Volume::Kind::kPersistent);
  EXPECT_EQ(db.volumes[0].source, "pgdata");
  EXPECT_EQ(db.volumes[1].kind, Volume::Kind::kTmpfs);
  EXPECT_EQ(db.volumes[1].size, "64m");
  EXPECT_EQ(db.volumes[1].mode, "1777");
  const Command& test = p.commands.at("test");
  EXPECT_EQ(test.run_list, (std::vector<std::string>{"make", "test"}));
  EXPECT_FALSE(test.run_shell);
  EXPECT_EQ(test.description, "run the tests");
  const Command& gen = p.commands.at("gen");
  EXPECT_EQ(*gen.run_shell, "./generate.sh \"$@\"");
  EXPECT_TRUE(gen.accepts_arguments);
  EXPECT_EQ(gen.user, "1000:1000");
  EXPECT_EQ(gen.volumes[0].kind, Volume::Kind::kBind);
  EXPECT_TRUE(gen.volumes[0].read_only);
  EXPECT_EQ(gen.volumes[1].kind, Volume::Kind::kCache);
  const Command& serve = p.commands.at("serve");
  ASSERT_TRUE(serve.supervise);
  EXPECT_EQ(serve.supervise->mode, SuperviseMode::kRestart);
  EXPECT_EQ(serve.supervise->children, (std::vector<std::string>{"test", "gen"}));
  EXPECT_DOUBLE_EQ(serve.supervise->grace_seconds, 2.5);
}

TEST(ProjectParse, MissingRunNamesLineAndPath) {
  EXPECT_EQ(error_of("containers:\n  c: {image: x}\ncommands:\n  a:\n    run: [true]\n  test:\n"
                     "    description: hi\n"),
            "bale.yaml:6: commands.test: 'run' is missing (or 'supervise')");
}

TEST(ProjectParse, UnknownKeyIsNamed) {
  EXPECT_EQ(error_of("containers:\n  c: {image: x}\ncommands:\n  t:\n    rnu: [true]\n"),
            "bale.yaml:5: commands.t: unknown key 'rnu' (known keys: description, container, run, "
            "accepts-arguments, environ, volumes, work-dir, user, prerequisites, supervise)");
  EXPECT_EQ(error_of("comands: {}\n").substr(0, 40), "bale.yaml:1: (top level): unknown key 'c");
}

TEST(ProjectParse, WrongTypesAreNamed) {
  EXPECT_EQ(error_of("containers:\n  c: {image: x}\ncommands:\n  t:\n    run: {a: b}\n"),
            "bale.yaml:5: commands.t.run: expected a list (exec'd) or a string (run by /bin/sh -c), "
            "found a mapping");
  EXPECT_EQ(error_of("containers:\n  c: {image: x}\ncommands:\n  t:\n    run: [true]\n"
                     "    accepts-arguments: \"yes\"\n"),
            "bale.yaml:6: commands.t.accepts-arguments: expected true or false");
  EXPECT_EQ(error_of("containers:\n  c: {image: [x]}\n"),
            "bale.yaml:2: containers.c.image: expected a string, found a list");
  EXPECT_EQ(error_of("containers:\n  c: {image: x}\ncommands:\n  t:\n    run: [true]\n"
                     "    environ: [A=1]\n"),
            "bale.yaml:6: commands.t.environ: expected a mapping of names to values, found a list");
}

TEST(ProjectParse, ContainerNeedsExactlyOneSource) {
  EXPECT_EQ(error_of("containers:\n  c:\n    environ: {A: b}\n"),
            "bale.yaml:2: containers.c: 'dockerfile', 'build' or 'image' is missing");
  EXPECT_EQ(error_of("containers:\n  c:\n    image: x\n    build: FROM scratch\n"),
            "bale.yaml:2: containers.c: give only one of 'dockerfile', 'build' and 'image'");
  EXPECT_EQ(error_of("containers:\n  c:\n    image: x\n    context: y\n"),
            "bale.yaml:4: containers.c.context: only for 'dockerfile' or 'build'");
}

TEST(ProjectParse, ReferencesMustExist) {
  EXPECT_EQ(error_of("containers:\n  c: {image: x}\n  d: {image: y}\ncommands:\n  t:\n    run: [true]\n"),
            "bale.yaml:5: commands.t: 'container' is missing (the project has several)");
  EXPECT_EQ(error_of("containers:\n  c: {image: x}\ncommands:\n  t:\n    container: e\n    run: [true]\n"),
            "bale.yaml:4: commands.t.container: no container named 'e'");
  EXPECT_EQ(error_of("containers:\n  c: {image: x}\ncommands:\n  t:\n    run: [true]\n"
                     "    prerequisites: [nope]\n"),
            "bale.yaml:4: commands.t.prerequisites: no command named 'nope'");
  EXPECT_EQ(error_of("commands:\n  s:\n    supervise: {children: [x]}\n"),
            "bale.yaml:2: commands.s.supervise.children: no command named 'x'");
}

TEST(ProjectParse, TheOnlyContainerIsTheDefault) {
  Project p = parse("containers:\n  c: {image: x}\ncommands:\n  t:\n    run: [true]\n");
  EXPECT_EQ(p.commands.at("t").container, "c");
}

TEST(ProjectParse, BindsOutsideTheProjectAreRefused) {
  const char* head = "containers:\n  c:\n    image: x\n    volumes:\n";
  EXPECT_EQ(error_of(std::string(head) + "      /x: {bind: /etc}\n"),
            "bale.yaml:5: containers.c.volumes./x.bind: '/etc' is outside the project: a bind "
            "takes a path relative to the project root");
  EXPECT_EQ(error_of(std::string(head) + "      /x: {bind: a/../../b}\n"),
            "bale.yaml:5: containers.c.volumes./x.bind: 'a/../../b' is outside the project");
  EXPECT_EQ(error_of(std::string(head) + "      /x: {bind: a, persistent: b}\n"),
            "bale.yaml:5: containers.c.volumes./x: give exactly one of tmpfs, bind, persistent, cache");
  EXPECT_EQ(error_of(std::string(head) + "      x: {tmpfs: true}\n"),
            "bale.yaml:5: containers.c.volumes.x: the container path must be absolute, not '/', "
            "and without '..'");
  EXPECT_EQ(error_of(std::string(head) + "      /x: {bind: a, size: 1m}\n"),
            "bale.yaml:5: containers.c.volumes./x.size: only for tmpfs");
}

TEST(ProjectParse, BadYamlNamesLineAndColumn) {
  std::string e = error_of("commands:\n  t:\n    run: [a, b\n  u: 1\n");
  EXPECT_TRUE(e.starts_with("bale.yaml:4:")) << e;
  EXPECT_NE(e.find("bad YAML"), std::string::npos) << e;
  EXPECT_EQ(error_of("commands:\n  t: {}\n  t: {}\n"),
            "bale.yaml:3:3: key 't' appears twice in this mapping");
}

TEST(ProjectParse, AnchorsAliasesAndMergeKeys) {
  Project p = parse(R"(
containers:
  c: {image: x}
commands:
  base: &base
    run: [sh, -c, base]
    environ: &env {A: "1", B: "2"}
    description: the base
  derived:
    <<: *base
    description: derived
  other:
    run: [true]
    environ:
      <<: [*env, {C: "3"}]
      B: "9"
)");
  const Command& d = p.commands.at("derived");
  EXPECT_EQ(d.run_list, (std::vector<std::string>{"sh", "-c", "base"}));
  EXPECT_EQ(d.description, "derived");  // its own key wins over the merged one
  const Command& o = p.commands.at("other");
  ASSERT_EQ(o.environ.size(), 3u);
  EXPECT_EQ(o.environ[0], (std::pair<std::string, std::string>{"B", "9"}));
  EXPECT_EQ(o.environ[1], (std::pair<std::string, std::string>{"A", "1"}));
  EXPECT_EQ(o.environ[2], (std::pair<std::string, std::string>{"C", "3"}));
  EXPECT_EQ(error_of("commands:\n  t:\n    <<: 1\n"),
            "bale.yaml:3:9: '<<' (merge key) takes a mapping or a list of mappings");
}

TEST(ProjectParse, HostileFilesEndInAnError) {
  // Aliases of aliases: 9^30 values if copied out; bale stops at its limit.
  std::string laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 30; i++) {
    laughs += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 9; j++) laughs += (j ? ", *a" : "*a") + std::to_string(i - 1);
    laughs += "]\n";
  }
  EXPECT_NE(error_of(laughs).find("more than 200000 values (aliases expanding without end?)"), std::string::npos);
  std::string deep = "commands: " + std::string(100, '[') + std::string(100, ']') + "\n";
  EXPECT_NE(error_of(deep).find("nested too deeply"), std::string::npos) << error_of(deep);
  EXPECT_NE(error_of("commands: " + std::string(100000, '[')).find("bad YAML"), std::string::npos);
}

TEST(ProjectParse, LocalFileMergesKeyByKey) {
  Node tree = parse_yaml("containers:\n  c: {image: x}\ncommands:\n  t:\n    run: [a]\n"
                         "    environ: {A: '1', B: '2'}\n    description: keep\n", "bale.yaml");
  merge_over(tree, parse_yaml("commands:\n  t:\n    run: [b, c]\n    environ: {B: '3'}\n"
                              "  u: {run: [d]}\n", "bale.local.yaml"));
  Project p = parse_project(tree, "/src");
  const Command& t = p.commands.at("t");
  EXPECT_EQ(t.run_list, (std::vector<std::string>{"b", "c"}));  // a list replaces
  EXPECT_EQ(t.description, "keep");
  ASSERT_EQ(t.environ.size(), 2u);
  EXPECT_EQ(t.environ[1].second, "3");
  EXPECT_TRUE(p.commands.count("u"));
  // An error in the local file names that file.
  merge_over(tree, parse_yaml("commands:\n  t:\n    bogus: 1\n", "bale.local.yaml"));
  try {
    parse_project(tree, "/src");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "bale.local.yaml:3: commands.t: unknown key 'bogus' (known keys: "
                           "description, container, run, accepts-arguments, environ, volumes, "
                           "work-dir, user, prerequisites, supervise)");
  }
}

TEST(ProjectOrder, DependenciesFirstEachOnce) {
  Project p = parse(R"(
containers: {c: {image: x}}
commands:
  a: {run: [a], prerequisites: [b, c]}
  b: {run: [b], prerequisites: [d]}
  c: {run: [c], prerequisites: [d]}
  d: {run: [d]}
  s: {supervise: {children: [a, e]}, prerequisites: [d]}
  e: {run: [e], prerequisites: [c]}
)");
  EXPECT_EQ(prerequisite_order(p, "a"), (std::vector<std::string>{"d", "b", "c"}));
  EXPECT_EQ(prerequisite_order(p, "d"), std::vector<std::string>{});
  EXPECT_EQ(prerequisite_order(p, "s"), (std::vector<std::string>{"d", "b", "c"}));
}

TEST(ProjectOrder, CyclesAreNamed) {
  EXPECT_EQ(error_of("containers: {c: {image: x}}\ncommands:\n  a: {run: [a], prerequisites: [b]}\n"
                     "  b: {run: [b], prerequisites: [c]}\n  c: {run: [c], prerequisites: [a]}\n"),
            "bale.yaml:3: commands.a.prerequisites: the prerequisites form a cycle: a -> b -> c -> a");
}

}  // namespace
}  // namespace bale::project
