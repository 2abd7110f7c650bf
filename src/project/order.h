// Prerequisites: which commands run before a command, each once, in dependency order.
#pragma once

#include <string>
#include <vector>

#include "project/model.h"

namespace bale::project {

// The commands to run before `name`, dependencies first, each once; for a supervise command
// also its children's prerequisites (the children themselves are not in the list). Throws a
// config error naming the cycle ("a -> b -> a") if the prerequisites go round.
std::vector<std::string> prerequisite_order(const Project& p, const std::string& name);

// Fails, naming the cycle, if any command's prerequisites go round.
void check_no_cycles(const Project& p);

}  // namespace bale::project
