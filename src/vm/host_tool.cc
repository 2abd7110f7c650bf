// Host programs with captured output (see host_tool.h).
#include "vm/host_tool.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fd.h"
#include "base/fs.h"

namespace bale::vm {

namespace {

std::string last_lines(const std::string& text, size_t n) {
  size_t end = text.size();
  while (end > 0 && text[end - 1] == '\n') end--;
  size_t start = end;
  for (size_t lines = 0; start > 0 && lines < n; start--)
    if (text[start - 1] == '\n' && ++lines == n) break;
  return text.substr(start, end - start);
}

}  // namespace

std::string run_tool(const std::vector<std::string>& args, const std::string& package,
                     const std::string& cwd) {
  std::string prog = find_host_program(args.at(0));
  if (prog.empty())
    throw Error(fmt::format("{} is not installed", quote(args[0])), ENOENT)
        .with_hint(fmt::format("apt-get install {}", package));
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw_sys("pipe for", prog);
  UniqueFd out(fds[0]), in(fds[1]);
  UniqueFd null = open_file("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t pid = fork();
  if (pid < 0) throw_sys("fork", prog);
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(null.get(), 0);
    dup2(in.get(), 1);
    dup2(in.get(), 2);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    execv(prog.c_str(), argv.data());
    _exit(127);
  }
  in.reset();
  std::string output;
  read_chunks(out.get(), prog, [&](std::string_view s) {
    if (output.size() < (4u << 20)) output.append(s);
  });
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw_sys("wait for", prog);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return output;
  std::string how = WIFEXITED(status) ? fmt::format("exit code {}", WEXITSTATUS(status))
                                      : fmt::format("signal {}", WTERMSIG(status));
  std::string shown;
  for (const auto& a : args) shown += (shown.empty() ? "" : " ") + a;
  throw Error(fmt::format("{} failed ({}):\n{}", quote(shown), how, last_lines(output, 8)));
}

}  // namespace bale::vm
