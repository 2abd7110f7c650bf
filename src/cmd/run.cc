// `bale run IMAGE [COMMAND [ARG...]]`: verify, unpack once, enter a mount namespace, and
// become the target with execve.
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "cmd/commands.h"
#include "image/config.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "store/acquire.h"

namespace bale::cmd {

using nlohmann::json;

namespace {

std::vector<std::string> strings(const json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& e : j)
      if (e.is_string()) out.push_back(e);
  return out;
}

void set_env(std::vector<std::string>& env, const std::string& kv) {
  std::string key = kv.substr(0, kv.find('='));
  for (auto& e : env)
    if (e.substr(0, e.find('=')) == key) {
      e = kv;
      return;
    }
  env.push_back(kv);
}

// "K=V" as is; "K" takes the caller's value, and is left out when the caller has none.
void add_env_arg(std::vector<std::string>& env, const std::string& arg, const std::string& where) {
  if (arg.empty() || arg[0] == '=') throw Error(fmt::format("{}: bad variable {}", where, quote(arg)), 0, 2);
  if (arg.find('=') != std::string::npos) return set_env(env, arg);
  if (const char* v = std::getenv(arg.c_str())) {
    std::string kv = arg;
    kv.append("=").append(v);
    set_env(env, kv);
  }
}

void add_env_file(std::vector<std::string>& env, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw sys_error("open env file", path, errno);
  std::string line;
  for (int n = 1; std::getline(in, line); n++) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    add_env_arg(env, line, fmt::format("{} line {}", quote(path), n));
  }
}

runtime::BindMount parse_volume(const std::string& v) {
  auto a = v.find(':');
  if (a == std::string::npos || a == 0)
    throw Error(fmt::format("-v {}: expected HOST:CONTAINER[:ro]", quote(v)), 0, 2);
  runtime::BindMount b{v.substr(0, a), v.substr(a + 1), false};
  auto c = b.container.find(':');
  if (c != std::string::npos) {
    std::string mode = b.container.substr(c + 1);
    b.container.resize(c);
    if (mode != "ro" && mode != "rw")
      throw Error(fmt::format("-v {}: unknown mode {} (ro or rw)", quote(v), quote(mode)), 0, 2);
    b.read_only = mode == "ro";
  }
  if (b.container.empty() || b.container[0] != '/')
    throw Error(fmt::format("-v {}: the container path must be absolute", quote(v)), 0, 2);
  return b;
}

runtime::ContainerSpec make_spec(const RunOptions& o, const store::ReadyImage& img,
                                 const store::Store& st) {
  json config = img.config.empty() ? json::object() : image::parse_config(img.config, quote(o.image));
  image::check_config_fields(config, quote(o.image));  // a signed config is still input
  json c = config.value("config", json::object());
  if (c.is_null()) c = json::object();
  runtime::ContainerSpec s;
  s.lower = img.rootfs;
  s.stage = st.stage_dir();
  s.read_only = o.read_only;
  s.env = strings(c.value("Env", json::array()));
  // As docker's -t: a container started from a terminal gets the caller's TERM (top, clear and
  // editors need it), unless the image or -e sets one.
  if (const char* term = std::getenv("TERM"); term && (isatty(0) || isatty(1))) {
    bool has = false;
    for (const auto& e : s.env) has |= e.rfind("TERM=", 0) == 0;
    if (!has) s.env.push_back(std::string("TERM=") + term);
  }
  for (const auto& f : o.env_files) add_env_file(s.env, f);
  for (const auto& e : o.env) add_env_arg(s.env, e, "-e");
  // As docker: --entrypoint replaces the image's and drops its Cmd; arguments replace Cmd.
  std::vector<std::string> entry = strings(c.value("Entrypoint", json::array()));
  std::vector<std::string> cmd = strings(c.value("Cmd", json::array()));
  if (o.entrypoint) {
    entry = o.entrypoint->empty() ? std::vector<std::string>{} : std::vector{*o.entrypoint};
    cmd.clear();
  }
  if (!o.command.empty()) cmd = o.command;
  s.argv = entry;
  s.argv.insert(s.argv.end(), cmd.begin(), cmd.end());
  std::string workdir = o.workdir.value_or(c.value("WorkingDir", std::string()));
  s.workdir = workdir.empty() ? std::string("/") : workdir;
  s.user = o.user.value_or(c.value("User", std::string()));
  for (const auto& v : o.volumes) s.binds.push_back(parse_volume(v));
  for (const auto& t : o.tmpfs) {
    auto colon = t.find(':');
    s.tmpfs.push_back({t.substr(0, colon), colon == std::string::npos ? "" : t.substr(colon + 1)});
  }
  return s;
}

runtime::Limits limits(const RunOptions& o) {
  runtime::Limits l;
  if (o.memory) l.memory_bytes = runtime::parse_size(*o.memory, "--memory");
  if (o.cpus) {
    if (*o.cpus <= 0) throw Error("--cpus: must be more than 0", 0, 2);
    l.cpus = o.cpus;
  }
  if (o.pids) l.pids = runtime::parse_size(*o.pids, "--pids");
  return l;
}

}  // namespace

int run(const RunOptions& o) {
  if (o.detach)
    throw Error("bale run has no -d: there is no daemon to detach to; bale becomes the container's "
                "process", 0, kExitUsage)
        .with_hint("to run it in the background, under a supervisor: systemd-run --unit=NAME "
                   "bale run IMAGE, or install the unit `bale unit IMAGE` prints");
  try {
    if (geteuid() != 0)
      throw Error("bale run needs root for now (running through user namespaces comes later)",
                  EPERM);
    runtime::Limits lim = limits(o);
    store::Store st(o.store.value_or(store::Store::default_root()));
    auto img = store::acquire(o.image, st, trust::TrustPaths::defaults(), {o.signer, o.insecure});
    runtime::ContainerSpec spec = make_spec(o, img, st);
    if (lim.any()) runtime::join_limited_cgroup(lim);
    runtime::enter_and_exec(spec);
  } catch (const Error& e) {
    throw e.before_target();
  }
}

}  // namespace bale::cmd
