// One command's container as the runtime takes it: the image's tree, the project at /work, the
// caller's directory under /work, volumes, and a clean environment.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "project/model.h"
#include "runtime/container.h"
#include "store/store.h"

namespace bale::project {

struct Invocation {
  std::string cwd;                 // the caller's directory (physical)
  std::vector<std::string> args;   // extra command-line arguments
  std::vector<std::string> env;    // -e K=V from the command line, last wins
};

// The variables a command gets, later ones winning: PATH, the image's Env, the host's TERM and
// *_proxy variables, the container's environ, the command's environ, then `inv.env`. Nothing
// else comes from the host.
std::vector<std::string> command_environ(const Container& c, const Command& cmd,
                                         const nlohmann::json& image_config, const Invocation& inv);

// argv for `cmd` with `args`: a list gets them appended; a string runs as /bin/sh -c with
// them as "$@", refused (usage error) unless accepts-arguments.
std::vector<std::string> command_argv(const Command& cmd, const std::vector<std::string>& args);

// Everything but `lower` (the unpacked image), which the caller fills in.
runtime::ContainerSpec command_spec(const Project& p, const Container& c, const Command& cmd,
                                    const nlohmann::json& image_config, const store::Store& st,
                                    const Invocation& inv);

}  // namespace bale::project
