// Reading a Node strictly, for parse.cc: each accessor names the path and the line when the node
// is not what the schema says. `path` is the dotted path in the file ("commands.test.run").
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "project/tree.h"

namespace bale::project {

// Where a message about `n` should point: its key's line when it has one.
const Where& line_of(const Node& n);

// Fails unless `n` is a mapping whose keys are all in `known`.
void check_mapping(const Node& n, const std::string& path, std::initializer_list<const char*> known);
// Fails unless `n` is a mapping (with any keys) or nothing (an empty one).
void expect_mapping(const Node& n, const std::string& path);
std::string string_of(const Node& n, const std::string& path);  // a scalar, as written
bool bool_of(const Node& n, const std::string& path);           // true or false
double number_of(const Node& n, const std::string& path);       // a non-negative number
std::vector<std::string> strings_of(const Node& n, const std::string& path);  // a list of scalars
// A mapping of names to scalars (environ, build-args), in file order.
std::vector<std::pair<std::string, std::string>> string_map_of(const Node& n, const std::string& path);
// A name of a container or command: letters, digits, '-', '_', '.', not starting with '-'.
void check_name(const std::string& name, const Node& n, const std::string& path);

}  // namespace bale::project
