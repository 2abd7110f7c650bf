// Planning one app call (see launch.h).
#include "apps/launch.h"

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "apps/vm_app.h"
#include "image/config.h"

namespace bale::apps {

using nlohmann::json;

namespace {

bool name_char(char c, bool first) {
  return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9');
}

std::vector<std::string> app_argv(const AppConfig& c, const json& cfg,
                                  const std::vector<std::string>& args) {
  if (!c.target.empty() && c.target != "/") {
    std::vector<std::string> argv{c.target};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  // "/": the image's own entrypoint; the caller's arguments replace its cmd, as for `bale run`.
  std::vector<std::string> argv = image::string_list(cfg.value("Entrypoint", json::array()));
  std::vector<std::string> cmd = args.empty() ? image::string_list(cfg.value("Cmd", json::array())) : args;
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  if (argv.empty())
    throw Error(fmt::format("app '{}': target / but image {} has no entrypoint or cmd", c.name,
                            quote(c.image)), 0, kExitUsage);
  return argv;
}

}  // namespace

std::optional<std::string> expand_caller_vars(const std::string& value) {
  std::string out;
  for (size_t i = 0; i < value.size(); i++) {
    if (value[i] != '%') { out += value[i]; continue; }
    if (i + 1 < value.size() && value[i + 1] == '%') { out += '%'; i++; continue; }
    size_t j = i + 1;
    while (j < value.size() && name_char(value[j], j == i + 1)) j++;
    if (j == i + 1) { out += '%'; continue; }  // a % that names nothing stays
    std::string name = value.substr(i + 1, j - i - 1);
    const char* v = std::getenv(name.c_str());
    if (!v && i == 0 && j == value.size()) return std::nullopt;
    out += v ? v : "";
    i = j - 1;
  }
  return out;
}

std::vector<store::ReadyImage> acquire_app_images(const AppConfig& c, store::Store& st,
                                                  const trust::TrustPaths& paths) {
  std::vector<std::string> refs;
  if (!c.base.empty()) refs.push_back(c.base);
  refs.insert(refs.end(), c.layers.begin(), c.layers.end());
  refs.push_back(c.image);
  std::vector<store::ReadyImage> out;
  for (const std::string& ref : refs) {
    try {
      store::AcquireOptions opts;
      opts.offer_insecure = false;  // an app has no --insecure
      out.push_back(store::acquire(ref, st, paths, opts));
    } catch (const Error& e) {
      throw e.wrap(fmt::format("app '{}': image {}", c.name, quote(ref)));
    }
  }
  return out;
}

std::vector<std::string> include_tar_trees(const AppConfig& c, store::Store& st,
                                           std::vector<UniqueFd>& holds) {
  std::vector<std::string> trees;
  for (const std::string& tar : c.include_tars) {
    try {
      trees.push_back(st.ensure_tar_unpacked(tar, holds.emplace_back()));
    } catch (const Error& e) {
      throw e.wrap(fmt::format("app '{}': include tarball {}", c.name, quote(tar)));
    }
  }
  return trees;
}

namespace {

// The caller's working directory, for bind_cwd.
std::string caller_cwd(const AppConfig& c) {
  char buf[PATH_MAX];
  if (!getcwd(buf, sizeof buf))
    throw sys_error(fmt::format("app '{}': bind_cwd: getcwd", c.name), ".", errno);
  return buf;
}

// What a call sets besides the mounts: argv, env, workdir and user, from the top image's config.
void set_call(runtime::ContainerSpec& s, const AppConfig& c, const std::vector<std::string>& args,
              const store::ReadyImage& top) {
  json cfg = image::run_config(top.config, quote(c.image));
  s.env = image::string_list(cfg.value("Env", json::array()));
  for (const std::string& e : c.env) {
    size_t eq = e.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error(fmt::format("app '{}': env {} is not K=V ({})", c.name, quote(e), quote(c.source)));
    if (auto v = expand_caller_vars(e.substr(eq + 1))) image::set_env(s.env, e.substr(0, eq + 1) + *v);
  }
  s.argv = app_argv(c, cfg, args);
  std::string workdir = c.workdir.empty() ? cfg.value("WorkingDir", std::string()) : c.workdir;
  s.workdir = workdir.empty() ? "/" : workdir;
  s.user = c.user.empty() ? cfg.value("User", std::string()) : c.user;
  if (c.bind_cwd) s.workdir = caller_cwd(c);
}

void check_engine(const AppConfig& c) {
  if (c.engine == "vm") {
    // At launch a setting the VM cannot honour is a broken app file (a drop-in added it): 125.
    try {
      check_vm_app(c);
    } catch (const Error& e) {
      throw Error(fmt::format("{} ({})", e.what(), quote(c.source)), 0, kExitBeforeTarget);
    }
    return;
  }
  if (c.engine != "bale")
    throw Error(fmt::format("app '{}': engine {} is not one of \"bale\" and \"vm\" ({})", c.name,
                            quote(c.engine), quote(c.source)));
}

}  // namespace

Launch plan_launch(const AppConfig& c, const std::vector<std::string>& args, store::Store& st,
                   const trust::TrustPaths& paths) {
  check_engine(c);
  Launch l;
  l.images = acquire_app_images(c, st, paths);
  runtime::ContainerSpec& s = l.spec;
  for (const auto& img : l.images) s.lowers.push_back(img.rootfs);
  for (std::string& tree : include_tar_trees(c, st, l.include_holds)) s.lowers.push_back(std::move(tree));
  s.stage = st.stage_dir();
  set_call(s, c, args, l.images.back());
  for (const std::string& p : c.include_paths) s.binds.push_back({p, p, true});
  for (const std::string& b : c.binds) s.binds.push_back(runtime::parse_bind(b, "bind", true));
  if (c.bind_cwd) s.binds.push_back({s.workdir, s.workdir, false});
  return l;
}

Launch plan_joined_call(const AppConfig& c, const std::vector<std::string>& args,
                        store::Store& st, const trust::TrustPaths& paths) {
  check_engine(c);
  AppConfig top = c;
  top.base.clear();
  top.layers.clear();
  Launch l;
  l.images = acquire_app_images(top, st, paths);
  set_call(l.spec, c, args, l.images.back());
  return l;
}

}  // namespace bale::apps
