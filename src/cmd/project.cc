// `bale NAME [ARGS...]`, `bale do NAME [ARGS...]` and a bare `bale` in a project: the commands of
// the nearest bale.yaml, run in their containers (docs/projects.md).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/identity.h"
#include "cmd/commands.h"
#include "cmd/env_options.h"
#include "cmd/rootless.h"
#include "image/config.h"
#include "project/container_image.h"
#include "project/discover.h"
#include "project/errors.h"
#include "project/order.h"
#include "project/parse.h"
#include "project/spec.h"
#include "project/supervise.h"
#include "store/acquire.h"
#include "trust/keystore.h"

namespace bale::cmd {

namespace {

using nlohmann::json;

void list_commands(const project::Project& p) {
  size_t width = 0;
  for (const auto& [name, c] : p.commands) width = std::max(width, name.size());
  std::printf("commands of %s/bale.yaml:\n", p.root.c_str());
  for (const auto& [name, c] : p.commands) {
    std::string what = c.description;
    if (c.supervise) {
      std::string kids;
      for (const auto& k : c.supervise->children) kids += (kids.empty() ? "" : ", ") + k;
      what += (what.empty() ? "" : " ") + fmt::format("(runs {})", kids);
    }
    std::printf("  %-*s  %s\n", static_cast<int>(width), name.c_str(), what.c_str());
  }
  if (p.commands.empty()) std::printf("  (none yet: add some under 'commands:')\n");
}

// The images and specs of the commands being run: each container's image is made and
// unpacked once per invocation, and kept (its lock held) until bale exits.
class Runner {
 public:
  Runner(const project::Project& p, const ProjectOptions& o)
      : p_(p), st_(store::Store::default_root()), paths_(trust::TrustPaths::defaults()) {
    inv_.cwd = project::current_dir();
    for (const auto& e : o.env) add_env_arg(inv_.env, e, "-e");
  }

  // An ordinary user's namespace first (the store and keys stay the user's: base/identity),
  // then every image ref (the builds of containers happen here, in it), then the images are
  // acquired.
  void prepare(const std::vector<std::string>& commands) {
    if (!invoked_as_root() && !rootless_) {
      rootless_ = true;
      enter_user_namespace_if_rootless(
          "so a container's RUN steps run as root only: one that switches to another user or "
          "gives files to another id (apt-get drops to _apt, useradd, chown) fails");
    }
    for (const auto& name : commands) {
      const auto& cmd = p_.commands.at(name);
      if (!cmd.supervise && !refs_.count(cmd.container))
        refs_[cmd.container] = project::container_image(p_, p_.containers.at(cmd.container), st_);
    }
  }

  runtime::ContainerSpec spec(const std::string& name, const std::vector<std::string>& args) {
    const auto& cmd = p_.commands.at(name);
    auto it = images_.find(cmd.container);
    if (it == images_.end())
      it = images_.emplace(cmd.container, store::acquire(refs_.at(cmd.container), st_, paths_, {})).first;
    const store::ReadyImage& img = it->second;
    json c = image::run_config(img.config, quote(img.path));
    project::Invocation inv = inv_;
    inv.args = args;
    runtime::ContainerSpec s = project::command_spec(p_, p_.containers.at(cmd.container), cmd, c, st_, inv);
    s.lowers = {img.rootfs};
    s.rootless = rootless_;
    return s;
  }

