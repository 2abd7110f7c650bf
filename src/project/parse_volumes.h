// The `volumes:` mapping, validated (see parse.h for the error format).
#pragma once

#include <string>
#include <vector>

#include "project/model.h"

namespace bale::project {

std::vector<Volume> parse_volumes(const Node& n, const std::string& path);

}  // namespace bale::project
