// Resumed apps (`register --resume`): one long-lived instance per app and instance name. The
// first call starts it: a process of its own session that sets the container up as a one-shot
// call would and then, instead of becoming the target, stays as the keeper of its mounts
// (runtime::enter_and_hold), known by a run record. Every call, the first included, joins it
// (runtime/join) and becomes its target there, so writes persist from call to call until
// `bale app stop`. The record counts only while its process lives (runtime/run_record), so an
// instance killed with -9, or gone with a reboot, is stale and the next call replaces it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "apps/app_config.h"
#include "runtime/container.h"
#include "runtime/run_record.h"
#include "store/store.h"
#include "trust/keystore.h"

namespace bale::apps {

// The record name of an instance: "app-NAME", or "app-NAME.INSTANCE" for an instance name
// (from $BALE_APP_INSTANCE at launch: letters, digits and _.-). '+' in NAME becomes '_'.
std::string instance_record_name(const std::string& app, const std::string& instance);

// The live instance of that record name, if any (stale records are dropped on the way).
std::optional<runtime::RunRecord> find_instance(const std::string& record_name);

// Every live instance of every app, oldest first.
std::vector<runtime::RunRecord> live_instances();

// Joins `c`'s instance (starting it first when there is none) and becomes `call` there: its
// argv, env, user and workdir (plan_launch's, for this call's arguments). Never returns;
// bale::Error on failure (the caller maps it with Error::before_target). Called outside any
// user namespace of bale's: a rootless instance's is joined, not a new one entered.
[[noreturn]] void resume_and_exec(const AppConfig& c, const runtime::ContainerSpec& call,
                                  store::Store& st, const trust::TrustPaths& paths);

}  // namespace bale::apps
