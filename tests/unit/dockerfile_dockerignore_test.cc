// .dockerignore parsing and matching, the context walk and COPY source globs. Many cases restate
// moby/patternmatcher's, Go's filepath.Match and BuildKit's tests in this API's terms.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/fs.h"
#include "dockerfile/dockerignore.h"
#include "test_support.h"

namespace bale::dockerfile {
namespace {

using Strings = std::vector<std::string>;

IgnoreRules rules(std::string_view text) { return IgnoreRules::parse(text, ".dockerignore"); }
bool excluded(std::string_view text, std::string_view path) { return rules(text).excluded(path); }

using bale::testing::error_of;

std::string parse_error(std::string_view text) {
  return error_of([&] { rules(text); });
}

TEST(DockerIgnoreParse, CommentsBlankLinesAndWhitespace) {
  IgnoreRules r =
      rules("\xEF\xBB\xBF# comment\n\n   \n  foo  \r\n\tbar\t\n  # not a comment\n#x\n");
  EXPECT_EQ(r.size(), 3u);
  EXPECT_TRUE(r.excluded("foo"));
  EXPECT_TRUE(r.excluded("bar"));
  EXPECT_TRUE(r.excluded("# not a comment"));  // '#' only counts in the first column
  EXPECT_FALSE(r.excluded("# comment"));
  EXPECT_FALSE(r.excluded("#x"));
  EXPECT_TRUE(rules("").empty());
  EXPECT_TRUE(rules("# only\n\n").empty());
}

TEST(DockerIgnoreParse, PatternsAreCleaned) {
  EXPECT_TRUE(excluded("./a/../b", "b"));
  EXPECT_FALSE(excluded("./a/../b", "a"));
  EXPECT_TRUE(excluded("/test2", "test2"));  // a leading '/' is the context root
  EXPECT_TRUE(excluded("/a/file/here", "a/file/here"));
  EXPECT_TRUE(excluded("a//b/./c/", "a/b/c"));
  EXPECT_TRUE(excluded("dir/", "dir"));  // files and directories alike
  EXPECT_TRUE(excluded("*\n! /inverted/abs/path", "inverted/x"));
  EXPECT_FALSE(excluded("*\n! /inverted/abs/path", "inverted/abs/path"));
  // Outside the context: can never match, but is no error.
  EXPECT_FALSE(excluded("../x", "x"));
  // patternmatcher cleans again with the '!' on: "!../../a" is the plain pattern "a".
  EXPECT_TRUE(excluded("!../../a", "a"));
  EXPECT_EQ(clean_path("./a/../b"), "b");
  EXPECT_EQ(clean_path("a/../.."), "..");
  EXPECT_EQ(clean_path("/../x/"), "/x");
  EXPECT_EQ(clean_path(""), ".");
  EXPECT_EQ(clean_path("//"), "/");
}

TEST(DockerIgnoreMatch, StarAndQuestion) {
  EXPECT_TRUE(excluded("*", "fileutils.go"));
  EXPECT_TRUE(excluded("*.go", "fileutils.go"));
  EXPECT_FALSE(excluded("*.go", "src/main.go"));  // `*` stops at '/'
  EXPECT_TRUE(excluded("*/*.go", "src/main.go"));
  EXPECT_TRUE(excluded("a*/b", "abc/b"));
  EXPECT_FALSE(excluded("a*/b", "a/c/b"));
  EXPECT_TRUE(excluded(".*", ".foo"));
  EXPECT_FALSE(excluded(".*", "foo"));
  EXPECT_TRUE(excluded("abc?def", "abcZdef"));
  EXPECT_FALSE(excluded("abc?def", "abcdef"));
  EXPECT_FALSE(excluded("a?b", "a/b"));
  EXPECT_TRUE(excluded("a?b", "a☺b"));  // one character, not one byte
  EXPECT_FALSE(excluded("a???b", "a☺b"));
  EXPECT_TRUE(excluded("a*b*c*d*e*/f", "axbxcxdxexxx/f"));
  EXPECT_FALSE(excluded("a*b*c*d*e*/f", "axbxcxdxe/xxx/f"));
  EXPECT_TRUE(excluded("a*b?c*x", "abxbbxdbxebxczzx"));
  EXPECT_FALSE(excluded("a*b?c*x", "abxbbxdbxebxczzy"));
  EXPECT_TRUE(excluded("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl"));
  // Stars a backtracking matcher would take exponential time over.
  EXPECT_FALSE(excluded("*a*a*a*a*a*a*a*a*a*a*a*a*b", std::string(200, 'a')));
}

TEST(DockerIgnoreMatch, CharacterClasses) {
  EXPECT_TRUE(excluded("a[b-d]e", "ace"));
  EXPECT_FALSE(excluded("a[b-d]e", "aae"));
  EXPECT_FALSE(excluded("a[b-d]e", "ae"));
  EXPECT_TRUE(excluded("a[^b-d]e", "aze"));
  EXPECT_FALSE(excluded("ab[^c]", "abc"));
  EXPECT_TRUE(excluded("[\\]a]", "]"));
  EXPECT_TRUE(excluded("[\\-x]", "-"));
  EXPECT_TRUE(excluded("[x\\-]", "x"));
  EXPECT_FALSE(excluded("[x\\-]", "z"));
  EXPECT_TRUE(excluded("[a-ζ]*", "α"));
  EXPECT_TRUE(excluded("a[^a]b", "a☺b"));
  // As in Go's Match, only '^' negates: '!' is one more member of the class.
  EXPECT_TRUE(excluded("[!a]bc", "!bc"));
  EXPECT_TRUE(excluded("[!a]bc", "abc"));
  EXPECT_FALSE(excluded("[!a]bc", "xbc"));
  // A class, unlike `*` and `?`, can match '/' (Go's Match and patternmatcher's regexp agree).
  EXPECT_TRUE(excluded("a[^x]b", "a/b"));
}

TEST(DockerIgnoreMatch, LiteralsAndEscapes) {
  EXPECT_TRUE(excluded("abc.def", "abc.def"));
  EXPECT_FALSE(excluded("abc.def", "abcZdef"));
  EXPECT_TRUE(excluded("a(b)c/def", "a(b)c/def"));
  EXPECT_FALSE(excluded("a(b)c/def", "a(b)c/xyz"));
  EXPECT_TRUE(excluded("a.|)$(}+{bc", "a.|)$(}+{bc"));
  EXPECT_TRUE(excluded("a\\*b", "a*b"));
  EXPECT_FALSE(excluded("a\\*b", "axb"));
  EXPECT_TRUE(excluded("a\\\\", "a\\"));
  EXPECT_TRUE(excluded("\\[x]", "[x]"));
}

TEST(DockerIgnoreMatch, DoubleStarAtStart) {
  EXPECT_TRUE(excluded("**", "file"));
  EXPECT_TRUE(excluded("**", "dir/file"));
  EXPECT_TRUE(excluded("**/", "dir/file"));
  EXPECT_TRUE(excluded("**/**", "dir/file"));
  EXPECT_TRUE(excluded("**/dir", "dir"));
  EXPECT_TRUE(excluded("**/dir", "a/b/dir"));
  EXPECT_TRUE(excluded("**/dir", "a/dir/file"));  // through the parent
  EXPECT_FALSE(excluded("**/dir", "adir"));
  EXPECT_TRUE(excluded("**/.foo", ".foo"));
  EXPECT_FALSE(excluded("**/.foo", "bar.foo"));
  EXPECT_TRUE(excluded("**/foo/bar", "foo/bar"));
  EXPECT_TRUE(excluded("**/foo/bar", "dir/dir2/foo/bar"));
  EXPECT_TRUE(excluded("**/*.txt", "file.txt"));
  EXPECT_TRUE(excluded("**/**/*.txt", "dir/dir/file.txt"));
  EXPECT_FALSE(excluded("**/**/*.txt2", "dir/dir/file.txt"));
  EXPECT_TRUE(excluded("**/file*.txt*", "dir/dir/file.txt"));
  // "**" then plain text is a plain suffix in patternmatcher, even within a name.
  EXPECT_TRUE(excluded("**file", "file"));
  EXPECT_TRUE(excluded("**file", "dir/dir/file"));
  EXPECT_TRUE(excluded("**file", "dir/myfile"));
  EXPECT_TRUE(excluded("**.log", "a/b/debug.log"));
  EXPECT_FALSE(excluded("**.log", "a/b/debug.txt"));
}

TEST(DockerIgnoreMatch, DoubleStarInMiddleAndAtEnd) {
  EXPECT_TRUE(excluded("a/**/b", "a/b"));
  EXPECT_TRUE(excluded("a/**/b", "a/x/b"));
  EXPECT_TRUE(excluded("a/**/b", "a/x/y/b"));
  EXPECT_FALSE(excluded("a/**/b", "a/xb"));
  EXPECT_FALSE(excluded("a/**/b", "b"));
  EXPECT_TRUE(excluded("**/dir2/*", "dir/dir2/file"));
  EXPECT_TRUE(excluded("**/dir2/**", "dir/dir2/dir3/file"));
  EXPECT_TRUE(excluded("a**/*.txt", "a/file.txt"));
  EXPECT_TRUE(excluded("a**/*.txt", "a/dir/dir/file.txt"));
  EXPECT_FALSE(excluded("abc/**", "abc"));
  EXPECT_TRUE(excluded("abc/**", "abc/def"));
  EXPECT_TRUE(excluded("abc/**", "abc/def/ghi"));
  EXPECT_TRUE(excluded("dir/**", "dir/dir2/file"));
  EXPECT_TRUE(excluded("a/*.txt**", "a/file.txt"));
  EXPECT_FALSE(excluded("a/*.txt", "a/dir/file.txt"));
}

TEST(DockerIgnoreMatch, DirectoryCoversWhatIsInIt) {
  for (const char* rule : {"docs", "docs/", "/docs", "./docs"}) {
    EXPECT_TRUE(excluded(rule, "docs")) << rule;
    EXPECT_TRUE(excluded(rule, "docs/README.md")) << rule;
    EXPECT_TRUE(excluded(rule, "docs/a/b/c")) << rule;
    EXPECT_FALSE(excluded(rule, "docsx")) << rule;
  }
  EXPECT_FALSE(excluded("docs/*", "docs"));
  EXPECT_TRUE(excluded("docs/*", "docs/a/b"));
  EXPECT_TRUE(excluded("a*", "ab/c"));
  EXPECT_FALSE(excluded("*.go", "."));  // the root is never excluded
}

TEST(DockerIgnoreMatch, ExceptionsAndLastMatchWins) {
  EXPECT_FALSE(excluded("docs\n!docs/README.md", "docs/README.md"));
  EXPECT_TRUE(excluded("docs\n!docs/README.md", "docs/other.md"));
  EXPECT_TRUE(excluded("docs\n!docs/README.md", "docs"));
  EXPECT_FALSE(excluded("docs/\n!docs/README.md", "docs/README.md"));
  EXPECT_FALSE(excluded("docs/*\n!docs/README.md", "docs/README.md"));
  // The well-known one: everything but the README.
  IgnoreRules readme = rules("*\n!README.md");
  EXPECT_FALSE(readme.excluded("README.md"));
  EXPECT_TRUE(readme.excluded("Dockerfile"));
  EXPECT_TRUE(readme.excluded("src/README.md"));  // its parent "src" matches `*`
  // The order decides.
  EXPECT_TRUE(excluded("!fileutils.go\n*.go", "fileutils.go"));
  EXPECT_FALSE(excluded("*.go\n!fileutils.go", "fileutils.go"));
  EXPECT_TRUE(excluded("a\n!a\na", "a"));
  EXPECT_FALSE(excluded("!a", "a"));
  // An exception matching a parent re-includes what is below it.
  EXPECT_FALSE(excluded("**\n!util/docker/web", "util/docker/web/foo"));
  EXPECT_TRUE(excluded("**\n!util/docker/web\nutil/docker/web/foo", "util/docker/web/foo"));
  EXPECT_FALSE(
      excluded("**\n!dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl"));
  EXPECT_FALSE(excluded("a/b\n!a", "a/b/c"));
}

TEST(DockerIgnoreMatch, HitsAgreeWithExcluded) {
  IgnoreRules r = rules("src/*\n!src/keep\n**/*.o\n!**/main.o");
  const Strings paths = {"src", "src/keep", "src/keep/x.o", "src/keep/main.o", "lib/a.o", "x"};
  for (const std::string& p : paths) {
    IgnoreRules::Hits h;
    for (size_t pos = 0; pos != std::string::npos;) {
      size_t slash = p.find('/', pos);
      h = r.hits(p.substr(0, slash), h);
      pos = slash == std::string::npos ? slash : slash + 1;
    }
    EXPECT_EQ(r.excluded_by(h), r.excluded(p)) << p;
  }
}

TEST(DockerIgnoreSkip, OnlyWhenNoExceptionCanReachInside) {
  IgnoreRules plain = rules("node_modules\n*.log");
  EXPECT_TRUE(plain.can_skip_dir("node_modules"));
  EXPECT_TRUE(plain.can_skip_dir("node_modules/x"));
  EXPECT_FALSE(plain.can_skip_dir("src"));  // not excluded: must be walked

  IgnoreRules named = rules("docs\nbuild\n!docs/README.md");
  EXPECT_FALSE(named.can_skip_dir("docs"));
  EXPECT_TRUE(named.can_skip_dir("build"));
  EXPECT_TRUE(named.can_skip_dir("docs/sub"));  // README.md is not below docs/sub

  IgnoreRules trailing = rules("build\ndocs\n!docs/*");  // "/*" is cut before comparing
  EXPECT_FALSE(trailing.can_skip_dir("docs"));
  EXPECT_TRUE(trailing.can_skip_dir("build"));

  // An exception with a wildcard might match anywhere: fsutil then skips nothing.
  IgnoreRules wild = rules("build\n!**/*.keep");
  EXPECT_FALSE(wild.can_skip_dir("build"));
  EXPECT_FALSE(rules("build\n!b?ild/x").can_skip_dir("build"));
}

TEST(DockerIgnoreSkip, SkippingNeverHidesAnIncludedPath) {
  const Strings texts = {"a\n!a/b/c", "a\n!a/b/*",   "*\n!README.md",
                         "a/b\n!a",   "**\n!x/y/**", "a\nb\n!b/c\n!a/c/d"};
  const Strings dirs = {"a", "a/b", "a/c", "b", "x", "x/y", "README.md"};
  const Strings below = {"b", "c", "b/c", "c/d", "y", "y/z", "c/d/e"};
  for (const std::string& text : texts) {
    IgnoreRules r = rules(text);
    for (const std::string& d : dirs) {
      if (!r.can_skip_dir(d)) continue;
      for (const std::string& b : below)
        EXPECT_TRUE(r.excluded(d + "/" + b)) << text << " | " << d << "/" << b;
    }
  }
}

TEST(DockerIgnoreParse, MalformedPatternsNameFileLineAndPattern) {
  EXPECT_EQ(parse_error("foo\n\n[abc\n"),
            ".dockerignore:3: malformed pattern '[abc': character class has no closing ']'");
  EXPECT_EQ(parse_error("a\\"),  // quote() escapes the backslash
            ".dockerignore:1: malformed pattern 'a\\\\': the pattern ends in a lone backslash");
  EXPECT_EQ(parse_error("# c\n!"),
            ".dockerignore:2: malformed pattern '!': an exception '!' needs a pattern after it");
  EXPECT_EQ(parse_error("! /"),
            ".dockerignore:1: malformed pattern '! /': an exception '!' needs a pattern after it");
  EXPECT_EQ(parse_error("[]a]"),
            ".dockerignore:1: malformed pattern '[]a]': unescaped ']' in a character class");
  EXPECT_EQ(parse_error("[-x]"),
            ".dockerignore:1: malformed pattern '[-x]': unescaped '-' in a character class");
  EXPECT_EQ(parse_error("[a-b-c]"),
            ".dockerignore:1: malformed pattern '[a-b-c]': unescaped '-' in a character class");
  EXPECT_EQ(parse_error("[x-]"),
            ".dockerignore:1: malformed pattern '[x-]': unescaped ']' in a character class");
  EXPECT_EQ(parse_error("[Local-Only]/"),
            ".dockerignore:1: malformed pattern '[Local-Only]/': character class range is out "
            "of order");
  for (const char* bad : {"[", "[^", "[^bc", "a[", "*x[", "[\\"})
    EXPECT_NE(parse_error(bad), "") << bad;  // an error, whose message is never empty
  EXPECT_EQ(error_of([] {
              IgnoreRules::parse(std::string(70000, 'a'), "ctx/.dockerignore");
            }).substr(0, 20),
            "ctx/.dockerignore:1:");
}

TEST(DockerIgnoreGlob, GoMatchSemantics) {
  EXPECT_TRUE(path_match("*c", "abc"));
  EXPECT_TRUE(path_match("a*", "a"));
  EXPECT_FALSE(path_match("a*", "ab/c"));  // no parent rule here
  EXPECT_TRUE(path_match("*x", "xxx"));
  EXPECT_FALSE(path_match("*[a-ζ]", "A"));
  EXPECT_FALSE(path_match("**", "a/b"));  // no `**` in Go's Match: two stars
  EXPECT_TRUE(path_match("a**", "abc"));
  EXPECT_FALSE(path_match("a[^a][^a][^a]b", "a☺b"));
  EXPECT_FALSE(path_match("ab", "ab\xff"));
  EXPECT_TRUE(path_match("a?", "a\xff"));  // a stray byte counts as one character
  EXPECT_EQ(error_of([] { path_match("[", "a"); }),
            "malformed pattern '[': character class has no closing ']'");
}

const std::vector<ContextEntry> kEntries = {
    {"a1.txt", EntryType::kFile},   {"a2.txt", EntryType::kFile},
    {"ab.txt", EntryType::kFile},   {"dir", EntryType::kDir},
    {"dir/sub", EntryType::kDir},   {"dir/sub/y.go", EntryType::kFile},
    {"dir/x.go", EntryType::kFile}, {"link", EntryType::kSymlink},
    {"src", EntryType::kDir},       {"src/a.go", EntryType::kFile},
    {"src/b.go", EntryType::kFile}, {"src/c.txt", EntryType::kFile},
};

Strings expand(std::string_view source) { return expand_copy_source(source, kEntries); }

TEST(DockerIgnoreCopy, ExpandsGlobsInWalkOrder) {
  EXPECT_EQ(expand("src/*.go"), (Strings{"src/a.go", "src/b.go"}));
  EXPECT_EQ(expand("dir/"), Strings{"dir"});
  EXPECT_EQ(expand("a?.txt"), (Strings{"a1.txt", "a2.txt", "ab.txt"}));
  EXPECT_EQ(expand("a[0-9].txt"), (Strings{"a1.txt", "a2.txt"}));
  EXPECT_EQ(expand("*"), (Strings{"a1.txt", "a2.txt", "ab.txt", "dir", "link", "src"}));
  EXPECT_EQ(expand("*/*.go"), (Strings{"dir/x.go", "src/a.go", "src/b.go"}));
  EXPECT_EQ(expand("d*"), Strings{"dir"});  // a directory brings what is in it
  EXPECT_EQ(expand("./src/../src/a.go"), Strings{"src/a.go"});
  EXPECT_EQ(expand("/src/a.go"), Strings{"src/a.go"});
  EXPECT_EQ(expand("link"), Strings{"link"});
  EXPECT_EQ(expand("."), Strings{"."});
  EXPECT_EQ(expand("/"), Strings{"."});
  EXPECT_EQ(expand("src/.."), Strings{"."});
}

TEST(DockerIgnoreCopy, ErrorsNameTheSource) {
  EXPECT_EQ(error_of([] { expand("nope"); }),
            "COPY source 'nope': no such file or directory in the build context");
  EXPECT_EQ(error_of([] { expand("*.md"); }),
            "COPY source '*.md': no such file or directory in the build context");
  EXPECT_EQ(error_of([] { expand("link/a.go"); }),  // symlinks are not followed here
            "COPY source 'link/a.go': no such file or directory in the build context");
  for (const char* escape : {"../x", "..", "a/../../x", "/../x", "src/../../etc/passwd"})
    EXPECT_EQ(error_of([&] { expand(escape); }),
              std::string("COPY source '") + escape + "': outside the build context");
  EXPECT_EQ(error_of([] { expand_copy_source("x[", kEntries, "ADD"); }),
            "ADD source 'x[': character class has no closing ']'");
}

// A context on disk: a.txt, docs/{README.md,guide.md}, src/{main.go,util/x.go}, a symlink to
// src and a dangling one, a fifo.
class DockerIgnoreWalk : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* d : {"docs", "src/util", "node_modules/pkg"}) mkdir_p(at(d));
    for (const char* f : {"a.txt", "docs/README.md", "docs/guide.md", "src/main.go",
                          "src/util/x.go", "node_modules/pkg/index.js", "Dockerfile"})
      write_file_atomic(at(f), "x");
    ASSERT_EQ(::symlink("src", at("link").c_str()), 0);
    ASSERT_EQ(::symlink("/nonexistent", at("dangling").c_str()), 0);
    ASSERT_EQ(::mkfifo(at("fifo").c_str(), 0644), 0);
  }
  std::string at(std::string_view rel) { return dir_.path() + "/" + std::string(rel); }
  Strings walk(std::string_view ignore) {
    Strings out;
    for (const ContextEntry& e : walk_context(dir_.path(), rules(ignore)))
      out.push_back(e.path + (e.type == EntryType::kDir       ? "/"
                              : e.type == EntryType::kSymlink ? "@"
                                                              : ""));
    return out;
  }
  TempDir dir_;
};

