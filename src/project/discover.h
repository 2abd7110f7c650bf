// Finding the project: the nearest directory at or above the caller's that holds bale.yaml.
#pragma once

#include <optional>
#include <string>

namespace bale::project {

// The project root for `cwd` (an absolute path), or nullopt when no directory up to / has one.
std::optional<std::string> find_project_root(const std::string& cwd);

// The caller's working directory (physical, as getcwd says).
std::string current_dir();

}  // namespace bale::project
