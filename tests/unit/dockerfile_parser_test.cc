// The Dockerfile parser: directives, line joining, instruction shapes and located errors.
#include <gtest/gtest.h>

#include "base/error.h"
#include "dockerfile/dump.h"
#include "dockerfile/flags.h"
#include "dockerfile/parser.h"

namespace bale::dockerfile {
namespace {

Dockerfile parse(std::string_view text) { return parse_dockerfile(text, "Dockerfile"); }

// An instruction's flags as the words they were written as.
std::vector<std::string> flag_words(const Instruction& in) {
  std::vector<std::string> out;
  for (const auto& f : in.flags) out.push_back(f.text());
  return out;
}

// The error message parsing `text` as "path/Dockerfile" gives, or "" if it parses.
std::string error_of(std::string_view text) {
  try {
    parse_dockerfile(text, "path/Dockerfile");
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), 1);
    return e.what();
  }
  return "";
}

TEST(BuildParser, KeywordsAreCaseInsensitiveAndLowerCased) {
  auto df = parse("from alpine\nRuN echo hi\n");
  ASSERT_EQ(df.instructions.size(), 2u);
  EXPECT_EQ(df.instructions[0].keyword, "from");
  EXPECT_EQ(df.instructions[1].keyword, "run");
  EXPECT_EQ(df.instructions[1].args, std::vector<std::string>{"echo hi"});
  EXPECT_EQ(df.instructions[1].start_line, 2);
}

TEST(BuildParser, EscapeDirectiveBacktick) {
  auto df = parse("# escape=`\nFROM x\nRUN dir c:\\ `\n  && echo done\n");
  EXPECT_EQ(df.directives.escape, '`');
  ASSERT_EQ(df.instructions.size(), 2u);
  EXPECT_EQ(df.instructions[1].args[0], "dir c:\\   && echo done");
  EXPECT_EQ(df.instructions[1].start_line, 3);
  EXPECT_EQ(df.instructions[1].end_line, 4);
}

TEST(BuildParser, DirectivesAreCaseInsensitiveAndOnlyAtTheTop) {
  auto df = parse("# SYNTAX = docker/dockerfile:1\n#Check=skip=all\n# escape=`\nFROM x\n");
  EXPECT_EQ(df.directives.syntax, "docker/dockerfile:1");
  EXPECT_EQ(df.directives.check, "skip=all");
  EXPECT_EQ(df.directives.escape, '`');
  // After a blank line, a comment or an unknown directive, `# escape=` is a plain comment.
  EXPECT_EQ(parse("\n# escape=`\nFROM x\n").directives.escape, '\\');
  EXPECT_EQ(parse("# hello\n# escape=`\nFROM x\n").directives.escape, '\\');
  EXPECT_EQ(parse("# foo=bar\n# escape=`\nFROM x\n").directives.escape, '\\');
  EXPECT_EQ(parse("FROM x\n# escape=`\nRUN a\n").directives.escape, '\\');
}

TEST(BuildParser, BadDirectives) {
  EXPECT_EQ(error_of("# escape=x\nFROM a\n"),
            "path/Dockerfile:1: invalid escape token 'x' does not match ` or \\");
  EXPECT_EQ(error_of("# escape=`\n# Escape=`\nFROM a\n"),
            "path/Dockerfile:2: only one escape parser directive can be used");
}

TEST(BuildParser, CommentsInsideContinuationsAreDropped) {
  auto df = parse("FROM x\nRUN echo a \\\n# a comment \\\n   # another\n  b \\\n\n  c\n");
  ASSERT_EQ(df.instructions.size(), 2u);
  EXPECT_EQ(df.instructions[1].args[0], "echo a   b   c");
  EXPECT_EQ(df.instructions[1].end_line, 7);
  ASSERT_EQ(df.warnings.size(), 1u);  // the blank line
  EXPECT_EQ(df.warnings[0].line, 6);
}

TEST(BuildParser, TrailingEscapeAtEndOfFile) {
  auto df = parse("FROM x\nRUN echo hi \\");
  EXPECT_EQ(df.instructions[1].args[0], "echo hi");
  // An escaped backslash does not continue the line.
  df = parse("FROM x\nENV A b\\\\\nENV C d\n");
  ASSERT_EQ(df.instructions.size(), 3u);
  EXPECT_EQ(df.instructions[1].args[1], "b\\\\");
}

