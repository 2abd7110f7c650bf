// The Dockerfile parser: text in, instructions out (see ast.h), following the Dockerfile
// reference and BuildKit's frontend/dockerfile/parser where the reference is silent.
#pragma once

#include <string>
#include <string_view>

#include "dockerfile/ast.h"

namespace bale::dockerfile {

// Parses a Dockerfile's text. `file_name` only names it in errors, which read
// "FILE:LINE: what is wrong" (bale::Error, exit code 1).
Dockerfile parse_dockerfile(std::string_view text, const std::string& file_name);

// Reads and parses the file at `path`.
Dockerfile parse_dockerfile_file(const std::string& path);

}  // namespace bale::dockerfile
