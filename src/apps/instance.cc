// Resumed instances of host apps (see instance.h).
#include "apps/instance.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include <fmt/format.h>

#include "apps/launch.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/identity.h"
#include "runtime/join.h"
#include "runtime/userns.h"

namespace bale::apps {

namespace {

constexpr std::string_view kPrefix = "app-";

std::string caller_instance() {
  const char* v = std::getenv("BALE_APP_INSTANCE");
  std::string inst = v ? v : "";
  for (char c : inst)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
      throw Error(fmt::format("BALE_APP_INSTANCE={}: an instance name is letters, digits and _.-",
                              quote(inst)), 0, kExitUsage);
  return inst;
}

// The lock of instance `record`: held exclusively by its keeper from before its record is
// written until its container stands, so a call that finds the record and then takes the lock
// shared never joins a namespace still being set up. A dead keeper's lock is free.
UniqueFd instance_lock(const std::string& record, int how) {
  std::string dir = runtime::run_record_dir();
  if (access(dir.c_str(), F_OK) < 0) mkdir_p(dir, 0755);
  std::string path = dir + "/" + record + ".lock";
  UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) throw_sys("open", path);
  while (flock(fd.get(), how) < 0)
    if (errno != EINTR) throw_sys("lock", path);
  return fd;
}

// The keeper, in a grandchild of the caller (so that init reaps it, and in a session of its
// own, so the caller's terminal and its signals never reach it). Reports to `ready_fd`: one
// byte once the container stands, else the error's text.
[[noreturn]] void keeper(const AppConfig& c, const std::string& record, store::Store& st,
                         const trust::TrustPaths& paths, int ready_fd) {
  // Nothing of the caller's stays open in a process that outlives it: a pipe it was given
  // would never see its end.
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; fd < 3; fd++) dup2(null, fd);
  if (ready_fd > 3) close_range(3, static_cast<unsigned>(ready_fd) - 1, 0);
  close_range(static_cast<unsigned>(ready_fd) + 1, ~0U, 0);
  try {
    const bool rootless = !invoked_as_root();
    if (rootless) runtime::enter_user_namespace();
    Launch l = plan_launch(c, {}, st, paths);
    UniqueFd lock = instance_lock(record, LOCK_EX);
    runtime::RunRecord r;
    r.name = record;
    r.image = c.image;
    r.digest = l.images.back().digest;
    r.argv = {"bale-app-instance", c.name};
    r.workdir = l.spec.workdir;
    r.user = l.spec.user;
    runtime::write_run_record(r);
    l.spec.rootless = rootless;
    runtime::enter_and_hold(l.spec, ready_fd, lock.release());
  } catch (const std::exception& e) {
    std::string m = e.what();
    if (write(ready_fd, m.data(), m.size()) < 0) _exit(kExitBeforeTarget);
  }
  _exit(kExitBeforeTarget);
}

// Starts the instance and returns once it stands, or once another call's does (it won the
// name first); throws with the keeper's own error otherwise.
void start_instance(const AppConfig& c, const std::string& record, store::Store& st,
                    const trust::TrustPaths& paths) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) throw_sys("pipe", "the instance's ready pipe");
  pid_t child = fork();
  if (child < 0) throw_sys("fork", "the instance of app " + c.name);
  if (child == 0) {
    close(p[0]);
    setsid();
    pid_t g = fork();
    if (g != 0) _exit(g < 0 ? 1 : 0);
    keeper(c, record, st, paths, p[1]);
  }
  close(p[1]);
  UniqueFd ready(p[0]);
  int status;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
  std::string said;
  char buf[1024];
  for (ssize_t n; (n = read(ready.get(), buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_sys("read", "the instance's ready pipe");
    said.append(buf, static_cast<size_t>(n));
  }
  if (said == "\x01") return;
  if (find_instance(record)) return;  // another call's instance stands: join that one
  throw Error(fmt::format("app '{}': starting its instance: {}", c.name,
                          said.empty() ? std::string("it exited before it was ready") : said));
}

}  // namespace

std::string instance_record_name(const std::string& app, const std::string& instance) {
  std::string n = std::string(kPrefix) + app;
  for (char& ch : n)
    if (ch == '+') ch = '_';
  return instance.empty() ? n : n + "." + instance;
}

std::optional<runtime::RunRecord> find_instance(const std::string& record_name) {
  for (auto& r : runtime::recorded_containers())
    if (r.name == record_name) return r;
  return std::nullopt;
}

std::vector<runtime::RunRecord> live_instances() {
  std::vector<runtime::RunRecord> out;
  for (auto& r : runtime::recorded_containers())
    if (r.name.starts_with(kPrefix) && r.argv.size() == 2 && r.argv[0] == "bale-app-instance")
      out.push_back(std::move(r));
  return out;
}

void resume_and_exec(const AppConfig& c, const runtime::ContainerSpec& call, store::Store& st,
                     const trust::TrustPaths& paths) {
  std::string record = instance_record_name(c.name, caller_instance());
  runtime::run_record_dir();  // the caller's, decided before a keeper's user namespace
  std::optional<runtime::RunRecord> r = find_instance(record);
  if (!r) start_instance(c, record, st, paths);
  instance_lock(record, LOCK_SH);  // a keeper still setting up is waited for; then released
  if (!r) r = find_instance(record);
  if (!r) throw Error(fmt::format("app '{}': its instance ended as soon as it started", c.name));
  runtime::join_and_exec(*r, call);
}

}  // namespace bale::apps
