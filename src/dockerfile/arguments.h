// How each instruction's arguments are split, after its keyword and flags: the exec form,
// whitespace-separated words, one string, key=value pairs, or HEALTHCHECK's type + command.
#pragma once

#include <string_view>

#include "dockerfile/ast.h"

namespace bale::dockerfile {

// The instructions of the Dockerfile reference, lower-case; ONBUILD is handled by the caller.
bool is_known_instruction(std::string_view keyword);

// Fills inst->args and inst->json_form from `rest` (already trimmed) for inst->keyword.
// Throws bale::Error for arguments no Dockerfile may have (ENV without a value, a JSON array
// holding something other than strings).
void parse_arguments(Instruction* inst, std::string_view rest, char escape);

}  // namespace bale::dockerfile
