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

// One of newuidmap/newgidmap, started before the unshare so that it runs in the user's own
// namespace (where its setuid bit counts), and told to go once this process has unshared.
// It is a clone sharing this process's memory, as posix_spawn's children are: no page tables
// copied, which is most of a fork's cost. Until it execs it only reads its pipe.
class MapHelper {
 public:
  // `go`: the pipe's read end; `go_w`: its write end, which the child closes (the pipe ends
  // when this process closes its own).
  MapHelper(const std::string& prog, pid_t target, unsigned long own, const SubidRange& r, int go,
            int go_w)
      : args_{prog, std::to_string(target), "0", std::to_string(own), "1", "1",
              std::to_string(r.start), std::to_string(r.count)},
        go_(go), go_w_(go_w), stack_(kStack) {
    for (auto& a : args_) argv_.push_back(a.data());
    argv_.push_back(nullptr);
    pid_ = clone(&MapHelper::main, stack_.data() + stack_.size(), CLONE_VM | SIGCHLD, this);
  }
  // Its exit status (127: it could not run). Must be called: the child uses this object.
  int wait() {
    if (pid_ < 0) return 127;
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0)
      if (errno != EINTR) return 127;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 127;
  }

 private:
  static constexpr size_t kStack = 64 * 1024;
  static int main(void* self) {
    auto* h = static_cast<MapHelper*>(self);
    char c;
    close(h->go_w_);
    if (read(h->go_, &c, 1) != 1) _exit(1);  // the unshare failed: nothing to map
    execv(h->argv_[0], h->argv_.data());
    _exit(127);
  }
  std::vector<std::string> args_;
  std::vector<char*> argv_;
  int go_, go_w_;
  std::vector<char> stack_;
  pid_t pid_ = -1;
};

void write_proc(const char* path, const std::string& text) {
  UniqueFd fd(open(path, O_WRONLY | O_CLOEXEC));
  if (!fd || write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    throw sys_error("write", path, errno);
}

[[noreturn]] void refused(int err) {
  throw Error(fmt::format("cannot create a user namespace: {}", std::strerror(err)), err)
      .with_hint("`bale doctor` says what is missing (check \"user namespaces\")");
}

// Unshares with 1..N mapped to the user's ranges by the setuid helpers, both at once (each is a
// setuid program's start, the larger part of a rootless start); they are gone before this
// returns.
void map_through_helpers(const std::string& newuidmap, const std::string& newgidmap,
                         const std::string& user, uid_t uid, gid_t gid, const SubidRange& subuid,
                         const SubidRange& subgid) {
  int go[2];
  if (pipe2(go, O_CLOEXEC) < 0) throw_sys("pipe", "");
  UniqueFd go_r(go[0]), go_w(go[1]);
  pid_t self = getpid();
  MapHelper uids(newuidmap, self, uid, subuid, go_r.get(), go_w.get());
  MapHelper gids(newgidmap, self, gid, subgid, go_r.get(), go_w.get());
  int err = unshare(CLONE_NEWUSER) == 0 ? 0 : errno;
  if (!err && write(go_w.get(), "xx", 2) != 2) err = errno;
  go_w.reset();  // without their byte the helpers give up
  int u = uids.wait(), g = gids.wait();
  if (err) refused(err);
  if (u || g)
    throw Error(fmt::format("{} {} failed (exit {}): the subordinate ids of {} could not be mapped",
                            u ? "newuidmap" : "newgidmap", self, u ? u : g, quote(user)))
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
