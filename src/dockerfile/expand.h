// Dockerfile variable substitution ("Environment replacement"), after BuildKit's shell lexer
// (frontend/dockerfile/shell): $v and ${v...} expansion, quote removal and word splitting.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace bale::dockerfile {

// What the builder does with variables, by instruction:
//  - ENV, ARG, LABEL, WORKDIR, USER, FROM, COPY, ADD, EXPOSE, VOLUME, STOPSIGNAL and
//    instruction flags (--from, --chown, --mount...): each word goes through expand_word
//    (or expand_words where BuildKit splits after expansion, as for EXPOSE).
//  - Shell-form RUN, CMD, ENTRYPOINT, HEALTHCHECK CMD: NOT expanded here. The text goes to
//    the shell as written, and the shell expands $v from the environment at run time.
//  - Exec-form (JSON) RUN/CMD/ENTRYPOINT: never expanded by anyone.
//  - Heredoc bodies of COPY/ADD whose delimiter is unquoted: expand_heredoc.
//
// Syntax (as BuildKit, which is a subset of POSIX sh plus bash's ${v/p/r}):
//   $v ${v}                 value; unset expands to ""
//   ${v:-w} ${v-w}          w if v is unset or empty (":") / unset (no ":"), else v
//   ${v:+w} ${v+w}          w if v is set and non-empty / set, else ""
//   ${v:?m} ${v?m}          v, or bale::Error "v: m" if unset or empty / unset; m defaults
//                           to "is not allowed to be unset" / "is not allowed to be empty"
//   ${v#p} ${v##p}          v without its shortest / longest prefix matching glob p
//   ${v%p} ${v%%p}          v without its shortest / longest suffix matching glob p
//   ${v/p/r} ${v//p/r}      first / every longest leftmost match of p replaced by r (the
//                           second "/" is required)
// Words w, m, p, r may hold quotes and further expansions. Globs know `*` and `?` only (no
// [...]: BuildKit takes brackets literally), neither matches a newline, and `\` escapes
// `*`, `?`, `\`, `}` and `/` in them whatever the escape character; any other `\x` is an
// error. In p and r the escape character is kept (it is the glob's escape), so
// ${v//\//\/} replaces "/" with "\/". In ${v//p/r} (only) BuildKit passes r through Go's
// regexp template expansion: "$$" is "$", "$0" / "${0}" the matched text, any other $name
// empty.
// Names: letters, digits and _, or one of the special parameters @ * # ? - $ ! (all
// normally unset), or a run of digits ($1x is "$1" then "x").
// Quotes: '...' is literal; "..." expands $ and lets the escape character escape only ",
// $ and itself; unquoted, the escape character escapes any character (and is dropped at
// the end of the text). Quotes are removed.
//
// Syntax errors throw bale::Error: "bad substitution: <reason> in '<text>'" for ${...}
// problems (missing '}', unsupported operator, invalid glob escape, missing name) and
// "unmatched single/double quote in '<text>'". More than 100 nested ${ is refused too.

struct Vars {
  // A variable's value; nullopt when unset (set-but-empty is "").
  std::function<std::optional<std::string>(std::string_view name)> lookup;
  // When set, receives every name the expansion looked up, set or not (including names
  // only looked at inside an unused alternative, like w in ${v:-w} with v set, as BuildKit
  // evaluates w first). The build cache key takes the build args among them.
  std::set<std::string>* used = nullptr;
};

// Vars over a map that must outlive them.
Vars map_vars(const std::map<std::string, std::string>& vars,
              std::set<std::string>* used = nullptr);

// One word: expansions done, quotes and escapes removed, blanks kept as they are.
// `escape` is the Dockerfile's escape character (`# escape=`), '\\' or '`'.
std::string expand_word(std::string_view text, const Vars& vars, char escape = '\\');

// Expanded, then split on blanks that are neither quoted nor escaped, including blanks that
// came from an unquoted expansion ("$v" stays one word, $v may become several). Empty
// words are dropped, so `""` alone gives no word.
std::vector<std::string> expand_words(std::string_view text, const Vars& vars, char escape = '\\');

// A heredoc body (COPY <<EOF with an unquoted delimiter): $ expansions only, quotes are
// plain characters; the escape is always '\\' and still escapes (and is dropped), as in
// BuildKit.
std::string expand_heredoc(std::string_view text, const Vars& vars);

}  // namespace bale::dockerfile
