// Physical lines of a Dockerfile and what a line means before any instruction is parsed:
// comments, blank continuation lines, and the trailing escape that continues a line.
#pragma once

#include <cstddef>
#include <string_view>

namespace bale::dockerfile {

// The reference parser reads with a 64 KiB line buffer; a longer line is an error there, and
// this keeps the same limit on what a Dockerfile can make the parser hold in one line.
inline constexpr size_t kMaxLineLength = 65535;

// Hands out the lines of a text one at a time, each with its newline, counting them from 1.
// A UTF-8 byte order mark at the start of the text is dropped.
class LineReader {
 public:
  explicit LineReader(std::string_view text);

  // The next line (with its "\n", if it had one); false at the end of the text. Throws
  // bale::Error for a line longer than kMaxLineLength.
  bool next(std::string_view* line);
  int line_number() const { return line_number_; }  // of the line last returned

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int line_number_ = 0;
};

// The line without its trailing "\r" and "\n" characters.
std::string_view trim_newline(std::string_view line);
// A line whose first non-space character is '#'.
bool is_comment(std::string_view line);
// A line of nothing but whitespace.
bool is_blank_line(std::string_view line);
// If `line` ends with the escape character (trailing blanks allowed) that is not itself
// escaped, removes it and the blanks after it and returns true: the instruction continues on
// the next line. `\\` at the end is an escaped backslash, not a continuation.
bool trim_continuation(std::string_view* line, char escape);

}  // namespace bale::dockerfile