TEST_F(DockerIgnoreWalk, ListsEverythingWithoutFollowingSymlinks) {
  EXPECT_EQ(walk(""),
            (Strings{"Dockerfile", "a.txt", "dangling@", "docs/", "docs/README.md", "docs/guide.md",
                     "link@", "node_modules/", "node_modules/pkg/", "node_modules/pkg/index.js",
                     "src/", "src/main.go", "src/util/", "src/util/x.go"}));
}

TEST_F(DockerIgnoreWalk, AppliesRulesAndListsParentsOfReincludedFiles) {
  EXPECT_EQ(walk("node_modules\ndocs\n!docs/README.md\n*.txt\nlink"),
            (Strings{"Dockerfile", "dangling@", "docs/", "docs/README.md", "src/", "src/main.go",
                     "src/util/", "src/util/x.go"}));
  EXPECT_EQ(walk("*\n!**/x.go"), (Strings{"src/", "src/util/", "src/util/x.go"}));
  EXPECT_EQ(walk("src\n!src/nothing-here"),
            (Strings{"Dockerfile", "a.txt", "dangling@", "docs/", "docs/README.md", "docs/guide.md",
                     "link@", "node_modules/", "node_modules/pkg/", "node_modules/pkg/index.js"}));
}

TEST_F(DockerIgnoreWalk, SkippedDirectoriesAreNeverOpened) {
  // Deeper than the walk allows: reaching it would throw, so passing shows it was skipped.
  std::string deep = "node_modules";
  for (int i = 0; i < 260; ++i) deep += "/d";
  mkdir_p(at(deep));
  EXPECT_EQ(walk("node_modules\n!docs/x").size(), 11u);
  EXPECT_TRUE(error_of([&] { walk("docs"); })
                  .starts_with("build context: directories nested more than 256 deep at "
                               "'node_modules/d/d/"));
  EXPECT_EQ(error_of([] { walk_context("/nonexistent-bale-ctx", IgnoreRules()); }),
            "open build context '/nonexistent-bale-ctx': No such file or directory");
}

TEST_F(DockerIgnoreWalk, ExpandsCopySourcesAgainstTheWalk) {
  auto entries = walk_context(dir_.path(), rules("docs/guide.md"));
  EXPECT_EQ(expand_copy_source("docs/*", entries), Strings{"docs/README.md"});
  EXPECT_EQ(expand_copy_source("src", entries), Strings{"src"});
  EXPECT_EQ(error_of([&] { expand_copy_source("docs/guide.md", entries); }),
            "COPY source 'docs/guide.md': no such file or directory in the build context");
}

}  // namespace
}  // namespace bale::dockerfile