 private:
  const project::Project& p_;
  store::Store st_;
  trust::TrustPaths paths_;
  project::Invocation inv_;
  bool rootless_ = false;
  std::map<std::string, std::string> refs_;
  std::map<std::string, store::ReadyImage> images_;
};

// The children to run: all, or those --only names, less those --exclude names.
std::vector<std::string> chosen_children(const project::Command& cmd, const ProjectOptions& o) {
  const auto& all = cmd.supervise->children;
  for (const auto* list : {&o.only, &o.exclude})
    for (const auto& n : *list)
      if (std::find(all.begin(), all.end(), n) == all.end())
        throw Error(fmt::format("{} has no child {}", quote(cmd.name), quote(n)), 0, kExitUsage);
  std::vector<std::string> out;
  for (const auto& n : all) {
    bool in = o.only.empty() || std::find(o.only.begin(), o.only.end(), n) != o.only.end();
    if (in && std::find(o.exclude.begin(), o.exclude.end(), n) == o.exclude.end()) out.push_back(n);
  }
  if (out.empty()) throw Error(fmt::format("--only/--exclude leave {} no children", quote(cmd.name)), 0, kExitUsage);
  return out;
}

// `bale serve --only web`: the options a supervise command takes after its name.
ProjectOptions options_from_args(ProjectOptions o) {
  std::vector<std::string> args = std::move(o.args);
  o.args.clear();
  for (size_t i = 0; i < args.size(); i++) {
    const std::string& a = args[i];
    std::vector<std::string>* list = a == "--only" ? &o.only : a == "--exclude" ? &o.exclude : nullptr;
    if (!list) {
      o.args.push_back(a);
      continue;
    }
    if (i + 1 == args.size()) throw Error(fmt::format("{} needs a child's name", a), 0, kExitUsage);
    list->push_back(args[++i]);
  }
  return o;
}

int run_command(const project::Project& p, ProjectOptions o) {
  const project::Command& cmd = p.commands.at(o.name);
  if (cmd.supervise && o.options_in_args) o = options_from_args(std::move(o));
  if (cmd.supervise && !o.args.empty())
    throw Error(fmt::format("{} is a supervise command: it takes --only/--exclude, not {}",
                            quote(o.name), quote(o.args[0])), 0, kExitUsage);
  if (!cmd.supervise && (!o.only.empty() || !o.exclude.empty()))
    throw Error(fmt::format("--only/--exclude are for supervise commands; {} is not one", quote(o.name)), 0, kExitUsage);
  if (!cmd.supervise) project::command_argv(cmd, o.args);  // refuses arguments before any build
  std::vector<std::string> order = project::prerequisite_order(p, o.name);
  std::vector<std::string> children = cmd.supervise ? chosen_children(cmd, o) : std::vector<std::string>{o.name};
  std::vector<std::string> all = order;
  all.insert(all.end(), children.begin(), children.end());
  Runner runner(p, o);
  runner.prepare(all);
  for (const auto& pre : order) {
    int code = project::run_foreground(runner.spec(pre, {}));
    if (code != 0) {
      std::fprintf(stderr, "bale: %s: its prerequisite %s exited with %d\n", o.name.c_str(), pre.c_str(), code);
      return code;
    }
  }
  if (!cmd.supervise) return project::run_foreground(runner.spec(o.name, o.args));
  std::vector<project::Member> members;
  for (const auto& child : children) members.push_back({child, runner.spec(child, {})});
  return project::supervise(members, *cmd.supervise);
}

}  // namespace

std::optional<std::string> project_root_here() {
  return project::find_project_root(project::current_dir());
}

int project(const ProjectOptions& o) {
  auto root = project_root_here();
  if (!root)
    throw Error(fmt::format("no bale.yaml in {} or any directory above it", quote(project::current_dir())),
                ENOENT, project::kExitNoProject)
        .with_hint("a project declares its containers and commands in bale.yaml at its root "
                   "(docs/projects.md); bale's own commands: bale --help");
  project::Project p = project::load_project(*root);
  if (o.name.empty()) {
    list_commands(p);
    return 0;
  }
  if (!p.commands.count(o.name)) {
    std::string names;
    for (const auto& [n, c] : p.commands) names += (names.empty() ? "" : ", ") + n;
    throw Error(fmt::format("no command {} in {}/bale.yaml", quote(o.name), *root), 0, project::kExitNoCommand)
        .with_hint(names.empty() ? "it has no commands" : "its commands: " + names);
  }
  try {
    return run_command(p, o);
  } catch (const Error& e) {
    int code = e.exit_code();
    if (code == kExitUsage || (code >= project::kExitNoProject && code <= project::kExitBuildFailed)) throw;
    throw e.before_target();
  }
}

}  // namespace bale::cmd
