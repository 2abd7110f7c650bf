// bale.yaml's schema (see parse.h and docs/projects.md; docs/bale.schema.json says the same).
#include "project/parse.h"

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "project/check.h"
#include "project/errors.h"
#include "project/order.h"
#include "project/parse_volumes.h"

namespace bale::project {

namespace {

std::string optional_string(const Node& m, const char* key, const std::string& path) {
  const Node* n = m.find(key);
  return n ? string_of(*n, path + "." + key) : "";
}

void check_work_dir(const std::string& dir, const Node& m, const std::string& path) {
  if (!dir.empty() && dir[0] != '/')
    throw config_error(line_of(*m.find("work-dir")), path + ".work-dir", "must be an absolute path");
}

Container parse_container(const std::string& name, const Node& m, const std::string& path) {
  check_mapping(m, path, {"dockerfile", "build", "image", "context", "build-args", "environ",
                          "volumes", "work-dir"});
  Container c;
  c.name = name;
  c.where = line_of(m);
  c.dockerfile = optional_string(m, "dockerfile", path);
  c.build = optional_string(m, "build", path);
  c.image = optional_string(m, "image", path);
  int ways = !c.dockerfile.empty() + !c.build.empty() + !c.image.empty();
  if (ways != 1)
    throw config_error(c.where, path, ways ? "give only one of 'dockerfile', 'build' and 'image'"
                                           : "'dockerfile', 'build' or 'image' is missing");
  for (const char* k : {"context", "build-args"})
    if (m.find(k) && !c.image.empty())
      throw config_error(line_of(*m.find(k)), path + "." + k, "only for 'dockerfile' or 'build'");
  if (const Node* ctx = m.find("context")) c.context = string_of(*ctx, path + ".context");
  if (const Node* a = m.find("build-args"))
    for (auto& [k, v] : string_map_of(*a, path + ".build-args")) c.build_args[k] = v;
  if (const Node* e = m.find("environ")) c.environ = string_map_of(*e, path + ".environ");
  if (const Node* v = m.find("volumes")) c.volumes = parse_volumes(*v, path + ".volumes");
  c.work_dir = optional_string(m, "work-dir", path);
  check_work_dir(c.work_dir, m, path);
  return c;
}

Supervise parse_supervise(const Node& m, const std::string& path) {
  check_mapping(m, path, {"children", "mode", "grace-period"});
  Supervise s;
  const Node* ch = m.find("children");
  if (!ch) throw config_error(line_of(m), path, "'children' is missing");
  s.children = strings_of(*ch, path + ".children");
  if (s.children.empty()) throw config_error(line_of(*ch), path + ".children", "is empty");
  if (const Node* mode = m.find("mode")) {
    std::string v = string_of(*mode, path + ".mode");
    if (v == "stop-on-failure") s.mode = SuperviseMode::kStopOnFailure;
    else if (v == "wait-all-successful") s.mode = SuperviseMode::kWaitAllSuccessful;
    else if (v == "restart") s.mode = SuperviseMode::kRestart;
    else
      throw config_error(line_of(*mode), path + ".mode",
                         fmt::format("{}: expected stop-on-failure, wait-all-successful or restart", quote(v)));
  }
  if (const Node* g = m.find("grace-period")) s.grace_seconds = number_of(*g, path + ".grace-period");
  return s;
}

void parse_run(Command& c, const Node& run, const std::string& path) {
  if (run.kind == Node::Kind::kSequence) {
    c.run_list = strings_of(run, path);
    if (c.run_list.empty()) throw config_error(line_of(run), path, "is an empty list");
  } else if (run.kind == Node::Kind::kScalar) {
    c.run_shell = run.scalar;
  } else {
    throw config_error(line_of(run), path,
                       fmt::format("expected a list (exec'd) or a string (run by /bin/sh -c), found {}", run.kind_name()));
  }
}

Command parse_command(const std::string& name, const Node& m, const std::string& path) {
  check_mapping(m, path, {"description", "container", "run", "accepts-arguments", "environ",
                          "volumes", "work-dir", "user", "prerequisites", "supervise"});
  Command c;
  c.name = name;
  c.where = line_of(m);
  c.description = optional_string(m, "description", path);
  if (const Node* p = m.find("prerequisites")) c.prerequisites = strings_of(*p, path + ".prerequisites");
  if (const Node* s = m.find("supervise")) {
    for (const char* k : {"container", "run", "accepts-arguments", "environ", "volumes", "work-dir", "user"})
      if (const Node* n = m.find(k))
        throw config_error(line_of(*n), path + "." + k, "a supervise command runs its children; give this to them");
    c.supervise = parse_supervise(*s, path + ".supervise");
    return c;
  }
  const Node* run = m.find("run");
  if (!run) throw config_error(c.where, path, "'run' is missing (or 'supervise')");
  parse_run(c, *run, path + ".run");
  c.container = optional_string(m, "container", path);
  if (const Node* a = m.find("accepts-arguments")) c.accepts_arguments = bool_of(*a, path + ".accepts-arguments");
  if (const Node* e = m.find("environ")) c.environ = string_map_of(*e, path + ".environ");
  if (const Node* v = m.find("volumes")) c.volumes = parse_volumes(*v, path + ".volumes");
  c.work_dir = optional_string(m, "work-dir", path);
  check_work_dir(c.work_dir, m, path);
  c.user = optional_string(m, "user", path);
  return c;
}

// Names that point somewhere: containers, prerequisites and children exist.
void check_references(Project& p, const Node& tree) {
  for (auto& [name, c] : p.commands) {
    std::string path = "commands." + name;
    if (!c.supervise && c.container.empty()) {
      if (p.containers.size() != 1)
        throw config_error(c.where, path, p.containers.empty()
                                              ? "'container' is missing, and the project has no containers"
                                              : "'container' is missing (the project has several)");
      c.container = p.containers.begin()->first;
    }
    if (!c.supervise && !p.containers.count(c.container))
      throw config_error(c.where, path + ".container", fmt::format("no container named {}", quote(c.container)));
    for (const auto& pre : c.prerequisites)
      if (!p.commands.count(pre))
        throw config_error(c.where, path + ".prerequisites", fmt::format("no command named {}", quote(pre)));
    if (!c.supervise) continue;
    for (const auto& child : c.supervise->children) {
      auto it = p.commands.find(child);
      if (it == p.commands.end())
        throw config_error(c.where, path + ".supervise.children", fmt::format("no command named {}", quote(child)));
      if (it->second.supervise)
        throw config_error(c.where, path + ".supervise.children",
                           fmt::format("{} is itself a supervise command", quote(child)));
    }
  }
}

}  // namespace

Project parse_project(const Node& tree, const std::string& root) {
  check_mapping(tree, "(top level)", {"containers", "commands"});
  Project p;
  p.root = root;
  if (const Node* cs = tree.find("containers")) {
    expect_mapping(*cs, "containers");
    for (const auto& [name, m] : cs->entries) {
      check_name(name, m, "containers");
      p.containers.emplace(name, parse_container(name, m, "containers." + name));
    }
  }
  if (const Node* cs = tree.find("commands")) {
    expect_mapping(*cs, "commands");
    for (const auto& [name, m] : cs->entries) {
      check_name(name, m, "commands");
      p.commands.emplace(name, parse_command(name, m, "commands." + name));
    }
  }
  check_references(p, tree);
  return p;
}

Project load_project(const std::string& root) {
  std::string main_file = root + "/bale.yaml";
  Node tree = parse_yaml(read_file(main_file, 4 << 20), "bale.yaml");
  if (auto local = read_file_if_exists(root + "/bale.local.yaml", 4 << 20))
    merge_over(tree, parse_yaml(*local, "bale.local.yaml"));
  Project p = parse_project(tree, root);
  check_no_cycles(p);
  return p;
}

}  // namespace bale::project
