// User switch, PATH lookup and execve (see exec.h).
#include "runtime/exec.h"

#include <elf.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "runtime/container.h"
#include "runtime/userns.h"

namespace bale::runtime {

namespace {

std::string read_if_exists(const char* path) {
  return read_file_if_exists(path, 16u << 20).value_or("");
}

std::string env_value(const std::vector<std::string>& env, std::string_view key) {
  for (const auto& kv : env)
    if (kv.size() > key.size() && kv.compare(0, key.size(), key) == 0 && kv[key.size()] == '=')
      return kv.substr(key.size() + 1);
  return "";
}

bool has_env(const std::vector<std::string>& env, std::string_view key) {
  for (const auto& kv : env)
    if (kv.compare(0, kv.find('='), key) == 0) return true;
  return false;
}

std::string find_in_path(const std::string& cmd, const std::string& path_var) {
  if (cmd.find('/') != std::string::npos) return cmd;
  size_t i = 0;
  while (i <= path_var.size()) {
    size_t j = path_var.find(':', i);
    if (j == std::string::npos) j = path_var.size();
    std::string dir = path_var.substr(i, j - i);
    std::string cand = (dir.empty() ? "." : dir) + "/" + cmd;
    struct stat st;
    if (stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return cand;
    i = j + 1;
  }
  throw Error(fmt::format("{}: executable file not found in PATH ({})", quote(cmd), path_var), 0,
              kExitNotFound);
}

}  // namespace

ExecPlan prepare_exec(const ContainerSpec& spec) {
  ExecPlan p;
  if (spec.argv.empty())
    throw Error("no command: the image has no Entrypoint or Cmd; give one after the image");
  p.user = resolve_user(spec.user, read_if_exists("/etc/passwd"), read_if_exists("/etc/group"));
  p.env = spec.env;
  if (!has_env(p.env, "PATH")) p.env.push_back(std::string("PATH=") + kDefaultPath);
  if (!has_env(p.env, "HOME")) p.env.push_back("HOME=" + p.user.home);
  p.argv = spec.argv;
  p.workdir = spec.workdir.empty() ? "/" : spec.workdir;
  p.path = find_in_path(p.argv[0], env_value(p.env, "PATH"));
  return p;
}

std::string missing_interpreter(const std::string& path) {
  std::string head;
  try {
    UniqueFd fd = open_file(path, O_RDONLY);
    head = pread_exact(fd.get(), 0, std::min<uint64_t>(file_size(fd.get(), path), 4096), path);
  } catch (const Error&) {
    return "";
  }
  std::string interp;
  if (head.rfind("#!", 0) == 0) {
    auto end = head.find_first_of(" \t\n", 2);
    size_t start = head.find_first_not_of(" \t", 2);
    if (start == std::string::npos) return "";
    end = head.find_first_of(" \t\n", start);
    interp = head.substr(start, end == std::string::npos ? std::string::npos : end - start);
  } else if (head.size() >= sizeof(Elf64_Ehdr) && head.rfind("\x7f" "ELF", 0) == 0 &&
             head[EI_CLASS] == ELFCLASS64) {
    Elf64_Ehdr eh;
    std::memcpy(&eh, head.data(), sizeof eh);
    for (int i = 0; i < eh.e_phnum; i++) {
      size_t off = eh.e_phoff + i * sizeof(Elf64_Phdr);
      if (off + sizeof(Elf64_Phdr) > head.size()) break;
      Elf64_Phdr ph;
      std::memcpy(&ph, head.data() + off, sizeof ph);
      if (ph.p_type == PT_INTERP && ph.p_offset + ph.p_filesz <= head.size())
        interp.assign(head.data() + ph.p_offset, strnlen(head.data() + ph.p_offset, ph.p_filesz));
    }
  }
  struct stat st;
  if (interp.empty() || stat(interp.c_str(), &st) == 0) return "";
  return interp;
}

void exec_target(const ExecPlan& p, const std::vector<int>& keep) {
  // Resolved inside the container's root with no /proc magic link followed: a WorkingDir of
  // /proc/2/root (the host's root, since /proc is the host's) must not put the target there.
  UniqueFd root(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  UniqueFd dir(root ? open_in_root(root.get(), p.workdir, O_PATH | O_DIRECTORY) : -1);
  if (!dir || fchdir(dir.get()) < 0) {
    if (errno == ELOOP || errno == EXDEV)
      throw Error(fmt::format("working directory {}: leads out of the container (through a link "
                              "in /proc)", quote(p.workdir)), errno);
    throw sys_error("chdir to the working directory", p.workdir, errno);
  }
  const ResolvedUser& u = p.user;
  // With a one-id map setgroups(2) is denied, and the only group there is to be is 0 anyway.
  if (setgroups(u.groups.size(), u.groups.data()) < 0 && !(errno == EPERM && setgroups_denied()))
    throw_sys("setgroups", "");
  if (setgid(u.gid) < 0) throw_sys(fmt::format("setgid {}", u.gid), "");
  if (setuid(u.uid) < 0) throw_sys(fmt::format("setuid {}", u.uid), "");
  std::vector<char*> argv, envp;
  for (const auto& a : p.argv) argv.push_back(const_cast<char*>(a.c_str()));
  for (const auto& e : p.env) envp.push_back(const_cast<char*>(e.c_str()));
  argv.push_back(nullptr);
  envp.push_back(nullptr);
  // bale's own fds must not reach the target: mark all close-on-exec, then release `keep`.
  syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC);
  for (int fd : keep) fcntl(fd, F_SETFD, 0);
  execve(p.path.c_str(), argv.data(), envp.data());
  int err = errno;
  if (err == ENOENT) {
    std::string interp = missing_interpreter(p.path);
    Error e(fmt::format("exec {}: {}", quote(p.path), std::strerror(err)), err, kExitNotFound);
    if (!interp.empty())
      e.with_hint(fmt::format("{} exists, but its interpreter or ELF loader {} is missing from "
                              "the image", p.path, quote(interp)));
    throw e;
  }
  Error e(fmt::format("exec {}: {}", quote(p.path), std::strerror(err)), err,
          err == EACCES || err == ENOEXEC || err == EISDIR ? kExitNotExecutable : kExitFailed);
  throw e;
}

void exit_with_child(pid_t child) {
  for (;;) {
    int status = 0;
    pid_t w = waitpid(-1, &status, 0);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) _exit(kExitBeforeTarget);
    if (w != child) continue;  // an orphan, reaped
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  }
}

}  // namespace bale::runtime
