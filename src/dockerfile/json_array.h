// The exec form of RUN, CMD, ENTRYPOINT, SHELL, COPY, ADD, VOLUME and HEALTHCHECK CMD: a JSON
// array of strings, read with the quirks of Go's encoding/json that Dockerfiles depend on.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bale::dockerfile {

enum class JsonArray {
  kNotJson,     // not a JSON array: the instruction falls back to its shell form
  kStrings,     // an array of strings, now in *out
  kNotStrings,  // valid JSON, but an element is not a string: an error in a Dockerfile
};

// Reads the JSON value at the start of `text` (after leading whitespace). As Go's
// json.Decoder does, text after the closing bracket is ignored: `["a"] b` is ["a"].
JsonArray parse_json_array(std::string_view text, std::vector<std::string>* out);

}  // namespace bale::dockerfile
