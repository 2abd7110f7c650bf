// What of a build context a build may see: `.dockerignore` rules with the semantics of
// Docker/BuildKit (moby/patternmatcher, tonistiigi/fsutil), the context walk that applies them,
// and the expansion of a COPY source glob against what the walk found.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace bale::dockerfile {

// Go's filepath.Match: `*` any run of characters but '/', `?` one character but '/', `[...]`
// one character from a class (`^` negates; ranges `a-z`; `\` escapes; a class can match '/'),
// `\x` the character x. The whole name must match. Throws bale::Error naming what is wrong for
// a malformed pattern (unterminated class, trailing backslash, ...).
bool path_match(std::string_view pattern, std::string_view name);

class ContextWalker;

// The rules of one `.dockerignore` file. A path is excluded when the last rule that matches it
// or one of its parent directories is not a `!` exception, as patternmatcher's
// MatchesOrParentMatches decides. Patterns are path_match patterns plus `**`, which matches
// any number of directories, none included (`**/x`, `a/**/b`); a trailing `**` matches
// everything below (`a/**` does not match `a` itself). Whether a path is a file or a directory
// never matters to Docker (`dir/` is cleaned to `dir`), so it does not here. (BuildKit's
// sender uses MatchesUsingParentResults, which differs in rare orders: after `a/b` then `!a`
// it keeps `a/b/c` out, where MatchesOrParentMatches, and so this, lets it in.)
class IgnoreRules {
 public:
  // Reads the text of a `.dockerignore` as moby/patternmatcher's ignorefile.ReadAll does: one
  // pattern a line; a UTF-8 BOM dropped; a line that begins with `#` (in its first column) is a
  // comment; surrounding whitespace trimmed; blank lines skipped; `!` makes an exception (spaces
  // after it trimmed); the pattern cleaned like filepath.Clean and a leading '/' removed.
  // Throws bale::Error "<file>:<line>: malformed pattern '<line>': <why>" for a bad class or
  // escape, a lone `!`, or a range out of order (`[z-a]`: Go's Match allows it, but Docker's
  // regexp refuses it and fails the build).
  static IgnoreRules parse(std::string_view text, const std::string& file);

  // `relative_path` is '/'-separated below the context root ("src/main.go"); it is cleaned
  // first, and the root itself (".") is never excluded.
  bool excluded(std::string_view relative_path) const;
  // True when `relative_dir` is excluded and no exception can re-include anything below it,
  // so a walk need not open it. Decided as fsutil decides it: with any exception holding a
  // wildcard (once a trailing "/**" or "/*" is cut), no excluded directory is ever skipped;
  // otherwise one is skipped unless an exception names a path inside it.
  bool can_skip_dir(std::string_view relative_dir) const;
  bool empty() const;
  size_t size() const;  // rules, one per pattern line

  // For callers that walk a tree themselves: one flag per rule, set when the rule matches the
  // path or one of its parents. Pass a directory's Hits to its children (empty for the top
  // level): each entry then costs one match per rule instead of one per rule and ancestor.
  // `relative_path` must already be clean; `parent` must come from these rules.
  using Hits = std::vector<char>;
  Hits hits(std::string_view relative_path, const Hits& parent) const;
  bool excluded_by(const Hits& hits) const;

 private:
  friend class ContextWalker;
  struct Rule;
  void add(std::string_view line);  // one trimmed, non-comment line
  bool exception_may_reach(std::string_view dir) const;

  std::vector<std::shared_ptr<const Rule>> rules_;  // immutable, so copies may share them
  bool has_exceptions_ = false;
  bool wildcard_exceptions_ = false;  // fsutil's !onlyPrefixExcludeExceptions
};

enum class EntryType { kFile, kDir, kSymlink };

struct ContextEntry {
  std::string path;  // relative to the context root, '/'-separated
  EntryType type;
};

// Every regular file, directory and symbolic link under `context_dir` that `rules` leaves in,
// in walk order: names in byte order within a directory, each directory before what is in it.
// Symbolic links are listed, never followed (only `context_dir` itself may be one). As in
// BuildKit, an excluded directory is listed only when something inside it is re-included, and
// one that can_skip_dir is never opened. Sockets, fifos and devices are left out. Throws
// bale::Error naming the path when a directory cannot be read (an excluded one that is not
// readable is passed over, as BuildKit does).
std::vector<ContextEntry> walk_context(const std::string& context_dir, const IgnoreRules& rules);

// The context paths a COPY (or ADD) source names: `source` is cleaned, a leading '/' means
// the context root, and it is matched with path_match against each entry of `entries` (a
// walk_context result, in its order). A matched directory stands for itself and what is
// included below it, so nothing below it is returned separately. A source that cleans to the
// context root returns {"."}. Throws bale::Error "<instruction> source '<source>': ..." when
// the source leaves the context ("../x", "a/../../x"), is a malformed glob, or matches nothing
// ("no such file or directory in the build context").
std::vector<std::string> expand_copy_source(std::string_view source,
                                            const std::vector<ContextEntry>& entries,
                                            std::string_view instruction = "COPY");

}  // namespace bale::dockerfile
