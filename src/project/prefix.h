// Supervised children's output on bale's stdout: each line prefixed with the child's name (in
// its own colour on a terminal, plain in a log), each written with one write(2) so lines of
// different children never interleave mid-line.
#pragma once

#include <string>

namespace bale::project {

class LinePrefixer {
 public:
  LinePrefixer(std::string name, size_t width, int colour_index, bool colour);
  void feed(const char* data, size_t n);  // writes every complete line
  void finish();                          // the last line, if it had no newline

 private:
  void emit(const std::string& line);
  std::string prefix_, pending_;
};

}  // namespace bale::project
