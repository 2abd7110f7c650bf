// The parse as BuildKit's parser tests print it, one s-expression per instruction:
// (run ["--mount=x"] "echo hi"), (onbuild (copy "." "/")). `bale debug-parse` prints this, and
// the conformance data compares against it.
#pragma once

#include <string>
#include <string_view>

#include "dockerfile/ast.h"

namespace bale::dockerfile {

// Go's strconv.Quote: "..." with \" \\ \n \t \xNN \uNNNN escapes; printable non-ASCII stays.
std::string go_quote(std::string_view s);

std::string dump(const Instruction& inst);  // one s-expression, without a newline
std::string dump(const Dockerfile& df);     // one line per instruction

}  // namespace bale::dockerfile
