// `bale run IMAGE [COMMAND [ARG...]]`: verify, unpack once, enter a mount namespace, and
// become the target with execve.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "base/identity.h"
#include "cmd/commands.h"
#include "cmd/env_options.h"
#include "cmd/remote_image.h"
#include "cmd/rootless.h"
#include "cmd/run_vm.h"
#include "image/config.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "runtime/run_record.h"
#include "store/acquire.h"
#include "trust/keystore.h"

namespace bale::cmd {

using nlohmann::json;

namespace {

runtime::ContainerSpec make_spec(const RunOptions& o, const json& c, const store::ReadyImage& img,
                                 const store::Store& st) {
  runtime::ContainerSpec s;
  s.lowers = {img.rootfs};
  s.stage = st.stage_dir();
  s.read_only = o.read_only;
  s.env = image::string_list(c.value("Env", json::array()));
  add_terminal_env(s.env);
  for (const auto& f : o.env_files) add_env_file(s.env, f);
  for (const auto& e : o.env) add_env_arg(s.env, e, "-e");
  // As docker: --entrypoint replaces the image's and drops its Cmd; arguments replace Cmd.
  std::vector<std::string> entry = image::string_list(c.value("Entrypoint", json::array()));
  std::vector<std::string> cmd = image::string_list(c.value("Cmd", json::array()));
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
  for (const auto& v : o.volumes) s.binds.push_back(runtime::parse_bind(v, "-v", false));
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

// The record `bale ps/exec/stop` find a named container by. Without --name there is none (a
// start pays nothing for it): ps finds such a container from its process.
void record(const RunOptions& o, const json& c, const store::ReadyImage& img,
            const runtime::ContainerSpec& spec) {
  if (o.name.empty()) return;
  runtime::RunRecord r;
  r.name = o.name;
  r.image = o.image;
  r.digest = img.digest;
  r.argv = spec.argv;
  r.workdir = spec.workdir;
  r.user = spec.user;
  r.stop_signal = c.value("StopSignal", std::string());
  runtime::write_run_record(r);
}

}  // namespace

int run(const RunOptions& o) {
  if (o.detach)
    throw Error("bale run has no -d: there is no daemon to detach to; bale becomes the container's "
                "process", 0, kExitUsage)
        .with_hint("to run it in the background, under a supervisor: systemd-run --unit=NAME "
                   "bale run IMAGE, or install the unit `bale unit IMAGE` prints");
  try {
    runtime::Limits lim = o.vm ? runtime::Limits{} : limits(o);  // a VM's are its size
    // Where this user's store, keys and records are, decided before a user namespace makes
    // every caller look like root.
    const bool rootless = !invoked_as_root();
    if (rootless && lim.any())
      throw Error("--memory, --cpus and --pids as an ordinary user need a delegated cgroup v2 "
                  "subtree, and bale does not use one yet", EPERM)
          .with_hint("run as root for limits, or under `systemd-run --user -p MemoryMax=...`");
    store::Store st(o.store.value_or(store::Store::default_root()));
    trust::TrustPaths paths = trust::TrustPaths::defaults();
    runtime::run_record_dir();
    enter_user_namespace_if_rootless();
    store::ReadyImage img;
    try {
      img = store::acquire(o.image, st, paths, {o.signer, o.insecure});
    } catch (const Error& e) {
      // Not here, but a registry's: pulled first (and named), as docker run does.
      if (!is_remote_ref(o.image, e.err())) throw;
      img = store::acquire(pull_for_use(o.image, st, paths, o.insecure, o.signer), st, paths,
                           {o.signer, o.insecure});
    }
    json c = image::run_config(img.config, quote(o.image));
    runtime::ContainerSpec spec = make_spec(o, c, img, st);
    if (o.vm) return run_in_vm(o, spec, img, st);  // bale stays: QEMU is its child
    spec.rootless = rootless;
    record(o, c, img, spec);
    if (lim.any()) runtime::join_limited_cgroup(lim);
    runtime::enter_and_exec(spec);
  } catch (const Error& e) {
    throw e.before_target();
  }
}

}  // namespace bale::cmd
