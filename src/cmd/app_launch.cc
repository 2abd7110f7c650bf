// bale started through an app's link (argv[0] is not "bale"): the app's container, entered the
// way `bale run` enters one, and execve into its target: same PID, the caller's stdin, stdout,
// stderr, terminal and signals, and the target's exit status. No argument is bale's. An app of
// engine "vm" runs as `bale run --vm` does instead, with bale as the relay.
#include <fmt/format.h>

#include "apps/app_config.h"
#include "apps/instance.h"
#include "apps/launch.h"
#include "base/error.h"
#include "base/identity.h"
#include "cmd/commands.h"
#include "cmd/env_options.h"
#include "cmd/rootless.h"
#include "cmd/run_vm.h"
#include "runtime/container.h"
#include "trust/keystore.h"

namespace bale::cmd {

bool is_app_name(const std::string& name) {
  if (name == "bale") return false;
  // bale installed under another name (bale-1.2, bale.new) stays bale unless an app has it.
  if (name.starts_with("bale")) return apps::find_app(name).has_value();
  return true;
}

int app_launch(const std::string& name, const std::vector<std::string>& args) {
  try {
    std::optional<apps::AppConfig> c = apps::find_app(name);
    if (!c) {
      std::string dirs;
      for (const auto& d : apps::app_search_dirs()) dirs += (dirs.empty() ? "" : ", ") + quote(d);
      throw Error(fmt::format("no app named '{}' is registered (looked in {})", name, dirs))
          .with_hint("register it with `bale app register --app PATH --image IMAGE`; bale "
                     "itself runs as 'bale'");
    }
    const bool rootless = !invoked_as_root();
    store::Store st(store::Store::default_root());
    trust::TrustPaths paths = trust::TrustPaths::defaults();
    if (c->resume) {
      // Joined, not entered: a rootless instance's user namespace is the one to be in. The
      // images were unpacked at registration, so planning the call needs no namespace.
      apps::Launch l = apps::plan_joined_call(*c, args, st, paths);
      add_terminal_env(l.spec.env);
      apps::resume_and_exec(*c, l.spec, st, paths);
    }
    enter_user_namespace_if_rootless();
    apps::Launch l = apps::plan_launch(*c, args, st, paths);
    add_terminal_env(l.spec.env);
    if (c->engine == "vm") {
      // As `bale run --vm IMAGE`: binds and include paths become volumes (copies), and bale
      // stays QEMU's parent, returning the app's status.
      RunOptions o;
      o.vm = true;
      return run_in_vm(o, l.spec, l.images.back(), st);
    }
    l.spec.rootless = rootless;
    runtime::enter_and_exec(l.spec);
  } catch (const Error& e) {
    throw e.before_target();
  }
}

}  // namespace bale::cmd
