// Line splitting and line classification for the Dockerfile parser.
#include "dockerfile/lines.h"

#include <string>

#include "base/error.h"
#include "dockerfile/text.h"

namespace bale::dockerfile {

LineReader::LineReader(std::string_view text) : text_(text) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);
}

bool LineReader::next(std::string_view* line) {
  if (pos_ >= text_.size()) return false;
  size_t nl = text_.find('\n', pos_);
  size_t end = nl == std::string_view::npos ? text_.size() : nl + 1;
  *line = text_.substr(pos_, end - pos_);
  pos_ = end;
  line_number_++;
  if (trim_newline(*line).size() > kMaxLineLength)
    throw Error("line longer than the maximum of " + std::to_string(kMaxLineLength) + " bytes");
  return true;
}

std::string_view trim_newline(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  return line;
}

bool is_comment(std::string_view line) {
  line = trim_left_space(line);
  return !line.empty() && line[0] == '#';
}

bool is_blank_line(std::string_view line) { return trim_left_space(line).empty(); }

bool trim_continuation(std::string_view* line, char escape) {
  size_t end = line->size();
  while (end > 0 && ((*line)[end - 1] == ' ' || (*line)[end - 1] == '\t')) end--;
  if (end == 0 || (*line)[end - 1] != escape) return false;
  // BuildKit's rule: the escape continues the line unless another escape precedes it. A run
  // of three is thus not a continuation either, a known quirk kept for compatibility.
  if (end >= 2 && (*line)[end - 2] == escape) return false;
  *line = line->substr(0, end - 1);
  return true;
}

}  // namespace bale::dockerfile
