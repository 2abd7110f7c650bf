// Module dependency order from modules.dep (see modules.h).
#include "vm/modules.h"

#include <map>
#include <set>

#include <fmt/format.h>

#include "base/error.h"

namespace bale::vm {

std::string module_name(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t ko = base.find(".ko");
  std::string name(base.substr(0, ko));
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
}

namespace {

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) i++;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') j++;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

struct Graph {
  std::map<std::string, std::string> path;               // name -> file
  std::map<std::string, std::vector<std::string>> deps;  // name -> dependency names
};

Graph parse_dep(std::string_view dep) {
  Graph g;
  while (!dep.empty()) {
    size_t nl = dep.find('\n');
    std::string_view line = dep.substr(0, nl);
    dep.remove_prefix(nl == std::string_view::npos ? dep.size() : nl + 1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string file(line.substr(0, colon));
    std::string name = module_name(file);
    g.path[name] = file;
    for (const auto& d : words(line.substr(colon + 1))) g.deps[name].push_back(module_name(d));
  }
  return g;
}

void visit(const Graph& g, const std::string& name, std::set<std::string>& done,
           std::set<std::string>& on_path, std::vector<std::string>& out) {
  if (done.count(name)) return;
  if (!on_path.insert(name).second)
    throw Error(fmt::format("modules.dep: a dependency cycle through {}", quote(name)));
  auto it = g.deps.find(name);
  if (it != g.deps.end())
    for (const auto& d : it->second) visit(g, d, done, on_path, out);
  on_path.erase(name);
  done.insert(name);
  out.push_back(g.path.at(name));
}

}  // namespace

std::vector<std::string> modules_to_load(std::string_view modules_dep,
                                         std::string_view modules_builtin,
                                         const std::vector<std::string>& wanted) {
  Graph g = parse_dep(modules_dep);
  std::set<std::string> builtin;
  size_t i = 0;
  while (i < modules_builtin.size()) {
    size_t nl = modules_builtin.find('\n', i);
    if (nl == std::string_view::npos) nl = modules_builtin.size();
    if (nl > i) builtin.insert(module_name(modules_builtin.substr(i, nl - i)));
    i = nl + 1;
  }
  std::set<std::string> done, on_path;
  std::vector<std::string> out;
  for (const auto& w : wanted) {
    std::string name = module_name(w);
    if (builtin.count(name)) continue;
    if (!g.path.count(name))
      throw Error(fmt::format("the guest kernel has no module {} (neither in modules.dep nor "
                              "built in)", quote(name)), ENOENT);
    visit(g, name, done, on_path, out);
  }
  return out;
}

}  // namespace bale::vm
