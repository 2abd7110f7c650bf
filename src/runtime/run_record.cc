// Records of running containers (see run_record.h).
#include "runtime/run_record.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fd.h"
#include "base/fs.h"

namespace bale::runtime {

using nlohmann::json;

namespace {

std::string record_path(pid_t pid) { return fmt::format("{}/{}.json", run_record_dir(), pid); }

json to_json(const RunRecord& r) {
  return {{"name", r.name},       {"image", r.image},     {"digest", r.digest},
          {"pid", r.pid},         {"start_ticks", r.start_ticks}, {"started", r.started},
          {"argv", r.argv},       {"workdir", r.workdir}, {"user", r.user},
          {"stop_signal", r.stop_signal}};
}

// nullopt for a record that is not bale's (a stray or half-written file is stale too).
std::optional<RunRecord> from_json(const std::string& text) {
  try {
    json j = json::parse(text);
    RunRecord r;
    r.name = j.at("name").get<std::string>();
    r.image = j.at("image").get<std::string>();
    r.digest = j.at("digest").get<std::string>();
    r.pid = j.at("pid").get<pid_t>();
    r.start_ticks = j.at("start_ticks").get<unsigned long long>();
    r.started = j.at("started").get<long long>();
    r.argv = j.at("argv").get<std::vector<std::string>>();
    r.workdir = j.at("workdir").get<std::string>();
    r.user = j.at("user").get<std::string>();
    r.stop_signal = j.at("stop_signal").get<std::string>();
    return r;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

// As docker's: [a-zA-Z0-9][a-zA-Z0-9_.-]*, and not all digits, which would read as a PID.
bool valid_name(const std::string& n) {
  auto ok = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'; };
  return !n.empty() && n.size() <= 128 && std::isalnum(static_cast<unsigned char>(n[0])) &&
         std::all_of(n.begin(), n.end(), ok) && !std::all_of(n.begin(), n.end(), ::isdigit);
}

bool alive(const RunRecord& r) { return process_start_ticks(r.pid) == r.start_ticks; }

// Every record in the directory, live ones kept, stale ones removed.
std::vector<RunRecord> scan() {
  std::vector<RunRecord> out;
  std::string dir = run_record_dir();
  if (!path_exists(dir)) return out;
  for (const auto& f : list_dir(dir)) {
    if (!f.ends_with(".json")) continue;
    std::string path = dir + "/" + f;
    auto text = read_file_if_exists(path, 1 << 20);
    if (!text) continue;
    auto r = from_json(*text);
    if (r && alive(*r) && f == fmt::format("{}.json", r->pid)) {
      out.push_back(*r);
    } else {
      unlink(path.c_str());
    }
  }
  std::sort(out.begin(), out.end(), [](const RunRecord& a, const RunRecord& b) {
    return a.start_ticks < b.start_ticks;
  });
  return out;
}

// Serialises writers that check a name (two `--name web` starting at once).
UniqueFd lock_dir(const std::string& dir) {
  UniqueFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw_sys("open", dir);
  while (flock(fd.get(), LOCK_EX) < 0)
    if (errno != EINTR) throw_sys("lock", dir);
  return fd;
}

}  // namespace

std::string run_record_dir() {
  static const std::string dir = [] {
    auto env = [](const char* n) -> std::string { const char* v = std::getenv(n); return v ? v : ""; };
    if (!env("BALE_RUN_DIR").empty()) return env("BALE_RUN_DIR");
    if (geteuid() == 0) return std::string("/run/bale/containers");
    if (!env("XDG_RUNTIME_DIR").empty()) return env("XDG_RUNTIME_DIR") + "/bale/containers";
    return env("HOME") + "/.local/state/bale/containers";
  }();
  return dir;
}

std::optional<unsigned long long> process_start_ticks(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  auto stat = read_file_if_exists(fmt::format("/proc/{}/stat", pid), 4096);
  if (!stat) return std::nullopt;
  // "PID (comm) S ...": comm may hold spaces and parentheses; the fields follow the last ')'.
  auto close = stat->rfind(')');
  if (close == std::string::npos) return std::nullopt;
  const char* p = stat->c_str() + close + 1;
  if (p[0] == ' ' && (p[1] == 'Z' || p[1] == 'X')) return std::nullopt;  // exited, not yet reaped
  for (int field = 3; field < 22; field++) {  // skip to field 22, starttime
    p = std::strchr(p + 1, ' ');
    if (!p) return std::nullopt;
  }
  char* end = nullptr;
  unsigned long long ticks = std::strtoull(p + 1, &end, 10);
  if (end == p + 1) return std::nullopt;
  return ticks;
}

void write_run_record(RunRecord r) {
  r.pid = getpid();
  auto ticks = process_start_ticks(r.pid);
  if (!ticks) throw Error("read /proc/self/stat: no start time");
  r.start_ticks = *ticks;
  r.started = static_cast<long long>(std::time(nullptr));
  std::string dir = run_record_dir();
  if (access(dir.c_str(), F_OK) < 0) mkdir_p(dir, 0755);
  UniqueFd lock;
  // Stale records are removed by whoever reads them; a host that only ever starts containers
  // would collect them, so one start in 64 sweeps them too (a few hundred microseconds then).
  if (r.name.empty() && r.pid % 64 == 0) scan();
  if (!r.name.empty()) {
    if (!valid_name(r.name))
      throw Error(fmt::format("--name {}: a name is letters, digits, '.', '_' and '-', and not "
                              "all digits (those are PIDs)", quote(r.name)), 0, kExitUsage);
    lock = lock_dir(dir);
    for (const auto& other : scan())
      if (other.name == r.name)
        throw Error(fmt::format("--name {}: a container of that name is running (PID {})",
                                quote(r.name), other.pid), EEXIST)
            .with_hint(fmt::format("stop it first (bale stop {}) or choose another name", r.name));
  }
  // Written whole under a temporary name, then renamed: a reader never sees half a record. No
  // fsync: a record is worth nothing after a crash, and a start must not wait for a disk.
  std::string tmp = fmt::format("{}/.{}.tmp", dir, r.pid);
  {
    UniqueFd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!fd) throw_sys("create", tmp);
    write_all(fd.get(), to_json(r).dump() + "\n", tmp);
  }
  if (rename(tmp.c_str(), record_path(r.pid).c_str()) < 0) {
    int err = errno;
    unlink(tmp.c_str());
    throw sys_error("rename", tmp, err);
  }
}

std::vector<RunRecord> live_containers() { return scan(); }

RunRecord find_container(const std::string& ref) {
  std::vector<RunRecord> live = scan();
  for (const auto& r : live)
    if (!r.name.empty() && r.name == ref) return r;
  bool numeric = !ref.empty() && std::all_of(ref.begin(), ref.end(), ::isdigit);
  if (!numeric)
    throw Error(fmt::format("{}: no running container of that name", quote(ref)), ENOENT)
        .with_hint("`bale ps` lists the running containers");
  pid_t pid = static_cast<pid_t>(std::strtol(ref.c_str(), nullptr, 10));
  for (const auto& r : live)
    if (r.pid == pid) return r;
  if (!process_start_ticks(pid))
    throw Error(fmt::format("PID {}: no such process", ref), ESRCH)
        .with_hint("`bale ps` lists the running containers");
  throw Error(fmt::format("PID {}: not a bale container (no record of it in {})", ref,
                          run_record_dir()), ESRCH)
      .with_hint("`bale ps` lists the running containers");
}

}  // namespace bale::runtime
