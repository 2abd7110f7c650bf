// Depth-first over prerequisites (see order.h).
#include "project/order.h"

#include <algorithm>
#include <set>

#include "base/error.h"
#include "project/errors.h"

namespace bale::project {

namespace {

struct Walk {
  const Project& p;
  std::vector<std::string> order, stack;
  std::set<std::string> done;

  void visit(const std::string& name) {
    if (done.count(name)) return;
    auto on_stack = std::find(stack.begin(), stack.end(), name);
    if (on_stack != stack.end()) {
      std::string cycle;
      for (auto it = on_stack; it != stack.end(); ++it) cycle += *it + " -> ";
      const Command& c = p.commands.at(name);
      throw config_error(c.where, "commands." + name + ".prerequisites",
                         "the prerequisites form a cycle: " + cycle + name);
    }
    stack.push_back(name);
    for (const auto& pre : p.commands.at(name).prerequisites) visit(pre);
    stack.pop_back();
    done.insert(name);
    order.push_back(name);
  }
};

}  // namespace

std::vector<std::string> prerequisite_order(const Project& p, const std::string& name) {
  Walk w{p, {}, {}, {}};
  const Command& c = p.commands.at(name);
  w.stack.push_back(name);
  for (const auto& pre : c.prerequisites) w.visit(pre);
  if (c.supervise)
    for (const auto& child : c.supervise->children) {
      w.stack.push_back(child);
      for (const auto& pre : p.commands.at(child).prerequisites) w.visit(pre);
      w.stack.pop_back();
    }
  return w.order;
}

void check_no_cycles(const Project& p) {
  for (const auto& [name, c] : p.commands) {
    Walk w{p, {}, {}, {}};
    w.visit(name);
  }
}

}  // namespace bale::project
