// Variable substitution with BuildKit's lexer rules: a rune-by-rune reader for quotes, escapes
// and ${...}, and the word splitting beside it. The globs of the # % / operators are
// expand_glob's.
#include "dockerfile/expand.h"

#include <algorithm>
#include <cstdint>

#include "base/error.h"
#include "dockerfile/expand_glob.h"
#include "dockerfile/text.h"

namespace bale::dockerfile {
namespace {

constexpr char32_t kEnd = 0xFFFFFFFF;  // past the text; no valid rune has this value
constexpr int kMaxDepth = 100;         // nested ${...}: deeper only serves to exhaust the stack

bool is_ascii_digit(char32_t r) { return r >= '0' && r <= '9'; }

// POSIX special parameters; BuildKit reads them as one-character names (normally unset).
bool is_special_param(char32_t r) {
  return r == '@' || r == '*' || r == '#' || r == '?' || r == '-' || r == '$' || r == '!';
}

// ---- Word splitting, done beside the expansion as BuildKit does: blanks in the text or in
// an unquoted $ expansion end a word; quoted or escaped ones belong to it.
class WordSplitter {
 public:
  void add(char32_t r) {
    if (!is_space(r)) {
      append_utf8(word_, r);
    } else if (!word_.empty()) {
      words_.push_back(std::move(word_));
      word_.clear();
    }
  }
  void add_kept(char32_t r) { append_utf8(word_, r); }
  void add_kept(std::string_view s) { word_.append(s); }
  void add_split(std::string_view s) {
    size_t len = 0;
    for (size_t pos = 0; pos < s.size(); pos += len) add(decode_rune(s, pos, &len));
  }
  std::vector<std::string> finish() {
    if (!word_.empty()) words_.push_back(std::move(word_));
    return std::move(words_);
  }

 private:
  std::string word_;
  std::vector<std::string> words_;
};

class Lexer {
 public:
  Lexer(std::string_view text, const Vars& vars, char escape, bool quotes)
      : text_(text), vars_(vars), escape_(static_cast<unsigned char>(escape)), quotes_(quotes) {}

  // Reads through `stop` (consumed), or to the end when stop is kEnd; nullopt when the text
  // ends before `stop`. `raw` keeps escape characters, as BuildKit does in glob operands.
  std::optional<std::string> read(char32_t stop, bool raw, WordSplitter& words);

 private:
  char32_t peek() const {
    size_t len = 0;
    return pos_ < text_.size() ? decode_rune(text_, pos_, &len) : kEnd;
  }
  char32_t next() {
    if (pos_ >= text_.size()) return kEnd;
    size_t len = 0;
    char32_t r = decode_rune(text_, pos_, &len);
    pos_ += len;
    return r;
  }
  [[noreturn]] void fail(std::string_view reason) const {
    throw Error("bad substitution: " + std::string(reason) + " in " + quote(text_));
  }
  [[noreturn]] void fail_operator(char32_t op, bool colon) const {
    std::string text = colon ? ":" : "";
    append_utf8(text, op);
    fail("unsupported operator " + quote(text));
  }

  std::string single_quoted();
  std::string double_quoted(bool raw);
  std::string dollar();
  std::string braced();
  std::string apply(const std::string& name, char32_t op, bool colon, std::string word);
  std::string replace_op(const std::string& name);
  std::string read_operand(char32_t stop, bool raw, std::string_view missing);
  std::string read_name();
  Glob compile_glob(std::string_view pattern) const;
  std::optional<std::string> get(const std::string& name) {
    if (vars_.used) vars_.used->insert(name);
    return vars_.lookup ? vars_.lookup(name) : std::nullopt;
  }