TEST(BuildParser, JsonFormAndShellFallback) {
  auto df = parse("FROM x\nCMD [\"a\", \"b c\"]\nCMD ['a']\nCMD [\"a\"\nENTRYPOINT []\n");
  const auto& in = df.instructions;
  EXPECT_TRUE(in[1].json_form);
  EXPECT_EQ(in[1].args, (std::vector<std::string>{"a", "b c"}));
  EXPECT_FALSE(in[2].json_form);
  EXPECT_EQ(in[2].args, std::vector<std::string>{"['a']"});
  EXPECT_FALSE(in[3].json_form);
  EXPECT_EQ(in[3].args, std::vector<std::string>{"[\"a\""});
  EXPECT_TRUE(in[4].json_form);
  EXPECT_TRUE(in[4].args.empty());
  EXPECT_EQ(error_of("FROM x\nCMD [\"a\", [\"b\"]]\n"),
            "path/Dockerfile:2: when using JSON array syntax, arrays must be comprised of "
            "strings only");
}

TEST(BuildParser, CopyShellFormIsWords) {
  auto df = parse("FROM x\nCOPY  a\tb  /dst/\nVOLUME [\"/v w\"]\n");
  EXPECT_EQ(df.instructions[1].args, (std::vector<std::string>{"a", "b", "/dst/"}));
  EXPECT_EQ(df.instructions[2].args, std::vector<std::string>{"/v w"});
  EXPECT_TRUE(df.instructions[2].json_form);
}

TEST(BuildParser, Flags) {
  auto df = parse(
      "FROM --platform=linux/amd64 x AS b\n"
      "RUN --mount=type=cache,target=\"/a b\" --network=none echo --not-a-flag\n"
      "COPY --from=b -- --odd /dst\n");
  const auto& in = df.instructions;
  EXPECT_EQ(flag_words(in[0]), std::vector<std::string>{"--platform=linux/amd64"});
  EXPECT_EQ(in[0].args, (std::vector<std::string>{"x", "AS", "b"}));
  EXPECT_EQ(flag_words(in[1]),
            (std::vector<std::string>{"--mount=type=cache,target=/a b", "--network=none"}));
  EXPECT_EQ(in[1].args, std::vector<std::string>{"echo --not-a-flag"});
  EXPECT_EQ(flag_words(in[2]), std::vector<std::string>{"--from=b"});
  EXPECT_EQ(in[2].args, (std::vector<std::string>{"--odd", "/dst"}));
}

TEST(BuildParser, FlagsAreNamesAndValues) {
  auto df = parse("FROM x\nCOPY --link --chown= --from=a=b src /dst\n");
  const auto& f = df.instructions[1].flags;
  const std::vector<std::pair<std::string, std::optional<std::string>>> want{
      {"link", std::nullopt}, {"chown", ""}, {"from", "a=b"}};
  ASSERT_EQ(f.size(), want.size());
  for (size_t i = 0; i < want.size(); i++) {
    EXPECT_EQ(f[i].name, want[i].first);
    EXPECT_EQ(f[i].value, want[i].second);
  }
  auto fields = split_flag_fields("type=cache,,target=/x=y,ro");
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[1].key, "target");
  EXPECT_EQ(fields[1].value, "/x=y");
  EXPECT_EQ(fields[2].key, "ro");
  EXPECT_FALSE(fields[2].value);
}

