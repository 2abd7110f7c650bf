// UTF-8 and whitespace helpers for the Dockerfile parser.
#include "dockerfile/text.h"

#include <utility>

namespace bale::dockerfile {

char32_t decode_rune(std::string_view s, size_t pos, size_t* len) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char b0 = byte(pos);
  *len = 1;
  if (b0 < 0x80) return b0;
  size_t n = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC2 ? 2 : 0;
  if (n == 0 || b0 > 0xF4 || pos + n > s.size()) return kRuneError;
  char32_t r = b0 & (0x7F >> n);
  for (size_t i = 1; i < n; i++) {
    if ((byte(pos + i) & 0xC0) != 0x80) return kRuneError;
    r = (r << 6) | (byte(pos + i) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid, as in Go.
  static constexpr char32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (r < kMin[n] || (r >= 0xD800 && r <= 0xDFFF) || r > 0x10FFFF) return kRuneError;
  *len = n;
  return r;
}

void append_utf8(std::string& out, char32_t r) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = kRuneError;
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

bool is_space(char32_t r) {
  if (r < 0x80) return r == ' ' || (r >= '\t' && r <= '\r');
  return r == 0x85 || r == 0xA0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 ||
         r == 0x2029 || r == 0x202F || r == 0x205F || r == 0x3000;
}

std::string_view trim_left_space(std::string_view s) {
  size_t pos = 0, len = 0;
  while (pos < s.size() && is_space(decode_rune(s, pos, &len))) pos += len;
  return s.substr(pos);
}

std::string_view trim_right_space(std::string_view s) {
  // Walk forward (UTF-8 cannot be decoded backwards safely when it may be invalid) and
  // remember where the last non-space rune ended.
  size_t pos = 0, len = 0, end = 0;
  while (pos < s.size()) {
    bool space = is_space(decode_rune(s, pos, &len));
    pos += len;
    if (!space) end = pos;
  }
  return s.substr(0, end);
}

bool is_word_separator(char c) {
  return c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == ' ';
}

std::vector<std::string> split_words(std::string_view s, size_t max_parts) {
  std::vector<std::string> parts;
  size_t start = 0, pos = 0;
  while (pos < s.size() && (max_parts == 0 || parts.size() + 1 < max_parts)) {
    if (!is_word_separator(s[pos])) {
      pos++;
      continue;
    }
    parts.emplace_back(s.substr(start, pos - start));
    while (pos < s.size() && is_word_separator(s[pos])) pos++;
    start = pos;
  }
  parts.emplace_back(s.substr(start));
  return parts;
}

std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// ASCII is exact; other code points count as letters unless they fall in the punctuation,
// symbol, mark, emoji or private-use blocks below: an approximation, as there are no Unicode
// tables here.
bool is_name_rune(char32_t r) {
  if (r < 0x80)
    return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '_';
  if (r > 0x10FFFF) return false;
  if (r == 0xAA || r == 0xB5 || r == 0xBA) return true;  // ª µ º: the Latin-1 letters
  static constexpr std::pair<char32_t, char32_t> kNotLetters[] = {
      {0x80, 0xBF},     {0xD7, 0xD7},     {0xF7, 0xF7},       {0x300, 0x36F},     {0x2000, 0x206F},
      {0x20A0, 0x20FF}, {0x2190, 0x2BFF}, {0x3000, 0x3004},   {0x3008, 0x3020},   {0xE000, 0xF8FF},
      {0xFE00, 0xFE0F}, {0xFE30, 0xFE6F}, {0xFF00, 0xFF0F},   {0xFF1A, 0xFF20},   {0xFF3B, 0xFF40},
      {0xFF5B, 0xFF65}, {0xFFF0, 0xFFFF}, {0x1F000, 0x1FAFF}, {0xE0000, 0x10FFFF}};
  for (auto [lo, hi] : kNotLetters) {
    if (r >= lo && r <= hi) return false;
  }
  return !is_space(r);
}

Decoded decode(std::string_view s) {
  Decoded d;
  size_t len = 0;
  for (size_t pos = 0; pos < s.size(); pos += len) {
    d.runes.push_back(decode_rune(s, pos, &len));
    d.offsets.push_back(pos);
  }
  d.offsets.push_back(s.size());
  return d;
}

}  // namespace bale::dockerfile