  std::string_view text_;
  const Vars& vars_;
  char32_t escape_;
  bool quotes_;  // false for heredoc bodies: quotes are plain characters there
  size_t pos_ = 0;
  int depth_ = 0;
};

std::optional<std::string> Lexer::read(char32_t stop, bool raw, WordSplitter& words) {
  std::string out;
  for (char32_t c = peek(); c != kEnd; c = peek()) {
    if (c == stop) {
      next();
      return out;
    }
    if (c == '$' || (quotes_ && (c == '\'' || c == '"'))) {
      std::string piece = c == '$' ? dollar() : c == '\'' ? single_quoted() : double_quoted(raw);
      if (c == '$') {
        words.add_split(piece);  // an unquoted expansion may hold several words
      } else {
        words.add_kept(piece);
      }
      out += piece;
      continue;
    }
    next();
    if (c == escape_) {
      if (raw) {
        words.add_kept(c);
        append_utf8(out, c);
      }
      c = next();
      if (c == kEnd) break;  // an escape at the very end is dropped
      words.add_kept(c);
    } else {
      words.add(c);
    }
    append_utf8(out, c);
  }
  if (stop != kEnd) return std::nullopt;
  return out;
}

std::string Lexer::single_quoted() {
  next();
  std::string out;
  for (char32_t c = next(); c != '\''; c = next()) {
    if (c == kEnd) throw Error("unmatched single quote in " + quote(text_));
    append_utf8(out, c);
  }
  return out;
}

// Inside "...", the escape character escapes only '"', '$' and itself and stays otherwise.
std::string Lexer::double_quoted(bool raw) {
  next();
  std::string out;
  for (char32_t c = peek(); c != '"'; c = peek()) {
    if (c == kEnd) throw Error("unmatched double quote in " + quote(text_));
    if (c == '$') {
      out += dollar();
      continue;
    }
    next();
    if (c == escape_) {
      if (raw) append_utf8(out, c);
      char32_t n = peek();
      if (n == kEnd) continue;
      if (n == '"' || n == '$' || n == escape_) c = next();
    }
    append_utf8(out, c);
  }
  next();
  return out;
}

std::string Lexer::dollar() {
  next();
  if (peek() != '{') {
    std::string name = read_name();
    return name.empty() ? "$" : get(name).value_or("");
  }
  next();
  if (++depth_ > kMaxDepth) fail("more than " + std::to_string(kMaxDepth) + " nested '${'");
  std::string value = braced();
  depth_--;
  return value;
}

// After "${": the name, then "}" or an operator and its operands.
std::string Lexer::braced() {
  char32_t c = peek();
  if (c == kEnd) fail("missing '}'");
  if (c == '{' || c == '}' || c == ':') fail("missing variable name");
  std::string name = read_name();
  char32_t op = next();
  if (op == '}') return get(name).value_or("");
  if (op == '/') return replace_op(name);
  if (op == kEnd) fail("missing '}'");
  bool colon = op == ':';
  if (colon) op = next();
  bool known = op == '-' || op == '+' || op == '?' || op == '#' || op == '%';
  bool glob = op == '#' || op == '%';
  if ((!colon && !known) || (colon && glob)) fail_operator(op, colon);
  // With ':' BuildKit reads the operand before it judges the operator.
  std::string word = read_operand('}', glob, "missing '}'");
  if (!known) fail_operator(op, colon);
  return apply(name, op, colon, std::move(word));
}

std::string Lexer::apply(const std::string& name, char32_t op, bool colon, std::string word) {
  std::optional<std::string> value = get(name);
  bool absent = !value || (colon && value->empty());
  switch (op) {
    case '-':
      return absent ? word : *value;
    case '+':
      return absent ? "" : word;
    case '?':
      if (!absent) return *value;
      if (word.empty()) word = value ? "is not allowed to be empty" : "is not allowed to be unset";
      throw Error(name + ": " + word);
    default: {  // '#' or '%'; doubled, the longest match
      bool longest = !word.empty() && static_cast<unsigned char>(word[0]) == op;
      if (longest) word.erase(0, 1);
      return trim_glob(value.value_or(""), compile_glob(word), op == '%', longest);
    }
  }
}

std::string Lexer::replace_op(const std::string& name) {
  bool all = peek() == '/';
  if (all) next();
  std::string pattern = read_operand('/', true, "missing '/' after the pattern");
  std::string repl = read_operand('}', true, "missing '}'");
  std::string value = get(name).value_or("");
  return replace_glob(value, compile_glob(pattern), repl, all);
}

// An operand inside ${...}. Whatever fails by running into the end of the text (an unmatched
// quote, a nested ${...}) is reported, as BuildKit does, as the missing closer.
std::string Lexer::read_operand(char32_t stop, bool raw, std::string_view missing) {
  WordSplitter ignored;
  std::optional<std::string> word;
  try {
    word = read(stop, raw, ignored);
  } catch (const Error&) {
    if (peek() != kEnd) throw;
  }
  if (!word) fail(missing);
  return std::move(*word);
}

// A run of digits ($10 is "10"), one special parameter, or letters, digits and '_'.
std::string Lexer::read_name() {
  std::string name;
  if (is_ascii_digit(peek())) {
    while (is_ascii_digit(peek())) name += static_cast<char>(next());
    return name;
  }
  if (is_special_param(peek())) return std::string(1, static_cast<char>(next()));
  while (is_name_rune(peek())) append_utf8(name, next());
  return name;
}

// BuildKit's glob escapes are always '\': "\*", "\?" and "\\" are literal, and "\}" and "\/"
// (needed to write } and / inside ${...}) are the plain characters. Anything else is refused.
Glob Lexer::compile_glob(std::string_view pattern) const {
  std::vector<char32_t> r = decode(pattern).runes;
  Glob g;
  for (size_t i = 0; i < r.size(); i++) {
    if (r[i] == '*') {
      g.push_back({GlobToken::kStar});
    } else if (r[i] == '?') {
      g.push_back({GlobToken::kAny});
    } else if (r[i] != '\\') {
      g.push_back({GlobToken::kLit, r[i]});
    } else if (i + 1 < r.size() && (r[i + 1] == '}' || r[i + 1] == '/')) {
      continue;  // the next round takes the character itself
    } else if (i + 1 < r.size() && (r[i + 1] == '*' || r[i + 1] == '?' || r[i + 1] == '\\')) {
      g.push_back({GlobToken::kLit, r[++i]});
    } else {
      fail("invalid escape in pattern " + quote(pattern));
    }
  }
  return g;
}

struct Expanded {
  std::string word;
  std::vector<std::string> words;
};

Expanded run(std::string_view text, const Vars& vars, char escape, bool quotes) {
  Lexer lexer(text, vars, escape, quotes);
  WordSplitter words;
  std::string word = *lexer.read(kEnd, false, words);
  return {std::move(word), words.finish()};
}

}  // namespace

Vars map_vars(const std::map<std::string, std::string>& vars, std::set<std::string>* used) {
  auto lookup = [&vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  return Vars{lookup, used};
}

std::string expand_word(std::string_view text, const Vars& vars, char escape) {
  return run(text, vars, escape, true).word;
}

std::vector<std::string> expand_words(std::string_view text, const Vars& vars, char escape) {
  return run(text, vars, escape, true).words;
}

std::string expand_heredoc(std::string_view text, const Vars& vars) {
  return run(text, vars, '\\', false).word;
}

}  // namespace bale::dockerfile
