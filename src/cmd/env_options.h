// The environment options of `run` and `exec`: -e K=V, -e K (the caller's value), --env-file,
// and the caller's TERM for a command started from a terminal.
#pragma once

#include <string>
#include <vector>

namespace bale::cmd {

// "K=V" as is; "K" takes the caller's value, and is left out when the caller has none. `where`
// names the argument in errors ("-e", "FILE line N").
void add_env_arg(std::vector<std::string>& env, const std::string& arg, const std::string& where);
// K=V lines; '#' comments and blank lines skipped.
void add_env_file(std::vector<std::string>& env, const std::string& path);
// As docker's -t: a command started from a terminal gets the caller's TERM (top, clear and
// editors need it), unless `env` has one.
void add_terminal_env(std::vector<std::string>& env);

}  // namespace bale::cmd
