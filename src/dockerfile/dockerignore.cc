// .dockerignore rules (see dockerignore.h): Go's Clean and Match rebuilt over runes, the `**`
// extension patternmatcher adds, the context walk, and COPY source globbing.
#include "dockerfile/dockerignore.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>

#include "base/error.h"
#include "base/fd.h"
#include "base/fs.h"
#include "dockerfile/lines.h"

namespace bale::dockerfile {

namespace {

// A byte that does not start valid UTF-8 becomes kBadByte + the byte: unequal to every rune and
// to other bytes, so literals still compare byte for byte as Go's Match does.
constexpr char32_t kBadByte = 0x110000;
constexpr char32_t kRuneError = 0xFFFD;  // what Go's decoder yields for such a byte
// Each level of the walk holds a directory fd; a real context is nowhere near this deep.
constexpr int kMaxDepth = 256;

char32_t decode_rune(std::string_view s, size_t* i) {
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};  // shortest form per length
  const unsigned char b0 = s[*i];
  if (b0 < 0x80) return ++*i, b0;
  const int len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
  if (len == 0 || b0 > 0xF4 || *i + len > s.size()) return ++*i, kBadByte + b0;
  char32_t r = b0 & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    const unsigned char b = s[*i + k];
    if ((b & 0xC0) != 0x80) return ++*i, kBadByte + b0;
    r = (r << 6) | (b & 0x3F);
  }
  if (r < kMin[len] || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return ++*i, kBadByte + b0;
  *i += len;
  return r;
}

std::u32string runes(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) out.push_back(decode_rune(s, &i));
  return out;
}

struct Token {
  // kStar: `*`; kDirs: a `**` with more after it, regexp (.*/)? in patternmatcher; kRest: a
  // final `**`, any text at all.
  enum Kind : uint8_t { kLiteral, kOne, kClass, kStar, kDirs, kRest };
  Token(Kind k, char32_t c = 0) : kind(k), ch(c) {}
  Kind kind;
  char32_t ch;  // kLiteral
  bool negated = false;
  std::vector<std::pair<char32_t, char32_t>> ranges;  // kClass
};
using Glob = std::vector<Token>;

// Go's getEsc: one character of a class, where '-' and ']' need a backslash and the class must
// still be open after it.
char32_t class_char(std::string_view p, size_t* i) {
  if (*i < p.size() && (p[*i] == '-' || p[*i] == ']'))
    throw Error(std::string("unescaped '") + p[*i] + "' in a character class");
  if (*i < p.size() && p[*i] == '\\') ++*i;
  if (*i >= p.size()) throw Error("character class has no closing ']'");
  const char32_t r = decode_rune(p, i);
  if (r >= kBadByte) throw Error("invalid UTF-8 in a character class");
  if (*i >= p.size()) throw Error("character class has no closing ']'");
  return r;
}

Token parse_class(std::string_view p, size_t* i) {
  Token t{Token::kClass};
  if (*i < p.size() && p[*i] == '^') t.negated = true, ++*i;
  for (;;) {
    if (*i < p.size() && p[*i] == ']' && !t.ranges.empty()) return ++*i, t;
    const char32_t lo = class_char(p, i);
    char32_t hi = lo;
    if (p[*i] == '-') hi = class_char(p, &++*i);
    // Go's Match would accept it and match nothing, but patternmatcher's regexp refuses it and
    // Docker fails the build, so say so while parsing.
    if (hi < lo) throw Error("character class range is out of order");
    t.ranges.emplace_back(lo, hi);
  }
}

// `double_star`: a `**` means directories, as patternmatcher's translation to a regexp has
// it ("**/" counts as one token). Without it, as in Go's Match, `**` is two `*`.
Glob compile_glob(std::string_view p, bool double_star) {
  Glob g;
  for (size_t i = 0; i < p.size();) {
    const char c = p[i];
    if (c == '*') {
      ++i;
      if (!double_star || i == p.size() || p[i] != '*') {
        g.push_back({Token::kStar});
        continue;
      }
      ++i;
      if (i < p.size() && p[i] == '/') ++i;
      g.push_back({i == p.size() ? Token::kRest : Token::kDirs});
    } else if (c == '?') {
      g.push_back({Token::kOne}), ++i;
    } else if (c == '[') {
      g.push_back(parse_class(p, &++i));
    } else {
      if (c == '\\' && ++i == p.size()) throw Error("the pattern ends in a lone backslash");
      g.push_back({Token::kLiteral, decode_rune(p, &i)});
    }
  }
  return g;
}

