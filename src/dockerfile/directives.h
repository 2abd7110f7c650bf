// Parser directives: `# escape=`, `# syntax=`, `# check=` comment lines at the very top of a
// Dockerfile. The first line that is not one (an instruction, another comment, a blank line,
// an unknown directive) ends them for good.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "dockerfile/ast.h"

namespace bale::dockerfile {

class DirectiveReader {
 public:
  explicit DirectiveReader(Directives* out) : out_(out) {}

  // Looks at one line (newline and leading whitespace already removed). Returns true if it was
  // a directive and has been recorded; throws bale::Error for a repeated directive or a bad
  // escape character.
  bool read(std::string_view line);
  bool done() const { return done_; }

 private:
  Directives* out_;
  std::set<std::string> seen_;
  bool done_ = false;
};

}  // namespace bale::dockerfile
