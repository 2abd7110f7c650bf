// The user namespace of a rootless bale (see userns.h).
#include "runtime/userns.h"

#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fd.h"
#include "base/fs.h"
#include "base/identity.h"
#include "runtime/subids.h"

namespace bale::runtime {

namespace {

// Starts newuidmap/newgidmap for `pid`; -1 when it could not be started.
pid_t start_map_helper(const std::string& prog, pid_t pid, unsigned long own, const SubidRange& r) {
  std::vector<std::string> args = {prog, std::to_string(pid), "0", std::to_string(own), "1",
                                   "1", std::to_string(r.start), std::to_string(r.count)};
  pid_t child = fork();
  if (child == 0) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return child;
}

// Its exit status (127: it could not run).
int wait_map_helper(pid_t child) {
  if (child < 0) return 127;
  int status = 0;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) return 127;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 127;
}

void write_proc(const char* path, const std::string& text) {
  UniqueFd fd(open(path, O_WRONLY | O_CLOEXEC));
  if (!fd || write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    throw sys_error("write", path, errno);
}

[[noreturn]] void refused(int err) {
  throw Error(fmt::format("cannot create a user namespace: {}", std::strerror(err)), err)
      .with_hint("`bale doctor` says what is missing (check \"user namespaces\")");
}

// Unshares with 1..N mapped to the user's ranges: a child, forked first, waits for this process
// to unshare, maps it with the setuid helpers, and is gone before this returns.
void map_through_helpers(const std::string& newuidmap, const std::string& newgidmap,
                         const std::string& user, uid_t uid, gid_t gid, const SubidRange& subuid,
                         const SubidRange& subgid) {
  int go[2], done[2];
  if (pipe2(go, O_CLOEXEC) < 0 || pipe2(done, O_CLOEXEC) < 0) throw_sys("pipe", "");
  pid_t self = getpid();
  pid_t child = fork();
  if (child < 0) throw_sys("fork", "id map helper");
  if (child == 0) {
    char c;
    close(go[1]);
    if (read(go[0], &c, 1) != 1) _exit(1);
    // Both at once: each is a setuid program's start, the larger part of a rootless start.
    pid_t uc = start_map_helper(newuidmap, self, uid, subuid);
    pid_t gc = start_map_helper(newgidmap, self, gid, subgid);
    int u = wait_map_helper(uc);
    int g = wait_map_helper(gc);
    char result[2] = {static_cast<char>(u), static_cast<char>(g)};
    if (write(done[1], result, 2) != 2) _exit(1);
    _exit(0);
  }
  close(go[0]);
  close(done[1]);
  UniqueFd go_w(go[1]), done_r(done[0]);
  int err = unshare(CLONE_NEWUSER) == 0 ? 0 : errno;
  if (!err && write(go_w.get(), "x", 1) != 1) err = errno;
  go_w.reset();  // without the byte the child gives up
  char result[2] = {1, 1};
  bool answered = read(done_r.get(), result, 2) == 2;
  while (waitpid(child, nullptr, 0) < 0 && errno == EINTR) {}
  if (err) refused(err);
  if (!answered || result[0] || result[1])
    throw Error(fmt::format("{} {} failed (exit {}): the subordinate ids of {} could not be mapped",
                            result[0] ? "newuidmap" : "newgidmap",
                            self, static_cast<int>(result[0] ? result[0] : result[1]), quote(user)))
        .with_hint("`bale doctor` says what is missing (checks \"newuidmap\" and \"subordinate ids\")");
}

}  // namespace

bool setgroups_denied() {
  auto text = read_file_if_exists("/proc/self/setgroups", 64);
  return text && text->rfind("deny", 0) == 0;
}

UserNamespace enter_user_namespace() {
  invoked_as_root();  // decided before this process becomes root in its namespace
  UserNamespace ns;
  uid_t uid = getuid();
  gid_t gid = getgid();
  const passwd* pw = getpwuid(uid);
  std::string user = pw ? pw->pw_name : std::to_string(uid);
  auto subuid = subids_of(parse_subids(read_file_if_exists("/etc/subuid", 1 << 20).value_or("")), user, uid);
  auto subgid = subids_of(parse_subids(read_file_if_exists("/etc/subgid", 1 << 20).value_or("")), user, uid);
  std::string newuidmap = find_host_program("newuidmap"), newgidmap = find_host_program("newgidmap");
  if (subuid && subgid && !newuidmap.empty() && !newgidmap.empty()) {
    map_through_helpers(newuidmap, newgidmap, user, uid, gid, *subuid, *subgid);
    ns.full = true;
    ns.uid_start = subuid->start;
    ns.uid_count = subuid->count;
    ns.gid_start = subgid->start;
    ns.gid_count = subgid->count;
    return ns;
  }
  if (unshare(CLONE_NEWUSER) < 0) refused(errno);
  write_proc("/proc/self/setgroups", "deny");
  write_proc("/proc/self/uid_map", fmt::format("0 {} 1", uid));
  write_proc("/proc/self/gid_map", fmt::format("0 {} 1", gid));
  ns.warning = fmt::format(
      "{} has no subordinate ids ({}): the container has one id, root, and files of other "
      "owners in the image belong to root in it; to keep them, add to /etc/subuid and "
      "/etc/subgid (as root): {}:{}:65536",
      quote(user), !subuid || !subgid ? "no line in /etc/subuid or /etc/subgid" : "newuidmap is not installed",
      user, free_subid_start(parse_subids(read_file_if_exists("/etc/subuid", 1 << 20).value_or("")), kSubidsWanted));
  return ns;
}

}  // namespace bale::runtime
