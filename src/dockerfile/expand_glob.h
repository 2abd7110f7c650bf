// The globs of BuildKit's ${v#p} ${v%p} ${v/p/r} operators. BuildKit turns them into Go
// regexps: `*` is ".*" (greedy for ##, %% and /, lazy for # and %), `?` is ".", which matches
// any rune but a newline. Matching runs on runes and cuts the value's original bytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bale::dockerfile {

struct GlobToken {
  enum Kind { kLit, kAny, kStar } kind;
  char32_t rune = 0;
};
using Glob = std::vector<GlobToken>;

// `value` without its shortest or longest prefix (or, with `suffix`, suffix) matching `g`.
std::string trim_glob(std::string_view value, const Glob& g, bool suffix, bool longest);
// ${v/p/r} and ${v//p/r}: the leftmost-longest match, or all of them, replaced by `repl` (for
// all, read as Go's Regexp.Expand template, where $0 is the match).
std::string replace_glob(std::string_view value, const Glob& g, std::string_view repl, bool all);

}  // namespace bale::dockerfile
