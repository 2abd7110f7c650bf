// Starting an app: its images verified (a verification record makes that cheap) and unpacked
// once, stacked as overlay lowers (base, layers, image: nothing copied), the include paths bound
// read-only over them, and the container spec that runtime::enter_and_exec becomes.
#pragma once

#include <string>
#include <vector>

#include "apps/app_config.h"
#include "runtime/container.h"
#include "store/acquire.h"

namespace bale::apps {

// The images of `c`, bottom first: base, layers, image; each verified and unpacked as for
// `bale run`. Errors name the app and the image.
std::vector<store::ReadyImage> acquire_app_images(const AppConfig& c, store::Store& st,
                                                  const trust::TrustPaths& paths);

struct Launch {
  runtime::ContainerSpec spec;
  std::vector<store::ReadyImage> images;  // kept until execve: their in-use locks
  std::vector<UniqueFd> include_holds;    // the same for the include tarballs' trees
};

// The trees of `c`'s include tarballs, bottom first, each unpacked into the store once; their
// in-use locks go to `holds`. Errors name the app and the tarball.
std::vector<std::string> include_tar_trees(const AppConfig& c, store::Store& st,
                                           std::vector<UniqueFd>& holds);

// The container for one call of `c` with the caller's `args` (passed on verbatim). The
// environment is the image's, then the app's `env` with %VAR expanded from the caller's.
Launch plan_launch(const AppConfig& c, const std::vector<std::string>& args, store::Store& st,
                   const trust::TrustPaths& paths);

// A call that joins a resumed app's instance: only argv, env, workdir and user are set, from
// the image's config (the image verified again; its base and layers are the instance's).
Launch plan_joined_call(const AppConfig& c, const std::vector<std::string>& args,
                        store::Store& st, const trust::TrustPaths& paths);

// `value` with each %NAME replaced by the caller's NAME ("" when unset) and %% by %. A value that
// is only %NAME, with NAME unset, is nullopt: the variable is then left out.
std::optional<std::string> expand_caller_vars(const std::string& value);

}  // namespace bale::apps
