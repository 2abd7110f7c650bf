// Instruction flags as name/value pairs: each `--name[=value]` word extract_flags found, split
// once at its first '=', and the `key=value,...` fields of a value such as --mount's.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dockerfile/ast.h"

namespace bale::dockerfile {

// "--from=build" -> {"from", "build"}; "--link" -> {"link", none}; "--a=" -> {"a", ""}.
Flag parse_flag(std::string_view word);

// One `key[=value]` field of a flag's value.
struct FlagField {
  std::string key;
  std::optional<std::string> value;  // none for a bare `ro`
};

// The comma-separated fields of `value` in order, empty ones left out:
// "type=cache,target=/x,ro" -> {type, cache} {target, /x} {ro, none}.
std::vector<FlagField> split_flag_fields(std::string_view value);

}  // namespace bale::dockerfile
