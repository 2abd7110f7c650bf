// `bale app register|list|show|remove`: the host links and app files of docs/apps.md. The
// images are verified (and unpacked) when an app is registered, so its first call is warm.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "apps/app_config.h"
#include "apps/app_link.h"
#include "apps/instance.h"
#include "apps/launch.h"
#include "apps/vm_app.h"
#include "base/error.h"
#include "base/fs.h"
#include "cmd/commands.h"
#include "cmd/rootless.h"
#include "runtime/container.h"
#include "trust/keystore.h"
#include "vm/erofs.h"

namespace bale::cmd {

namespace {

// `path` made absolute against the working directory, and cleaned.
std::string absolute(const std::string& path) {
  if (path.empty()) throw Error("--app: an empty path", 0, kExitUsage);
  if (path[0] == '/') return clean_path(path);
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) throw_sys("getcwd", ".");
  return clean_path(std::string(cwd) + "/" + path);
}

std::string app_name_of(const std::string& path) {
  std::string name = basename_of(path);
  if (!apps::valid_app_name(name))
    throw Error(fmt::format("--app {}: '{}' cannot name an app (letters, digits and ._+- only, "
                            "not starting with '.', not 'bale')", quote(path), name), 0, kExitUsage);
  return name;
}

// A host path to include, as the app file keeps it: absolute (made so from the working
// directory), and there now.
std::string include_path(const std::string& p, const char* option) {
  if (p.empty()) throw Error(fmt::format("{}: an empty path", option), 0, kExitUsage);
  std::string abs = clean_path(absolute(p));
  struct stat st;
  if (lstat(abs.c_str(), &st) < 0) throw sys_error(option, abs, errno);
  return abs;
}

apps::AppConfig config_from(const AppOptions& o) {
  apps::AppConfig c;
  c.app = absolute(o.app);
  c.name = app_name_of(c.app);
  c.source = apps::apps_dir() + "/" + c.name + ".yaml";
  c.image = o.image;
  c.target = o.target.empty() ? c.app : o.target;
  if (c.target[0] != '/')
    throw Error(fmt::format("--target {}: an absolute path inside the image, or / for its "
                            "entrypoint", quote(c.target)), 0, kExitUsage);
  c.base = o.base;
  c.layers = o.layers;
  c.env = o.env;
  c.binds = o.binds;
  c.workdir = o.workdir;
  c.user = o.user;
  c.resume = o.resume;
  c.bind_cwd = o.bind_cwd;
  if (c.bind_cwd && c.resume)
    throw Error("--bind-cwd and --resume: an instance's mounts are made once, by its first call, "
                "so later calls' directories would not be there", 0, kExitUsage);
  for (const auto& e : o.env)
    if (e.find('=') == std::string::npos || e[0] == '=')
      throw Error(fmt::format("--env {}: expected K=V", quote(e)), 0, kExitUsage);
  for (const auto& b : o.binds) runtime::parse_bind(b, "--bind", true);
  for (const auto& p : o.include_paths) c.include_paths.push_back(include_path(p, "--include-path"));
  for (const auto& p : o.include_tars) c.include_tars.push_back(include_path(p, "--include-tar"));
  if (o.vm) {
    c.engine = "vm";
    apps::check_vm_app(c);
  }
  return c;
}

int app_register(const AppOptions& o) {
  apps::AppConfig c = config_from(o);
  std::string dir = apps::apps_dir();
  if (auto old = apps::load_app(dir, c.name)) {
    if (old->app != c.app)
      throw Error(fmt::format("an app named '{}' is already registered for {}", c.name, quote(old->app)))
          .with_hint(fmt::format("remove it first: bale app remove --app {}", old->app));
    if (!o.force)
      throw Error(fmt::format("{} is already registered as app '{}'", quote(c.app), c.name))
          .with_hint("--force registers it again with these settings");
  }
  apps::check_link_replaceable(c.app, o.force);
  {
    // Verified (signer trusted) and unpacked now, as they will be at launch.
    store::Store st(store::Store::default_root());
    trust::TrustPaths paths = trust::TrustPaths::defaults();
    enter_user_namespace_if_rootless();
    std::vector<store::ReadyImage> imgs = apps::acquire_app_images(c, st, paths);
    bool built = false;
    if (c.engine == "vm") vm::ensure_erofs(imgs.back().rootfs, built);  // the first call boots at once
    std::vector<UniqueFd> holds;
    apps::include_tar_trees(c, st, holds);
  }
  const bool had_file = path_exists(c.source);
  apps::write_app(dir, c);
  try {
    apps::place_link(c.app, o.force);
  } catch (const Error&) {
    if (!had_file) unlink(c.source.c_str());
    throw;
  }
  std::printf("app '%s': %s runs %s in %s%s\n", c.name.c_str(), c.app.c_str(), c.target.c_str(),
              c.image.c_str(), c.engine == "vm" ? " (a microVM)" : "");
  return 0;
}

// Removes one app: its link if it is still ours, and its file.
void remove_one(const apps::AppConfig& c) {
  if (!apps::remove_link(c.app))
    std::fprintf(stderr, "bale: %s is no longer a bale app link: left as it is\n", quote(c.app).c_str());
  if (unlink(c.source.c_str()) < 0 && errno != ENOENT) throw_sys("unlink", c.source);
  std::string dropins = dirname_of(c.source) + "/" + c.name + ".d";
  if (path_exists(dropins))
    std::fprintf(stderr, "bale: the drop-ins in %s are kept\n", quote(dropins).c_str());
  std::printf("removed app '%s' (%s)\n", c.name.c_str(), c.app.c_str());
}

int app_remove(const AppOptions& o) {
  std::string dir = apps::apps_dir();
  if (!o.image.empty()) {
    int n = 0;
    for (const auto& c : apps::list_apps(dir))
      if (c.image == o.image) remove_one(c), n++;
    if (n == 0) throw Error(fmt::format("no app in {} runs image {}", quote(dir), quote(o.image)));
    return 0;
  }
  if (o.app.empty()) throw Error("bale app remove: give --app PATH or --image IMAGE", 0, kExitUsage);
  std::string path = absolute(o.app);
  std::string name = basename_of(path);
  std::optional<apps::AppConfig> c = apps::load_app(dir, name);
  if (!c) throw Error(fmt::format("{} is not a registered app (no {}.yaml in {})", quote(path), name, quote(dir)));
  if (c->app != path)
    throw Error(fmt::format("app '{}' is {}, not {}", name, quote(c->app), quote(path)));
  remove_one(*c);
  return 0;
}

nlohmann::json to_json(const apps::AppConfig& c) {
  return {{"name", c.name},     {"app", c.app},         {"engine", c.engine},
          {"image", c.image},   {"target", c.target},   {"base", c.base},
          {"layers", c.layers}, {"include_tars", c.include_tars}, {"include_paths", c.include_paths}, {"env", c.env},
          {"binds", c.binds},   {"workdir", c.workdir}, {"user", c.user},
          {"resume", c.resume}, {"bind_cwd", c.bind_cwd}, {"file", c.source}};
}

// Every app this caller would start, first match per name (its own, then the system's).
std::vector<apps::AppConfig> visible_apps() {
  std::vector<apps::AppConfig> out;
  for (const std::string& dir : apps::app_search_dirs())
    for (auto& c : apps::list_apps(dir)) {
      bool seen = false;
      for (const auto& o : out) seen = seen || o.name == c.name;
      if (!seen) out.push_back(std::move(c));
    }
  return out;
}

int app_list(const AppOptions& o) {
  std::vector<apps::AppConfig> all = visible_apps();
  if (o.format == "json") {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& c : all) j.push_back(to_json(c));
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  std::printf("%-16s %-32s %-24s %s\n", "NAME", "APP", "IMAGE", "TARGET");
  for (const auto& c : all)
    std::printf("%-16s %-32s %-24s %s\n", c.name.c_str(), c.app.c_str(), c.image.c_str(),
                c.target.c_str());
  return 0;
}

int app_show(const AppOptions& o) {
  std::optional<apps::AppConfig> c = apps::find_app(o.name);
  if (!c) throw Error(fmt::format("no app named {} is registered", quote(o.name)));
  std::printf("# %s\n%s", c->source.c_str(), apps::render_app(*c).c_str());
  return 0;
}

int app_ps(const AppOptions& o) {
  std::vector<runtime::RunRecord> all = apps::live_instances();
  auto instance_of = [](const runtime::RunRecord& r) {
    size_t dot = r.name.find('.');
    return dot == std::string::npos ? std::string() : r.name.substr(dot + 1);
  };
  if (o.format == "json") {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : all)
      j.push_back({{"app", r.argv[1]}, {"instance", instance_of(r)}, {"pid", r.pid},
                   {"image", r.image}, {"started", r.started}});
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  std::printf("%-16s %-12s %-8s %s\n", "APP", "INSTANCE", "PID", "IMAGE");
  for (const auto& r : all)
    std::printf("%-16s %-12s %-8d %s\n", r.argv[1].c_str(), instance_of(r).c_str(), r.pid,
                r.image.c_str());
  return 0;
}

int app_stop(const AppOptions& o) {
  std::string record = apps::instance_record_name(o.name, o.instance);
  if (!apps::find_instance(record))
    throw Error(fmt::format("no instance of app {}{} is running", quote(o.name),
                            o.instance.empty() ? "" : " named " + quote(o.instance)));
  StopOptions s;
  s.targets = {record};
  s.timeout = o.timeout;
  return stop(s);
}

}  // namespace

int app(const AppOptions& o) {
  if (o.action == "ps") return app_ps(o);
  if (o.action == "stop") return app_stop(o);
  if (o.action == "register") return app_register(o);
  if (o.action == "remove") return app_remove(o);
  if (o.action == "list") return app_list(o);
  return app_show(o);
}

}  // namespace bale::cmd
