// Running a docker credential helper (see cred_helper.h).
#include "registry/cred_helper.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fd.h"
#include "base/fs.h"

extern char** environ;

namespace bale::registry {

namespace {

constexpr size_t kMaxAnswer = 1u << 20;

struct Pipe {
  UniqueFd read, write;
};

Pipe make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) throw_sys("pipe2", "a credential helper's pipe");
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Runs `program get` with `input` on its stdin; its stdout, and its exit status (-1: no such
// program on $PATH).
std::pair<std::string, int> run_get(const std::string& program, const std::string& input) {
  Pipe in = make_pipe(), out = make_pipe();
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in.read.get(), 0);
  posix_spawn_file_actions_adddup2(&fa, out.write.get(), 1);
  std::string get = "get";
  char* argv[] = {const_cast<char*>(program.c_str()), get.data(), nullptr};
  pid_t pid;
  int rc = posix_spawnp(&pid, program.c_str(), &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc == ENOENT) return {"", -1};
  if (rc != 0) {
    errno = rc;
    throw_sys("running credential helper", program);
  }
  in.read.reset();
  out.write.reset();
  // A helper that exits before reading its stdin must not kill bale with SIGPIPE.
  struct sigaction ignore {}, old {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &old);
  ssize_t ignored = write(in.write.get(), input.data(), input.size());
  (void)ignored;
  sigaction(SIGPIPE, &old, nullptr);
  in.write.reset();
  std::string answer;
  char buf[4096];
  for (ssize_t n; (n = read(out.read.get(), buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || answer.size() > kMaxAnswer) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return {answer, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)};
}

std::string first_line(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  return line.size() > 200 ? line.substr(0, 200) + "…" : line;
}

}  // namespace

std::optional<Credentials> ask_credential_helper(const std::string& name, const std::string& server) {
  std::string program = "docker-credential-" + name;
  if (!is_plain_name(name))
    throw Error(fmt::format("credential helper {}: not a plain name", quote(name)));
  auto [answer, code] = run_get(program, server);
  if (code == -1) {
    // As a copied config.json often names a helper this machine lacks: anonymous access goes on.
    std::fprintf(stderr, "bale: warning: credential helper %s is not on $PATH, ignoring\n",
                 quote(program).c_str());
    return std::nullopt;
  }
  if (code != 0) {
    // docker's helpers say this (exit 1) for a registry they hold nothing for.
    if (answer.find("credentials not found") != std::string::npos) return std::nullopt;
    throw Error(fmt::format("credential helper {} for {}: exit {}: {}", quote(program), quote(server),
                            code, first_line(answer)));
  }
  nlohmann::json j = nlohmann::json::parse(answer, nullptr, false);
  if (!j.is_object() || !j.value("Username", nlohmann::json()).is_string() ||
      !j.value("Secret", nlohmann::json()).is_string())
    throw Error(fmt::format("credential helper {} for {}: its answer is not JSON with Username "
                            "and Secret: {}",
                            quote(program), quote(server), first_line(answer)));
  return Credentials{j["Username"].get<std::string>(), j["Secret"].get<std::string>()};
}

}  // namespace bale::registry
