// The line loop: directives at the top, comments dropped, continuation lines joined, each
// joined line parsed into an instruction, and heredoc bodies taken from the lines after it.
#include "dockerfile/parser.h"

#include <algorithm>
#include <string>

#include "base/error.h"
#include "base/fs.h"
#include "dockerfile/directives.h"
#include "dockerfile/heredoc.h"
#include "dockerfile/instruction.h"
#include "dockerfile/lines.h"
#include "dockerfile/text.h"

namespace bale::dockerfile {
namespace {

class Parser {
 public:
  Parser(std::string_view text, const std::string& file)
      : lines_(text), file_(file), directives_(&out_.directives) {}

  Dockerfile run();

 private:
  // `e` with its location: "FILE:LINE: message".
  Error located(int line, const Error& e) const {
    return e.wrap(file_ + ":" + std::to_string(std::max(line, 1)));
  }
  // Calls f(), locating an Error from it at `line`.
  template <typename F>
  auto at_line(int line, F&& f) {
    try {
      return f();
    } catch (const Error& e) {
      throw located(line, e);
    }
  }
  bool next_line(std::string_view* line) {
    return at_line(lines_.line_number() + 1, [&] { return lines_.next(line); });
  }
  std::string join_continuation(std::string_view first_line_rest);
  void add_instruction(const std::string& line, int start_line);

  LineReader lines_;
  std::string file_;
  Dockerfile out_;
  DirectiveReader directives_;
};

Dockerfile Parser::run() {
  std::string_view raw;
  while (next_line(&raw)) {
    int start = lines_.line_number();
    std::string_view line = trim_left_space(trim_newline(raw));
    // Directive lines are comments too, so they are dropped just below.
    at_line(start, [&] { return directives_.read(line); });
    if (is_comment(line)) continue;
    bool continued = trim_continuation(&line, out_.directives.escape);
    if (!continued && line.empty()) continue;
    std::string joined = continued ? join_continuation(line) : std::string(line);
    add_instruction(joined, start);
  }
  if (out_.instructions.empty())
    throw located(lines_.line_number(), Error("file with no instructions"));
  return std::move(out_);
}

// Appends continuation lines to `first` until one does not end in the escape character (or
// the text ends). Comment lines inside are dropped before joining, as are blank lines, which
// the reference parser accepts with a warning.
std::string Parser::join_continuation(std::string_view first) {
  std::string joined(first);
  std::string_view raw;
  bool continued = true, warned = false;
  while (continued && next_line(&raw)) {
    std::string_view line = trim_newline(raw);
    if (is_comment(line)) continue;
    if (is_blank_line(line)) {
      if (!warned) out_.warnings.push_back({lines_.line_number(), "empty continuation line"});
      warned = true;
      continue;
    }
    continued = trim_continuation(&line, out_.directives.escape);
    joined += line;
  }
  return joined;
}

void Parser::add_instruction(const std::string& line, int start_line) {
  Instruction inst =
      at_line(start_line, [&] { return parse_instruction(line, out_.directives.escape); });
  if (takes_heredocs(inst)) {
    Instruction& target = inst.onbuild ? *inst.onbuild : inst;
    target.heredocs = find_heredocs(line);
    at_line(start_line, [&] {
      read_heredoc_bodies(lines_, &target.heredocs);
      return true;
    });
  }
  inst.start_line = start_line;
  inst.end_line = lines_.line_number();
  if (inst.onbuild) {
    inst.onbuild->start_line = start_line;
    inst.onbuild->end_line = inst.end_line;
  }
  out_.instructions.push_back(std::move(inst));
}

}  // namespace

Dockerfile parse_dockerfile(std::string_view text, const std::string& file_name) {
  return Parser(text, file_name).run();
}

Dockerfile parse_dockerfile_file(const std::string& path) {
  auto text = read_config_file_in_its_dir(path, 16 << 20);
  if (!text) throw sys_error("read", path, ENOENT);
  return parse_dockerfile(*text, path);
}

}  // namespace bale::dockerfile
