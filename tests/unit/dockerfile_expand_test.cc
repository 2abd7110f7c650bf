// Variable substitution: cases re-expressed from BuildKit's shell lexer tests (envVarTest,
// wordsTest, TestProcessWithMatches) plus the edges of globs, quotes and errors.
#include <gtest/gtest.h>

#include "base/error.h"
#include "dockerfile/expand.h"

namespace bale::dockerfile {
namespace {

using Strings = std::vector<std::string>;
using Env = std::map<std::string, std::string>;

// BuildKit's envVarTest environment.
const Env kEnv = {{"PWD", "/home"}, {"SHELL", "bash"}, {"KOREAN", "한국어"}, {"NULL", ""}};

std::string word(std::string_view text, const Env& env = kEnv, char escape = '\\') {
  return expand_word(text, map_vars(env), escape);
}

Strings words(std::string_view text, const Env& env) { return expand_words(text, map_vars(env)); }

// The message of the bale::Error the expansion throws, or "no error: <result>".
std::string error(std::string_view text, const Env& env = kEnv, char escape = '\\') {
  try {
    return "no error: " + word(text, env, escape);
  } catch (const Error& e) {
    return e.what();
  }
}

TEST(ExpandPlain, DollarForms) {
  EXPECT_EQ(word("hello"), "hello");
  EXPECT_EQ(word("he$PWD"), "he/home");
  EXPECT_EQ(word("he${PWD}xx"), "he/homexx");
  EXPECT_EQ(word("he${hi}xx"), "hexx");  // unset: empty
  EXPECT_EQ(word("he$pwd."), "he.");     // names are case-sensitive
  EXPECT_EQ(word("$."), "$.");           // no name: the $ stays
  EXPECT_EQ(word("a$"), "a$");
  EXPECT_EQ(word("he$1x"), "hex");              // a digit run is a name of its own
  EXPECT_EQ(word("$PWD_x$SHELL-x"), "bash-x");  // _ belongs to the name, - does not
  EXPECT_EQ(word("$$ $@ $# ${?}"), "   ");      // special parameters, unset here
  EXPECT_EQ(word("안녕$KOREAN"), "안녕한국어");
  EXPECT_EQ(word("$KOREAN안녕"), "");  // non-ASCII letters continue a name, as in Go
  EXPECT_EQ(word("${aaa}}"), "}");
}

TEST(ExpandOperators, DefaultAndAlternative) {
  Env env = {{"SET", "x"}, {"EMPTY", ""}};
  EXPECT_EQ(word("${SET:-w}|${EMPTY:-w}|${UNSET:-w}", env), "x|w|w");
  EXPECT_EQ(word("${SET-w}|${EMPTY-w}|${UNSET-w}", env), "x||w");
  EXPECT_EQ(word("${SET:+w}|${EMPTY:+w}|${UNSET:+w}", env), "w||");
  EXPECT_EQ(word("${SET+w}|${EMPTY+w}|${UNSET+w}", env), "w|w|");
  EXPECT_EQ(word("${UNSET:-}${SET:-}", env), "x");
  EXPECT_EQ(word("${aaa:-bbb {foo}"), "bbb {foo");
  EXPECT_EQ(word("${aaa:-bbb}}"), "bbb}");
}

TEST(ExpandOperators, Required) {
  Env env = {{"SET", "x"}, {"EMPTY", ""}, {"ARG", "x"}};
  EXPECT_EQ(word("${SET:?m}${SET?m}${EMPTY?m}", env), "xx");
  EXPECT_EQ(error("${EMPTY:?message here$ARG}", env), "EMPTY: message herex");
  EXPECT_EQ(error("${UNSET:?message here$ARG}", env), "UNSET: message herex");
  EXPECT_EQ(error("${UNSET?message}", env), "UNSET: message");
  EXPECT_EQ(error("${EMPTY:?}", env), "EMPTY: is not allowed to be empty");
  EXPECT_EQ(error("${UNSET:?}", env), "UNSET: is not allowed to be unset");
  EXPECT_EQ(error("${UNSET?}", env), "UNSET: is not allowed to be unset");
}

TEST(ExpandOperators, Nested) {
  EXPECT_EQ(word("he${XXX:-$PWD}xx"), "he/homexx");
  EXPECT_EQ(word("he${XXX:-${PWD:-yyy}}xx"), "he/homexx");
  EXPECT_EQ(word("he${XXX:-${YYY:-yyy}}xx"), "heyyyxx");
  EXPECT_EQ(word("he${XXX:+${PWD}}xx"), "hexx");
  EXPECT_EQ(word("he${PWD:+${XXX}}xx"), "hexx");
  EXPECT_EQ(word("he${PWD:+${SHELL}}xx"), "hebashxx");
  EXPECT_EQ(word("he${PWD:+${PWD}:}xx"), "he/home:xx");
  EXPECT_EQ(word("he${XXX:-\\$PWD:}xx"), "he$PWD:xx");
  EXPECT_EQ(word("he${XXX:-\\${PWD}z}xx"), "he${PWDz}xx");  // the escaped ${ is text; } ends
  EXPECT_EQ(word("${a:-\"x y\"}${a:-'$PWD'}"), "x y$PWD");  // quotes work in operands
  const char* release = "v-${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tgz";
  Env arm = {{"TARGETOS", "linux"}, {"TARGETARCH", "arm"}, {"TARGETVARIANT", "v7"}};
  EXPECT_EQ(word(release, arm), "v-linux-arm-v7.tgz");
  arm["TARGETVARIANT"] = "";
  EXPECT_EQ(word(release, arm), "v-linux-arm.tgz");
}

TEST(ExpandQuotes, SingleDoubleAndRemoval) {
  EXPECT_EQ(word("he'll'o"), "hello");
  EXPECT_EQ(word("'he${XX}'"), "he${XX}");
  EXPECT_EQ(word("'$PWD'"), "$PWD");
  EXPECT_EQ(word("'\\$PWD'"), "\\$PWD");  // no escapes inside '...'
  EXPECT_EQ(word("'hello\\'"), "hello\\");
  EXPECT_EQ(word("\"$PWD\""), "/home");
  EXPECT_EQ(word("\"he'$PWD'\""), "he'/home'");
  EXPECT_EQ(word("'\"hello\"'"), "\"hello\"");
  EXPECT_EQ(word("\"''\""), "''");
  EXPECT_EQ(word("\"a  b\" c"), "a  b c");  // expand_word keeps blanks
  EXPECT_EQ(word("안'녕'하세요"), "안녕하세요");
}

TEST(ExpandQuotes, Escapes) {
  EXPECT_EQ(word("he\\'llo"), "he'llo");
  EXPECT_EQ(word("abc\\tdef"), "abctdef");        // unquoted: escapes anything
  EXPECT_EQ(word("\"abc\\tdef\""), "abc\\tdef");  // quoted: only " $ and the escape
  EXPECT_EQ(word("\"abc\\\\tdef\""), "abc\\tdef");
  EXPECT_EQ(word("'abc\\tdef'"), "abc\\tdef");
  EXPECT_EQ(word("hello\\"), "hello");  // dropped at the end
  EXPECT_EQ(word("hello\\\\"), "hello\\");
  EXPECT_EQ(word("he\\$PWD"), "he$PWD");
  EXPECT_EQ(word("he\\\\$PWD"), "he\\/home");
  EXPECT_EQ(word("\"he\\$PWD\""), "he$PWD");
  EXPECT_EQ(word("\"he\\\\$PWD\""), "he\\/home");
  EXPECT_EQ(word("\\${}"), "${}");
  EXPECT_EQ(word("he\\${}xx"), "he${}xx");
}

TEST(ExpandQuotes, BacktickEscape) {
  EXPECT_EQ(word("C:\\dir\\$SHELL", kEnv, '`'), "C:\\dir\\bash");  // \ is plain text
  EXPECT_EQ(word("he`$PWD", kEnv, '`'), "he$PWD");
  EXPECT_EQ(word("a` b``", kEnv, '`'), "a b`");
  EXPECT_EQ(word("\"a`\"b`$x\\\"", kEnv, '`'), "a\"b$x\\");
  EXPECT_EQ(word("\"`a\"", kEnv, '`'), "`a");
  EXPECT_EQ(word("he`", kEnv, '`'), "he");
  // Glob escapes stay '\': the backtick is kept in a pattern and is a plain character there.
  Env v = {{"v", "`*x*"}};
  EXPECT_EQ(word("${v#`\\*}|${v#`*}", v, '`'), "x*|*x*");
}

TEST(ExpandGlobs, PrefixAndSuffix) {
  Env env = {{"FOO", "xxyy"}, {"BAR", "x"}, {"EMPTY", ""}, {"P", "a/b/c.tar.gz"}};
  EXPECT_EQ(word("${FOO#*x*y}", env), "y");
  EXPECT_EQ(word("${FOO#*}|${FOO##*}", env), "xxyy|");
  EXPECT_EQ(word("${FOO#x}|${FOO##*x}|${FOO#}|${FOO##}", env), "xyy|yy|xxyy|xxyy");
  EXPECT_EQ(word("${FOO#$BAR}|${FOO#$EMPTY}|${FOO#y}", env), "xyy|xxyy|xxyy");
  EXPECT_EQ(word("${FOO%y}|${FOO%%x*}|${FOO%}|${FOO%%$EMPTY}", env), "xxy||xxyy|xxyy");
  EXPECT_EQ(word("${P%.*}|${P%%.*}|${P#*/}|${P##*/}", env), "a/b/c.tar|a/b/c|b/c.tar.gz|c.tar.gz");
  EXPECT_EQ(word("${P#?/}|${P#?}|${P%.g?}", env), "b/c.tar.gz|/b/c.tar.gz|a/b/c.tar");
  EXPECT_EQ(word("${UNSET#*}${UNSET%%x}", env), "");
  EXPECT_EQ(word("${ABC:-.}${FOO%x}${ABC:-.}", env), ".xxyy.");
  Env runes = {{"K", "한국어"}};
  EXPECT_EQ(word("${K#?}|${K%?}", runes), "국어|한국");  // ? is one character, not one byte
}

TEST(ExpandGlobs, EscapesAndLiterals) {
  Env env = {{"FOO", "()[]{}^$.*?|\\x"}, {"S", "xx**"}, {"T", "a***yy*"}, {"Q", "???y"}};
  EXPECT_EQ(word("${FOO#()[]{\\}^$.\\*\\?|\\\\}", env), "x");  // regexp characters are plain
  EXPECT_EQ(word("${S%%\\**}|${T%%\\**\\*}|${Q#?\\?}", env), "xx|a|?y");
  Env br = {{"B", "[ab]c"}};
  EXPECT_EQ(word("${B#[ab]}|${B#a}", br), "c|[ab]c");  // no bracket expressions
  Env nl = {{"N", "a\nb"}};
  EXPECT_EQ(word("${N#*b}|${N#a?}|${N%%*}", nl), "a\nb|a\nb|a\n");  // * and ? stop at \n
}

TEST(ExpandGlobs, Replace) {
  Env env = {{"FOO", "/foo*/*/*.txt"}, {"NEEDLE", "\\*/"}, {"URL", "http://google.de"}};
  EXPECT_EQ(word("${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}", env), "/foo.*/*.txt - /foo..*.txt");
  EXPECT_EQ(word("${URL/http:\\/\\//https://}", env), "https://google.de");
  env = {{"FOO", "/a/foo/b/c.txt"}, {"NEEDLE", "/?/"}, {"R", "/"}};
  EXPECT_EQ(word("${FOO/$NEEDLE/$R} - ${FOO//$NEEDLE/$R}", env), "/foo/b/c.txt - /foo/c.txt");
  env = {{"FOO", "/tmp/foo.txt"}, {"T", "/tmp/tmp/bar.txt"}, {"N", "/tmp"}};
  EXPECT_EQ(word("${FOO//\\//\\/}", env), "\\/tmp\\/foo.txt");  // the escape stays in r
  EXPECT_EQ(word("${T/$N/} - ${T//$N/}", env), "/tmp/bar.txt - /bar.txt");
  env = {{"V", "banana"}, {"E", ""}};
  EXPECT_EQ(word("${V/a*a/_}|${V//a?/_}|${V//[a]/_}", env), "b_|b__a|banana");  // longest
  EXPECT_EQ(word("${V/$E/ww}|${V//$E/-}|${V///}|${UNSET///}", env),
            "wwbanana|-b-a-n-a-n-a-|banana|");
  EXPECT_EQ(word("${V//x*/y}|${V//*/y}", env), "banana|y");
}

TEST(ExpandGlobs, ReplaceAllTemplate) {
  // Only ${v//p/r} runs r through Go's regexp template: $0 is the match, $$ a dollar.
  Env env = {{"V", "banana"}, {"D", "$$"}, {"Z", "$0"}, {"N", "$name$"}};
  EXPECT_EQ(word("${V//a/<\\$0>}|${V/a/<\\$0>}", env), "b<\\a>n<\\a>n<\\a>|b<\\$0>nana");
  EXPECT_EQ(word("${V//n/$D}|${V//n/$Z$Z}|${V//b/$N}", env), "ba$a$a|bannanna|$anana");
}

TEST(ExpandWords, Splitting) {
  Env env = {{"hi", "hi"}, {"space", "abc  def"}, {"leading", "  ab c"}, {"trailing", "ab c   "}};
  EXPECT_EQ(words("hello", env), Strings{"hello"});
  EXPECT_EQ(words("hello${hi}bye", env), Strings{"hellohibye"});
  EXPECT_EQ(words("hello${space}bye", env), (Strings{"helloabc", "defbye"}));
  EXPECT_EQ(words("hello\"${space}\"bye", env), Strings{"helloabc  defbye"});
  EXPECT_EQ(words("hello \"${space}\"bye", env), (Strings{"hello", "abc  defbye"}));
  EXPECT_EQ(words("hello${leading}def", env), (Strings{"hello", "ab", "cdef"}));
  EXPECT_EQ(words("hello\"${leading}\" def", env), (Strings{"hello  ab c", "def"}));
  EXPECT_EQ(words("hello${trailing}d", env), (Strings{"helloab", "c", "d"}));
  EXPECT_EQ(words("hel\"lo${trailing}\"", env), Strings{"helloab c   "});
  EXPECT_EQ(words("hello\" there  \"", env), Strings{"hello there  "});
  EXPECT_EQ(words("  hello   there  ", env), (Strings{"hello", "there"}));
  EXPECT_EQ(words("hello\\ there", env), Strings{"hello there"});
  EXPECT_EQ(words("hello\\\" there", env), (Strings{"hello\"", "there"}));
  EXPECT_EQ(words("'' a \"\" b", env), (Strings{"a", "b"}));        // empty quotes make no word
  EXPECT_EQ(words("${UNSET:-\"x y\"}", env), (Strings{"x", "y"}));  // an expansion splits
  EXPECT_EQ(words("", env), Strings{});
}

TEST(ExpandHeredoc, QuotesArePlain) {
  Env env = {{"X", "1"}};
  EXPECT_EQ(expand_heredoc("echo \"$X\" '$X' ${X:+\"y\"}\n", map_vars(env)),
            "echo \"1\" '1' \"y\"\n");
  EXPECT_EQ(expand_heredoc("a \\$X b\\\\c\n", map_vars(env)), "a $X b\\c\n");
  EXPECT_EQ(expand_heredoc("it's\n", map_vars(env)), "it's\n");  // no unmatched quote
}

TEST(ExpandErrors, Messages) {
  EXPECT_EQ(error("${"), "bad substitution: missing '}' in '${'");
  EXPECT_EQ(error("he${PWD"), "bad substitution: missing '}' in 'he${PWD'");
  EXPECT_EQ(error("${aaa:-bbb"), "bad substitution: missing '}' in '${aaa:-bbb'");
  EXPECT_EQ(error("${aaa:-bbb ${foo}"), "bad substitution: missing '}' in '${aaa:-bbb ${foo}'");
  EXPECT_EQ(error("${a:-'x}"), "bad substitution: missing '}' in '${a:-\\'x}'");
  EXPECT_EQ(error("${a:-${b:?x}"), "bad substitution: missing '}' in '${a:-${b:?x}'");
  EXPECT_EQ(error("${}"), "bad substitution: missing variable name in '${}'");
  EXPECT_EQ(error("x${{aaa}"), "bad substitution: missing variable name in 'x${{aaa}'");
  EXPECT_EQ(error("${:-b}"), "bad substitution: missing variable name in '${:-b}'");
  EXPECT_EQ(error("he${.}"), "bad substitution: unsupported operator '.' in 'he${.}'");
  EXPECT_EQ(error("${v=x}"), "bad substitution: unsupported operator '=' in '${v=x}'");
  EXPECT_EQ(error("${v:=x}"), "bad substitution: unsupported operator ':=' in '${v:=x}'");
  EXPECT_EQ(error("${XXX:YYY}"), "bad substitution: unsupported operator ':Y' in '${XXX:YYY}'");
  EXPECT_EQ(error("${v:#x}"), "bad substitution: unsupported operator ':#' in '${v:#x}'");
  EXPECT_EQ(error("${v:0:2}"), "bad substitution: unsupported operator ':0' in '${v:0:2}'");
  EXPECT_EQ(error("${FOO//ww}"), "bad substitution: missing '/' after the pattern in '${FOO//ww}'");
  EXPECT_EQ(error("${FOO/a/b"), "bad substitution: missing '}' in '${FOO/a/b'");
  EXPECT_EQ(error("${v#a\\b}"),
            "bad substitution: invalid escape in pattern 'a\\\\b' in '${v#a\\\\b}'");
  EXPECT_EQ(error("${v%a\\}"), "bad substitution: missing '}' in '${v%a\\\\}'");
  EXPECT_EQ(error("${v//a\\/b}"),
            "bad substitution: missing '/' after the pattern in '${v//a\\\\/b}'");
  EXPECT_EQ(error("he'llo"), "unmatched single quote in 'he\\'llo'");
  EXPECT_EQ(error("\"hello\\\""), "unmatched double quote in '\"hello\\\\\"'");
  EXPECT_EQ(error("${a:-${b:?x}}"), "b: x");  // not at the end: the inner error stands
  std::string deep;
  for (int i = 0; i < 101; i++) deep += "${a:-";
  EXPECT_EQ(error(deep + std::string(101, '}')), "bad substitution: more than 100 nested '${' in " +
                                                     quote(deep + std::string(101, '}')));
}

TEST(ExpandUsed, NamesLookedUp) {
  Env env = {{"FOO", "xxyy"}, {"BAR", "x"}};
  std::set<std::string> used;
  expand_word("x ${FOO#$BAR} ${UNSET:-$BAZ} '$QUOTED' \\$ESC $1", map_vars(env, &used));
  EXPECT_EQ(used, (std::set<std::string>{"1", "BAR", "BAZ", "FOO", "UNSET"}));
  used.clear();
  expand_words("${FOO:+$W} ${FOO/$P/$R}", map_vars(env, &used));  // unused operands count too
  EXPECT_EQ(used, (std::set<std::string>{"FOO", "P", "R", "W"}));
  used.clear();
  expand_word("plain", map_vars(env, &used));
  EXPECT_TRUE(used.empty());
}

}  // namespace
}  // namespace bale::dockerfile
