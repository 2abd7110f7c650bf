// One instruction from its joined line: keyword, flags and arguments, and ONBUILD's trigger.
#pragma once

#include <string_view>

#include "dockerfile/ast.h"

namespace bale::dockerfile {

// Parses `line` (continuations joined, comments removed). Lines and heredocs are the
// caller's. Throws bale::Error without a location ("unknown instruction: FOO", ...).
Instruction parse_instruction(std::string_view line, char escape);

}  // namespace bale::dockerfile