TEST(BuildParser, EnvForms) {
  auto df = parse(
      "FROM x\n"
      "ENV A b c\n"
      "ENV A=1 B=\"two words\" C=three\\ words D='x y'\n"
      "LABEL \"com.example\"=\"v\"\n"
      "ARG V=1 W\n");
  const auto& in = df.instructions;
  EXPECT_EQ(in[1].args, (std::vector<std::string>{"A", "b c", ""}));
  EXPECT_EQ(in[2].args, (std::vector<std::string>{"A", "1", "=", "B", "\"two words\"", "=", "C",
                                                  "three\\ words", "=", "D", "'x y'", "="}));
  EXPECT_EQ(in[3].args, (std::vector<std::string>{"\"com.example\"", "\"v\"", "="}));
  EXPECT_EQ(in[4].args, (std::vector<std::string>{"V=1", "W"}));
  EXPECT_EQ(error_of("FROM x\nENV PATH\n"), "path/Dockerfile:2: ENV must have two arguments");
  EXPECT_EQ(error_of("FROM x\nLABEL a=b c\n"),
            "path/Dockerfile:2: Syntax error - can't find = in 'c'. Must be of the form: "
            "name=value");
}

TEST(BuildParser, OnbuildHealthcheckAndOthers) {
  auto df = parse(
      "FROM x\n"
      "ONBUILD COPY --from=y . /app\n"
      "HEALTHCHECK NONE\n"
      "HEALTHCHECK --interval=5s CMD [\"curl\", \"-f\", \"http://x/\"]\n"
      "MAINTAINER me <me@example.com>\n"
      "STOPSIGNAL SIGTERM\n");
  const auto& in = df.instructions;
  ASSERT_TRUE(in[1].onbuild);
  EXPECT_EQ(in[1].onbuild->keyword, "copy");
  EXPECT_EQ(flag_words(*in[1].onbuild), std::vector<std::string>{"--from=y"});
  EXPECT_EQ(in[1].onbuild->original, "COPY --from=y . /app");
  EXPECT_EQ(dump(in[1]), "onbuild (copy [\"--from=y\"] \".\" \"/app\")");
  EXPECT_EQ(in[2].args, std::vector<std::string>{"NONE"});
  EXPECT_EQ(in[3].args, (std::vector<std::string>{"CMD", "curl", "-f", "http://x/"}));
  EXPECT_TRUE(in[3].json_form);
  EXPECT_EQ(in[4].args, std::vector<std::string>{"me <me@example.com>"});
  EXPECT_EQ(in[5].args, std::vector<std::string>{"SIGTERM"});
}

TEST(BuildParser, ErrorsNameFileAndLine) {
  EXPECT_EQ(error_of("FROM x\n\nFOO bar\n"), "path/Dockerfile:3: unknown instruction: FOO");
  EXPECT_EQ(error_of("FROM x\nRUNN a\n"),
            "path/Dockerfile:2: unknown instruction: RUNN (did you mean RUN?)");
  EXPECT_EQ(error_of("FROM x\nONBUILD ONBUILD RUN a\n"),
            "path/Dockerfile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  EXPECT_EQ(error_of("FROM x\nONBUILD FROM y\n"),
            "path/Dockerfile:2: FROM isn't allowed as an ONBUILD trigger");
  EXPECT_EQ(error_of(""), "path/Dockerfile:1: file with no instructions");
  EXPECT_EQ(error_of("# just\n# comments\n"), "path/Dockerfile:2: file with no instructions");
  EXPECT_EQ(error_of("FROM x\n" + std::string(70000, 'a') + "\n"),
            "path/Dockerfile:2: line longer than the maximum of 65535 bytes");
}

TEST(BuildParser, ByteOrderMarkAndCrLf) {
  auto df = parse("\xEF\xBB\xBF# escape=`\r\nFROM x\r\nRUN a `\r\n b\r\n");
  EXPECT_EQ(df.directives.escape, '`');
  EXPECT_EQ(df.instructions[1].args[0], "a  b");
}

TEST(BuildParser, DumpFormat) {
  auto df = parse(
      "FROM x\nCOPY --chown=a:b [\"a\", \"b\"]\nENV k=\"v\\tw\"\nHEALTHCHECK\n"
      "ONBUILD RUN [\"echo\", \"\\u00e9\\n\"]\n");
  EXPECT_EQ(dump(df),
            "(from \"x\")\n"
            "(copy [\"--chown=a:b\"] \"a\" \"b\")\n"
            "(env \"k\" \"\\\"v\\\\tw\\\"\" \"=\")\n"
            "(healthcheck)\n"
            "(onbuild (run \"echo\" \"é\\n\"))\n");
}

}  // namespace
}  // namespace bale::dockerfile
