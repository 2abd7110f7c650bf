// Word splitting for ENV/LABEL/ARG and for instruction flags, after BuildKit's rules.
#include "dockerfile/words.h"

#include "dockerfile/text.h"

namespace bale::dockerfile {
namespace {

// Walks a text rune by rune, so multi-byte characters stay whole.
struct Runes {
  std::string_view s;
  size_t pos = 0;

  bool done() const { return pos >= s.size(); }
  // The rune at pos and its length, without moving.
  char32_t peek(size_t* len) const { return decode_rune(s, pos, len); }
  // Appends the rune at pos to `word` and moves past it.
  void take(std::string& word) {
    size_t len = 0;
    decode_rune(s, pos, &len);
    word.append(s.substr(pos, len));
    pos += len;
  }
};

// One word, starting at a non-space rune; leaves `r` on the space after it (or the end).
// Returns false when nothing was collected and no quote was seen (an escape alone at the end).
bool read_quoted_word(Runes& r, char escape, std::string* word) {
  bool quoted = false;
  char quote = 0;
  while (!r.done()) {
    size_t len = 0;
    char32_t c = r.peek(&len);
    if (!quote && is_space(c)) break;
    bool is_escape = c == static_cast<unsigned char>(escape) && quote != '\'';
    if (is_escape && r.pos + len == r.s.size()) {
      r.pos += len;  // an escape at the very end of the text is dropped
      break;
    }
    if (is_escape) {
      r.take(*word);  // the escape and the character it protects both stay
    } else if (!quote && (c == '\'' || c == '"')) {
      quote = static_cast<char>(c);
      quoted = true;
    } else if (quote && c == static_cast<unsigned char>(quote)) {
      quote = 0;
    }
    r.take(*word);
  }
  return quoted || !word->empty();
}

}  // namespace

std::vector<std::string> split_quoted_words(std::string_view text, char escape) {
  std::vector<std::string> words;
  Runes r{text};
  while (!r.done()) {
    size_t len = 0;
    if (is_space(r.peek(&len))) {
      r.pos += len;
      continue;
    }
    std::string word;
    if (read_quoted_word(r, escape, &word)) words.push_back(std::move(word));
  }
  return words;
}

namespace {

bool is_ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// One flag word starting at s[pos] ("--..."), with quotes and backslashes removed; leaves pos
// on the blank after it or the end.
std::string read_flag_word(std::string_view s, size_t* pos) {
  std::string word;
  char quote = 0;
  size_t i = *pos;
  for (; i < s.size(); i++) {
    char c = s[i];
    if (!quote && is_ascii_space(c)) break;
    if (!quote && (c == '\'' || c == '"')) {
      quote = c;
      continue;
    }
    if (quote && c == quote) {
      quote = 0;
      continue;
    }
    if (c == '\\') {
      if (i + 1 == s.size()) break;  // a backslash at the very end is dropped
      c = s[++i];
    }
    word += c;
  }
  *pos = i;
  return word;
}

}  // namespace

FlagSplit extract_flags(std::string_view args) {
  FlagSplit out;
  size_t pos = 0;
  while (true) {
    while (pos < args.size() && is_ascii_space(args[pos])) pos++;
    if (args.substr(pos, 2) != "--") break;
    std::string word = read_flag_word(args, &pos);
    if (word == "--") break;
    if (!word.empty()) out.flags.push_back(std::move(word));
  }
  out.rest = args.substr(pos);
  return out;
}

}  // namespace bale::dockerfile