// Whether a one-character token takes `c`; `?` and `*` never take '/', a class may.
bool takes(const Token& t, char32_t c) {
  if (t.kind == Token::kLiteral) return c == t.ch;
  if (t.kind == Token::kOne) return c != '/';
  if (t.kind != Token::kClass) return false;
  if (c >= kBadByte) c = kRuneError;
  const bool in = std::any_of(t.ranges.begin(), t.ranges.end(),
                              [c](auto& r) { return r.first <= c && c <= r.second; });
  return in != t.negated;
}

// Runs the glob as an NFA over the runes: linear in |s| * |g|, whatever the stars (a
// backtracking matcher is exponential on patterns like `*a*a*a*b`, which a user controls).
// State i <= n: before token i (n accepts); n + 1 + i: inside the ".*/" of kDirs token i.
bool glob_match(const Glob& g, std::u32string_view s) {
  const size_t n = g.size();
  std::vector<uint32_t> stamp(2 * n + 2, UINT32_MAX), cur, next;
  auto add = [&](std::vector<uint32_t>& list, size_t st, uint32_t gen) {
    while (stamp[st] != gen) {
      stamp[st] = gen;
      list.push_back(st);
      // Stars may match nothing, and (.*/)? may be absent: also stand before the next token.
      if (st >= n || g[st].kind < Token::kStar) return;
      ++st;
    }
  };
  add(cur, 0, 0);
  for (uint32_t k = 0; k < s.size() && !cur.empty(); ++k) {
    const char32_t c = s[k];
    next.clear();
    for (uint32_t st : cur) {
      if (st > n) {
        add(next, st, k + 1);
        if (c == '/') add(next, st - n, k + 1);  // the '/' that closes ".*/": token st-n-1 done
        continue;
      }
      if (st == n) continue;
      const Token& t = g[st];
      if (t.kind == Token::kRest || (t.kind == Token::kStar && c != '/')) add(next, st, k + 1);
      if (t.kind == Token::kDirs) add(next, n + 1 + st, k + 1);
      if (takes(t, c) || (t.kind == Token::kDirs && c == '/')) add(next, st + 1, k + 1);
    }
    std::swap(cur, next);
  }
  return stamp[n] == s.size();
}

// Go's strings.TrimSpace, ASCII part.
std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  const size_t begin = s.find_first_not_of(kSpace);
  if (begin == s.npos) return {};
  return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

// fsutil's patternWithoutTrailingGlob.
std::string_view without_trailing_glob(std::string_view p) {
  if (p.ends_with("/**")) p.remove_suffix(3);
  if (p.ends_with("/*")) p.remove_suffix(2);
  return p;
}

}  // namespace

bool path_match(std::string_view pattern, std::string_view name) {
  try {
    return glob_match(compile_glob(pattern, false), runes(name));
  } catch (const Error& e) {
    throw e.wrap("malformed pattern " + quote(pattern));
  }
}

struct IgnoreRules::Rule {
  std::string pattern;  // cleaned, without its '!'
  bool exception = false;
  Glob glob;
  // patternmatcher matches "**" followed by plain text as a plain suffix of the path, so
  // `**.log` is any path ending in ".log" (where its regexp form would want a name ".log").
  bool suffix_match = false;

  bool matches(std::string_view path, std::u32string_view path_runes) const {
    if (!suffix_match) return glob_match(glob, path_runes);
    std::string_view suffix = std::string_view(pattern).substr(2);
    return path.ends_with(suffix) || (suffix.starts_with('/') && path == suffix.substr(1));
  }
};

bool IgnoreRules::empty() const { return rules_.empty(); }
size_t IgnoreRules::size() const { return rules_.size(); }

