// bale.yaml (and bale.local.yaml over it) to the typed model, validated strictly: an unknown key,
// a wrong type, a missing field or a name that points nowhere is an error naming the file, the
// line and the path in the file: "bale.yaml:12: commands.test: 'run' is missing".
#pragma once

#include <string>

#include "project/model.h"
#include "project/tree.h"

namespace bale::project {

// The model of the tree. `root` is the project root, kept in the result.
Project parse_project(const Node& tree, const std::string& root);

// Reads ROOT/bale.yaml and, if present, ROOT/bale.local.yaml merged over it, and parses them.
Project load_project(const std::string& root);

}  // namespace bale::project
