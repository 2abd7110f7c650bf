// -e and --env-file, as `run` and `exec` take them (see env_options.h).
#include "cmd/env_options.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>

#include <fmt/format.h>

#include "base/error.h"
#include "image/config.h"

namespace bale::cmd {

// "K=V" as is; "K" takes the caller's value, and is left out when the caller has none.
void add_env_arg(std::vector<std::string>& env, const std::string& arg, const std::string& where) {
  if (arg.empty() || arg[0] == '=') throw Error(fmt::format("{}: bad variable {}", where, quote(arg)), 0, 2);
  if (arg.find('=') != std::string::npos) return image::set_env(env, arg);
  if (const char* v = std::getenv(arg.c_str())) {
    std::string kv = arg;
    kv.append("=").append(v);
    image::set_env(env, kv);
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

void add_terminal_env(std::vector<std::string>& env) {
  const char* term = std::getenv("TERM");
  if (!term || !(isatty(0) || isatty(1))) return;
  for (const auto& e : env)
    if (e.rfind("TERM=", 0) == 0) return;
  env.push_back(std::string("TERM=") + term);
}

}  // namespace bale::cmd
