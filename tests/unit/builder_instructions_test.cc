// Config-only Dockerfile instructions applied to a stage (build/instructions.h) and the split
// into stages (build/plan.h).
#include <gtest/gtest.h>

#include "builder/instructions.h"
#include "dockerfile/parser.h"
#include "dockerfile/plan.h"
#include "image/config.h"
#include "test_support.h"

namespace bale::builder {
namespace {

using bale::testing::error_of;
using nlohmann::json;

// Applies every instruction of `text` (a stage body, no FROM) to a fresh stage.
StageState apply(const std::string& text, StageState s = {}) {
  if (s.config.is_null()) s.config = image::new_config();
  Dockerfile df = parse_dockerfile(text, "Dockerfile");
  for (const auto& in : df.instructions) apply_config_instruction(s, in, '\\');
  return s;
}

TEST(BuildInstructions, EnvExpandsAllPairsWithTheEarlierValues) {
  StageState s = apply("ENV a=1\nENV a=2 b=$a c=${a}x\n");
  EXPECT_EQ(s.c()["Env"], json({"a=2", "b=1", "c=1x"}));
}

TEST(BuildInstructions, LegacyEnvTakesTheRestOfTheLine) {
  StageState s = apply("ENV greeting hello   big world\n");
  EXPECT_EQ(s.c()["Env"], json({"greeting=hello   big world"}));
}

TEST(BuildInstructions, EnvWinsOverArgInExpansion) {
  StageState s;
  s.config = image::new_config();
  s.args["v"] = "from-arg";
  s = apply("ENV v=from-env\nLABEL seen=$v\n", s);
  EXPECT_EQ(s.c()["Labels"]["seen"], "from-env");
}

TEST(BuildInstructions, EntrypointResetsOnlyAnInheritedCmd) {
  StageState inherited;
  inherited.config = image::new_config();
  inherited.c()["Cmd"] = {"old"};
  StageState a = apply("ENTRYPOINT [\"/app\"]\n", inherited);
  EXPECT_FALSE(a.c().contains("Cmd"));
  StageState b = apply("CMD [\"arg\"]\nENTRYPOINT [\"/app\"]\n", inherited);
  EXPECT_EQ(b.c()["Cmd"], json({"arg"}));
}

TEST(BuildInstructions, ShellFormUsesShell) {
  StageState s = apply("SHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]\nCMD echo $HOME\n");
  EXPECT_EQ(s.c()["Cmd"], json({"/bin/bash", "-eo", "pipefail", "-c", "echo $HOME"}));
  EXPECT_EQ(error_of([] { apply("SHELL /bin/bash\n"); }),
            "SHELL requires the arguments in JSON form: SHELL [\"executable\", \"parameters\"]");
}

TEST(BuildInstructions, ExposeExpandsRangesAndProtocols) {
  StageState s = apply("EXPOSE 80 53/UDP 7000-7001/tcp\n");
  EXPECT_EQ(s.c()["ExposedPorts"],
            json({{"80/tcp", json::object()}, {"53/udp", json::object()},
                  {"7000/tcp", json::object()}, {"7001/tcp", json::object()}}));
  EXPECT_EQ(error_of([] { apply("EXPOSE 70000\n"); }), "EXPOSE '70000': not a port or port range");
  EXPECT_EQ(error_of([] { apply("EXPOSE 80/icmp\n"); }),
            "EXPOSE '80/icmp': unknown protocol 'icmp' (tcp, udp or sctp)");
}

TEST(BuildInstructions, HealthcheckFields) {
  StageState s = apply("HEALTHCHECK --interval=1m30s --start-period=500ms --retries=2 CMD [\"true\"]\n");
  EXPECT_EQ(s.c()["Healthcheck"],
            json({{"Test", {"CMD", "true"}}, {"Interval", 90000000000LL},
                  {"StartPeriod", 500000000LL}, {"Retries", 2}}));
  EXPECT_EQ(apply("HEALTHCHECK NONE\n").c()["Healthcheck"], json({{"Test", {"NONE"}}}));
  EXPECT_EQ(error_of([] { apply("HEALTHCHECK --bogus=1 CMD true\n"); }),
            "HEALTHCHECK: unknown flag '--bogus'");
}

TEST(BuildInstructions, StopSignalAndVolumeAndOnbuild) {
  StageState s = apply("STOPSIGNAL 9\nVOLUME /a /b\nONBUILD   RUN make\n");
  EXPECT_EQ(s.c()["StopSignal"], "9");
  EXPECT_EQ(s.c()["Volumes"], json({{"/a", json::object()}, {"/b", json::object()}}));
  EXPECT_EQ(s.c()["OnBuild"], json({"RUN make"}));
  EXPECT_EQ(error_of([] { apply("STOPSIGNAL SIGNOPE\n"); }), "STOPSIGNAL: unknown signal 'SIGNOPE'");
}

TEST(BuildInstructions, ParseDuration) {
  EXPECT_EQ(parse_duration("0"), 0);
  EXPECT_EQ(parse_duration("1.5s"), 1500000000LL);
  EXPECT_EQ(parse_duration("2h3m"), 7380000000000LL);
  EXPECT_EQ(parse_duration("10us"), 10000);
  EXPECT_EQ(error_of([] { parse_duration("10"); }), "bad duration '10': unknown unit ''");
  EXPECT_EQ(error_of([] { parse_duration("5d"); }), "bad duration '5d': unknown unit 'd'");
}

TEST(BuildPlan, StagesAndReferences) {
  Dockerfile df = parse_dockerfile(
      "ARG V=1\nFROM scratch AS Base\nRUN a\nFROM base\nCOPY --from=0 x y\n", "Dockerfile");
  Plan p = make_plan(df, "Dockerfile");
  ASSERT_EQ(p.stages.size(), 2u);
  EXPECT_EQ(p.global_args.size(), 1u);
  EXPECT_EQ(p.stages[0].name, "base");
  EXPECT_EQ(p.stages[0].body.size(), 1u);
  EXPECT_EQ(find_stage(p, "BASE", 2), 0u);
  EXPECT_EQ(find_stage(p, "1", 2), 1u);
  EXPECT_EQ(find_stage(p, "1", 1), std::nullopt);  // only earlier stages for FROM
  EXPECT_EQ(find_stage(p, "debian", 2), std::nullopt);
}

TEST(BuildPlan, Errors) {
  auto plan_of = [](const std::string& text) {
    return make_plan(parse_dockerfile(text, "Dockerfile"), "Dockerfile");
  };
  EXPECT_EQ(error_of([&] { plan_of("ARG x\n"); }),
            "Dockerfile: no FROM instruction: a Dockerfile needs at least one stage");
  EXPECT_EQ(error_of([&] { plan_of("ENV a=b\nFROM scratch\n"); }),
            "Dockerfile:1: ENV before the first FROM: only ARG may come before FROM");
  EXPECT_EQ(error_of([&] { plan_of("FROM scratch AS a\nFROM scratch AS A\n"); }),
            "Dockerfile:2: duplicate stage name 'a'");
  EXPECT_EQ(error_of([&] { plan_of("FROM scratch AS 1x\n"); }),
            "Dockerfile:1: invalid stage name '1x': use letters, digits, '_', '-' and '.', "
            "starting with a letter");
  EXPECT_EQ(error_of([&] { plan_of("FROM a b c d\n"); }),
            "Dockerfile:1: FROM takes an image and optionally AS NAME: FROM IMAGE [AS NAME]");
}

}  // namespace
}  // namespace bale::builder
