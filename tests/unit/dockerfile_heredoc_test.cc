// Heredocs in RUN, COPY and ADD: openers, bodies, <<- and quoted delimiters.
#include <gtest/gtest.h>

#include "base/error.h"
#include "dockerfile/heredoc.h"
#include "dockerfile/parser.h"

namespace bale::dockerfile {
namespace {

Dockerfile parse(std::string_view text) { return parse_dockerfile(text, "Dockerfile"); }

TEST(BuildHeredoc, OneBodyKeepsNewlinesAndLines) {
  auto df = parse("FROM x\nRUN <<EOF\necho $HOME\n  indented\nEOF\nRUN after\n");
  ASSERT_EQ(df.instructions.size(), 3u);
  const auto& run = df.instructions[1];
  EXPECT_EQ(run.args, std::vector<std::string>{"<<EOF"});
  ASSERT_EQ(run.heredocs.size(), 1u);
  EXPECT_EQ(run.heredocs[0].name, "EOF");
  EXPECT_EQ(run.heredocs[0].content, "echo $HOME\n  indented\n");
  EXPECT_TRUE(run.heredocs[0].expand);
  EXPECT_FALSE(run.heredocs[0].chomp);
  EXPECT_EQ(run.start_line, 2);
  EXPECT_EQ(run.end_line, 5);
  EXPECT_EQ(df.instructions[2].start_line, 6);
}

TEST(BuildHeredoc, SeveralOnOneLineInOrder) {
  auto df = parse("FROM x\nCOPY <<one.txt <<two.txt /dst/\n1\none.txt\n2\ntwo.txt\n");
  const auto& copy = df.instructions[1];
  ASSERT_EQ(copy.heredocs.size(), 2u);
  EXPECT_EQ(copy.heredocs[0].name, "one.txt");
  EXPECT_EQ(copy.heredocs[0].content, "1\n");
  EXPECT_EQ(copy.heredocs[1].name, "two.txt");
  EXPECT_EQ(copy.heredocs[1].content, "2\n");
  EXPECT_EQ(copy.args, (std::vector<std::string>{"<<one.txt", "<<two.txt", "/dst/"}));
}

TEST(BuildHeredoc, DashStripsLeadingTabs) {
  auto df = parse("FROM x\nRUN <<-EOF\n\t\techo a\n\t  b\n\tEOF\n");
  const auto& h = df.instructions[1].heredocs.at(0);
  EXPECT_TRUE(h.chomp);
  EXPECT_EQ(h.content, "echo a\n  b\n");
  // Without the dash a tab-indented delimiter is content, so the heredoc never ends.
  EXPECT_THROW(parse("FROM x\nRUN <<EOF\n\tEOF\n"), Error);
}

TEST(BuildHeredoc, QuotedDelimiterIsNotExpanded) {
  auto df = parse("FROM x\nRUN <<'EOF' cat <<\"B\" && <<E\"N\"D x\na\nEOF\nb\nB\nc\nEND\n");
  const auto& hs = df.instructions[1].heredocs;
  ASSERT_EQ(hs.size(), 3u);
  EXPECT_EQ(hs[0].name, "EOF");
  EXPECT_FALSE(hs[0].expand);
  EXPECT_EQ(hs[1].name, "B");
  EXPECT_FALSE(hs[1].expand);
  EXPECT_EQ(hs[2].name, "END");
  EXPECT_FALSE(hs[2].expand);
  EXPECT_EQ(hs[2].content, "c\n");
}

TEST(BuildHeredoc, FileDescriptorAndNonOpeners) {
  auto hs = find_heredocs("RUN 3<<EOF cat <&3 && echo '<<NOT' a<<b <<");
  ASSERT_EQ(hs.size(), 1u);
  EXPECT_EQ(hs[0].fd, 3);
  EXPECT_EQ(hs[0].name, "EOF");
  // An unterminated quote makes the line no shell words, hence no heredocs (as BuildKit).
  EXPECT_TRUE(find_heredocs("RUN echo 'oops <<EOF").empty());
}

TEST(BuildHeredoc, OnlyShellFormRunCopyAdd) {
  auto df = parse("FROM x\nRUN [\"cat\", \"<<EOF\"]\nCMD cat <<EOF\nONBUILD RUN <<EOF\nhi\nEOF\n");
  ASSERT_EQ(df.instructions.size(), 4u);
  EXPECT_TRUE(df.instructions[1].heredocs.empty());
  EXPECT_TRUE(df.instructions[2].heredocs.empty());
  ASSERT_TRUE(df.instructions[3].onbuild);
  ASSERT_EQ(df.instructions[3].onbuild->heredocs.size(), 1u);
  EXPECT_EQ(df.instructions[3].onbuild->heredocs[0].content, "hi\n");
}

TEST(BuildHeredoc, UnterminatedNamesTheInstructionLine) {
  try {
    parse_dockerfile("FROM x\n\nRUN <<EOF\necho hi\nEOFX\n", "ctx/Dockerfile");
    FAIL() << "an unterminated heredoc was accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "ctx/Dockerfile:3: unterminated heredoc 'EOF'");
  }
}

TEST(BuildHeredoc, StripLeadingTabs) {
  EXPECT_EQ(strip_leading_tabs("\ta\n\t\tb\tc\n\n\t"), "a\nb\tc\n\n");
}

}  // namespace
}  // namespace bale::dockerfile