namespace {

// ignorefile.ReadAll's normalisation, then patternmatcher.New's: the latter cleans again with
// the '!' still on, so "!../../a" becomes the plain pattern "a" there, and here too.
std::pair<std::string, bool> normalize(std::string_view line) {
  const bool invert = line.starts_with('!');
  if (invert) line = trim(line.substr(1));
  std::string p(line);
  if (!p.empty()) p = clean_path(p);
  if (p.size() > 1 && p[0] == '/') p.erase(0, 1);
  p = clean_path((invert ? "!" : "") + p);
  if (p[0] != '!') return {p, false};
  if (p.size() == 1) throw Error("an exception '!' needs a pattern after it");
  return {p.substr(1), true};
}

}  // namespace

void IgnoreRules::add(std::string_view line) {
  constexpr auto npos = std::string_view::npos;
  auto rule = std::make_shared<Rule>();
  Rule& r = *rule;
  try {
    std::tie(r.pattern, r.exception) = normalize(line);
    r.glob = compile_glob(r.pattern, true);
  } catch (const Error& e) {
    throw e.wrap("malformed pattern " + quote(line));
  }
  if (r.pattern.starts_with("**"))
    r.suffix_match = std::string_view(r.pattern).find_first_of("*?[]\\", 2) == npos;
  has_exceptions_ |= r.exception;
  wildcard_exceptions_ |=
      r.exception && without_trailing_glob(r.pattern).find_first_of("*[]?^\\") != npos;
  rules_.push_back(std::move(rule));
}

IgnoreRules IgnoreRules::parse(std::string_view text, const std::string& file) {
  IgnoreRules out;
  LineReader lines(text);
  std::string_view raw;
  for (;;) {
    try {
      if (!lines.next(&raw)) break;
      raw = trim_newline(raw);
      std::string_view line = trim(raw);
      if (raw.starts_with('#') || line.empty()) continue;  // '#' counts only in column one
      out.add(line);
    } catch (const Error& e) {
      throw e.wrap(file + ":" + std::to_string(lines.line_number()));
    }
  }
  return out;
}

IgnoreRules::Hits IgnoreRules::hits(std::string_view path, const Hits& parent) const {
  Hits out(rules_.size(), 0);
  const std::u32string path_runes = runes(path);
  for (size_t i = 0; i < rules_.size(); ++i)
    out[i] = (!parent.empty() && parent[i]) || rules_[i]->matches(path, path_runes);
  return out;
}

bool IgnoreRules::excluded_by(const Hits& hits) const {
  for (size_t i = hits.size(); i-- > 0;)
    if (hits[i]) return !rules_[i]->exception;  // the last rule that matches decides
  return false;
}

bool IgnoreRules::excluded(std::string_view relative_path) const {
  while (relative_path.starts_with('/')) relative_path.remove_prefix(1);
  const std::string path = clean_path(relative_path);
  if (path == "." || rules_.empty()) return false;
  Hits h;  // each ancestor's, then the path's own: MatchesOrParentMatches tries them all
  for (size_t pos = 0;;) {
    const size_t slash = path.find('/', pos);
    h = hits(std::string_view(path).substr(0, slash), h);
    if (slash == path.npos) break;
    pos = slash + 1;
  }
  return excluded_by(h);
}

bool IgnoreRules::exception_may_reach(std::string_view dir) const {
  if (!has_exceptions_) return false;
  if (wildcard_exceptions_) return true;
  const std::string dir_slash = std::string(dir) + "/";
  for (const auto& r : rules_)
    if (r->exception &&
        (std::string(without_trailing_glob(r->pattern)) + "/").starts_with(dir_slash))
      return true;
  return false;
}

bool IgnoreRules::can_skip_dir(std::string_view relative_dir) const {
  while (relative_dir.starts_with('/')) relative_dir.remove_prefix(1);
  return excluded(relative_dir) && !exception_may_reach(clean_path(relative_dir));
}

// The walk behind walk_context: one open directory per level, names sorted as Go's ReadDir
// sorts them, each entry matched once using its parent's Hits.
class ContextWalker {
 public:
  ContextWalker(const IgnoreRules& rules, std::string root)
      : rules_(rules), root_(std::move(root)) {}

