// Character classes and trimming as the reference parser (Go) sees them: UTF-8 decoded into
// code points, an invalid byte being one U+FFFD, and "space" meaning Unicode White_Space.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace bale::dockerfile {

inline constexpr char32_t kRuneError = 0xFFFD;

// The code point at s[pos] and its length in bytes (an invalid sequence is U+FFFD, length 1).
char32_t decode_rune(std::string_view s, size_t pos, size_t* len);
void append_utf8(std::string& out, char32_t r);

// Go's unicode.IsSpace: ASCII \t \n \v \f \r space, U+0085, U+00A0 and the Z* spaces.
bool is_space(char32_t r);

std::string_view trim_left_space(std::string_view s);
std::string_view trim_right_space(std::string_view s);
inline std::string_view trim_space(std::string_view s) {
  return trim_right_space(trim_left_space(s));
}

// The separator BuildKit splits instruction words on: runs of [\t\v\f\r ] (not Unicode spaces).
bool is_word_separator(char c);
// Splits on runs of separators; at most `max_parts` parts (0: no limit), the last keeping the
// rest of the text as it is. An empty text is one empty part, as Go's regexp.Split gives.
std::vector<std::string> split_words(std::string_view s, size_t max_parts = 0);

std::string to_lower_ascii(std::string_view s);

// Go's unicode.IsLetter || IsDigit || '_': where BuildKit ends a variable name.
bool is_name_rune(char32_t r);

// A string's runes as Go ranges over them (an invalid byte is one U+FFFD), with the byte
// offset of each and of the end, so matches found on runes cut the original bytes.
struct Decoded {
  std::vector<char32_t> runes;
  std::vector<size_t> offsets;
};
Decoded decode(std::string_view s);

}  // namespace bale::dockerfile
