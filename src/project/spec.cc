// From a command of bale.yaml to a runtime::ContainerSpec (see spec.h).
#include "project/spec.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "project/errors.h"
#include "project/state.h"

extern char** environ;

namespace bale::project {

namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

void set_var(std::vector<std::string>& env, const std::string& kv) {
  std::string key = kv.substr(0, kv.find('='));
  for (auto& e : env)
    if (e.compare(0, key.size() + 1, key + "=") == 0) {
      e = kv;
      return;
    }
  env.push_back(kv);
}

bool is_proxy_var(std::string_view key) {
  for (const char* p : {"http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "all_proxy",
                        "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY"})
    if (key == p) return true;
  return false;
}

// The host path of a volume: a project path (real, inside the project, existing) or a place in
// the store kept for the project.
std::string volume_source(const Project& p, const Volume& v, const store::Store& st) {
  if (v.kind == Volume::Kind::kPersistent || v.kind == Volume::Kind::kCache) {
    std::string dir = project_dir(st, p.root) + (v.kind == Volume::Kind::kCache ? "/cache/" : "/volumes/") + v.source;
    mkdir_p(dir, 0755);
    return dir;
  }
  std::string path = p.root + "/" + v.source;
  char* real = realpath(path.c_str(), nullptr);
  if (!real)
    throw Error(fmt::format("{}: volume {}: bind {}: {}", v.where.str(), v.target, quote(v.source),
                            std::strerror(errno)),
                errno, kExitBadConfig);
  std::string out = real;
  free(real);
  if (out != p.root && !out.starts_with(p.root + "/"))
    throw Error(fmt::format("{}: volume {}: bind {} leads outside the project (to {})",
                            v.where.str(), v.target, quote(v.source), quote(out)),
                0, kExitBadConfig);
  return out;
}

void add_volumes(runtime::ContainerSpec& s, const Project& p, const std::vector<Volume>& vols,
                 const store::Store& st) {
  for (const Volume& v : vols) {
    if (v.kind == Volume::Kind::kTmpfs) {
      std::string opts;
      if (!v.size.empty()) opts = "size=" + v.size;
      if (!v.mode.empty()) opts += (opts.empty() ? "mode=" : ",mode=") + v.mode;
      s.tmpfs.push_back({v.target, opts});
    } else {
      s.binds.push_back({volume_source(p, v, st), v.target, v.read_only});
    }
  }
}

std::string work_dir(const Project& p, const Container& c, const Command& cmd, const std::string& cwd) {
  if (!cmd.work_dir.empty()) return cmd.work_dir;
  if (!c.work_dir.empty()) return c.work_dir;
  if (cwd == p.root) return "/work";
  if (cwd.starts_with(p.root + "/")) return "/work" + cwd.substr(p.root.size());
  return "/work";
}

}  // namespace

std::vector<std::string> command_environ(const Container& c, const Command& cmd,
                                         const nlohmann::json& config, const Invocation& inv) {
  std::vector<std::string> env{std::string("PATH=") + kDefaultPath};
  if (config.contains("Env") && config["Env"].is_array())
    for (const auto& e : config["Env"])
      if (e.is_string() && e.get<std::string>().find('=') != std::string::npos) set_var(env, e);
  for (char** e = environ; *e; e++) {
    std::string_view kv(*e);
    std::string_view key = kv.substr(0, kv.find('='));
    if (key == "TERM" || is_proxy_var(key)) set_var(env, std::string(kv));
  }
  for (const auto& [k, v] : c.environ) set_var(env, k + "=" + v);
  for (const auto& [k, v] : cmd.environ) set_var(env, k + "=" + v);
  for (const auto& kv : inv.env) set_var(env, kv);
  return env;
}

std::vector<std::string> command_argv(const Command& cmd, const std::vector<std::string>& args) {
  if (!cmd.run_shell) {
    std::vector<std::string> argv = cmd.run_list;
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  if (!args.empty() && !cmd.accepts_arguments)
    throw Error(fmt::format("command {} takes no arguments (its 'run' is a shell string)", quote(cmd.name)),
                0, kExitUsage)
        .with_hint("set 'accepts-arguments: true' to get them as \"$@\", or make 'run' a list");
  std::vector<std::string> argv{"/bin/sh", "-c", *cmd.run_shell, cmd.name};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

runtime::ContainerSpec command_spec(const Project& p, const Container& c, const Command& cmd,
                                    const nlohmann::json& config, const store::Store& st,
                                    const Invocation& inv) {
  runtime::ContainerSpec s;
  s.stage = st.stage_dir();
  s.argv = command_argv(cmd, inv.args);
  s.env = command_environ(c, cmd, config, inv);
  s.binds.push_back({p.root, "/work", false});
  add_volumes(s, p, c.volumes, st);
  add_volumes(s, p, cmd.volumes, st);
  s.workdir = work_dir(p, c, cmd, inv.cwd);
  s.user = !cmd.user.empty() ? cmd.user : config.value("User", std::string());
  return s;
}

}  // namespace bale::project