  void walk(int fd, const std::string& prefix, const IgnoreRules::Hits& parent, int depth) {
    for (auto& [name, type] : read_sorted(fd, prefix)) {
      const std::string rel = prefix.empty() ? name : prefix + "/" + name;
      IgnoreRules::Hits h = rules_.hits(rel, parent);
      const bool excluded = rules_.excluded_by(h);
      if (type != EntryType::kDir) {
        if (!excluded) out_.push_back({rel, type});
        continue;
      }
      if (excluded && !rules_.exception_may_reach(rel)) continue;
      const size_t mark = out_.size();
      out_.push_back({rel, type});
      descend(fd, name, rel, h, excluded, depth + 1);
      // BuildKit sends an excluded directory only as the parent of something re-included.
      if (excluded && out_.size() == mark + 1) out_.pop_back();
    }
  }

  std::vector<ContextEntry> take() { return std::move(out_); }

 private:
  void descend(int parent_fd, const std::string& name, const std::string& rel,
               const IgnoreRules::Hits& h, bool excluded, int depth) {
    if (depth > kMaxDepth)
      throw Error("build context: directories nested more than " + std::to_string(kMaxDepth) +
                  " deep at " + quote(rel));
    // O_NOFOLLOW: a directory swapped for a symlink after readdir is not followed.
    UniqueFd fd(::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd && errno == ENOENT) return;                                  // removed while we walk
    if (!fd && excluded && (errno == EACCES || errno == EPERM)) return;  // as fsutil does
    if (!fd) throw_sys("open", root_ + "/" + rel);
    walk(fd.get(), rel, h, depth);
  }

  std::vector<std::pair<std::string, EntryType>> read_sorted(int fd, const std::string& rel) {
    const std::string where = rel.empty() ? root_ : root_ + "/" + rel;
    DirStream d = dir_stream(fd, where);
    std::vector<std::pair<std::string, EntryType>> out;
    errno = 0;
    for (dirent* de; (de = ::readdir(d.get())) != nullptr; errno = 0) {
      const std::string name = de->d_name;
      if (name == "." || name == "..") continue;
      if (auto type = entry_type(fd, name, de->d_type, where)) out.emplace_back(name, *type);
    }
    if (errno != 0) throw_sys("read directory", where);
    std::sort(out.begin(), out.end());
    return out;
  }

  static std::optional<EntryType> entry_type(int fd, const std::string& name, unsigned char dt,
                                             const std::string& where) {
    if (dt == DT_UNKNOWN) {  // some file systems leave it to stat
      struct stat st;
      if (::fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
        throw_sys("stat", where + "/" + name);
      dt = IFTODT(st.st_mode);
    }
    if (dt == DT_REG) return EntryType::kFile;
    if (dt == DT_DIR) return EntryType::kDir;
    if (dt == DT_LNK) return EntryType::kSymlink;
    return std::nullopt;
  }

  const IgnoreRules& rules_;
  std::string root_;
  std::vector<ContextEntry> out_;
};

std::vector<ContextEntry> walk_context(const std::string& context_dir, const IgnoreRules& rules) {
  UniqueFd root(::open(context_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw_sys("open build context", context_dir);
  ContextWalker walker(rules, context_dir);
  walker.walk(root.get(), "", {}, 0);
  return walker.take();
}

std::vector<std::string> expand_copy_source(std::string_view source,
                                            const std::vector<ContextEntry>& entries,
                                            std::string_view instruction) {
  const std::string what = std::string(instruction) + " source " + quote(source);
  std::string_view rel = source;
  while (rel.starts_with('/')) rel.remove_prefix(1);  // "/x" is x at the context root
  const std::string pattern = clean_path(rel);
  if (pattern == ".." || pattern.starts_with("../"))
    throw Error(what + ": outside the build context")
        .with_hint("a build reads only files inside its context directory");
  if (pattern == ".") return {"."};
  Glob glob;
  try {
    glob = compile_glob(pattern, false);
  } catch (const Error& e) {
    throw e.wrap(what);
  }
  std::vector<std::string> out;
  std::string_view covered;  // the last matched directory: what is below it comes with it
  for (const ContextEntry& e : entries) {
    const std::string_view p = e.path;
    if (!covered.empty() && p.starts_with(covered) && p.size() > covered.size() &&
        p[covered.size()] == '/')
      continue;
    if (!glob_match(glob, runes(p))) continue;
    out.push_back(e.path);
    if (e.type == EntryType::kDir) covered = p;
  }
  if (out.empty()) throw Error(what + ": no such file or directory in the build context");
  return out;
}

}  // namespace bale::dockerfile
