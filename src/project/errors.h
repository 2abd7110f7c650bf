// The exit codes of project commands that are bale's own, so a script can tell them from the
// command's (docs/projects.md#exit-codes), and the one way parsing reports a bad bale.yaml.
#pragma once

#include <string>

#include "base/error.h"

namespace bale::project {

inline constexpr int kExitNoProject = 121;    // no bale.yaml here or in any parent directory
inline constexpr int kExitNoCommand = 122;    // the project has no command of that name
inline constexpr int kExitBadConfig = 123;    // bale.yaml (or bale.local.yaml) is wrong
inline constexpr int kExitBuildFailed = 124;  // a container could not be built

struct Where;

// "bale.yaml:12: commands.test: message", exit code kExitBadConfig.
Error config_error(const Where& where, const std::string& path, const std::string& message);

}  // namespace bale::project
