// Records of running containers (see run_record.h).
#include "runtime/run_record.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>
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
#include "base/identity.h"

namespace bale::runtime {

using nlohmann::json;

namespace {

// A file of /proc/PID; nothing once the process is gone, also when it exits between the open
// and the read (ESRCH): a walk over processes must never fail on one that just ended.
std::optional<std::string> read_proc(pid_t pid, const char* file, size_t limit) {
  try {
    return read_file_if_exists(fmt::format("/proc/{}/{}", pid, file), limit);
  } catch (const Error& e) {
    if (e.err() == ESRCH || e.err() == ENOENT) return std::nullopt;
    throw;
  }
}

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
    if (invoked_as_root()) return std::string("/run/bale/containers");
    if (!env("XDG_RUNTIME_DIR").empty()) return env("XDG_RUNTIME_DIR") + "/bale/containers";
    return env("HOME") + "/.local/state/bale/containers";
  }();
  return dir;
}

std::optional<unsigned long long> process_start_ticks(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  auto stat = read_proc(pid, "stat", 4096);
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
  // Stale records are removed by whoever reads them, and every named start reads them all.
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

namespace {

// The image digest of the overlay a `bale run` container has as its root, from one line of
// mountinfo: lowerdir is one image tree of a store (.../images/<hex>/rootfs) and upperdir the
// run's own scratch tmpfs (.../mnt/u); RUN steps of a build stack other layers. "" otherwise.
std::string container_digest(const std::string& line) {
  auto sep = line.find(" - overlay ");
  if (sep == std::string::npos) return "";
  auto field = [&](const char* key) {
    auto at = line.find(key, sep);
    if (at == std::string::npos) return std::string();
    at += std::strlen(key);
    return line.substr(at, line.find_first_of(", \n", at) - at);
  };
  std::string lower = field("lowerdir="), upper = field("upperdir=");
  const std::string tail = "/rootfs";
  if (!upper.ends_with("/mnt/u") || !lower.ends_with(tail) || lower.find(':') != std::string::npos)
    return "";
  std::string dir = lower.substr(0, lower.size() - tail.size());
  std::string hex = dir.substr(dir.rfind('/') + 1);
  if (hex.size() != 64 || dir.compare(dir.size() - 64 - 8, 8, "/images/") != 0) return "";
  return "sha256:" + hex;
}

// The root mount's line of a process's mountinfo ("/" as the mount point).
std::string root_mount_line(pid_t pid) {
  auto text = read_proc(pid, "mountinfo", 1 << 20);
  if (!text) return "";
  for (size_t at = 0; at < text->size();) {
    size_t end = text->find('\n', at);
    if (end == std::string::npos) end = text->size();
    std::string line = text->substr(at, end - at);
    // "ID PARENT MAJ:MIN ROOT MOUNTPOINT ...": the fifth field
    size_t f = 0;
    for (int i = 0; i < 4 && f != std::string::npos; i++) f = line.find(' ', f + 1);
    if (f != std::string::npos && line.compare(f + 1, 2, "/ ") == 0) return line;
    at = end + 1;
  }
  return "";
}

// Seconds since the epoch at which a process of `ticks` (since boot) started.
long long started_at(unsigned long long ticks) {
  auto stat = read_file_if_exists("/proc/stat", 1 << 16);
  long long btime = 0;
  if (stat) {
    auto at = stat->find("\nbtime ");
    if (at != std::string::npos) btime = std::strtoll(stat->c_str() + at + 7, nullptr, 10);
  }
  return btime + static_cast<long long>(ticks / static_cast<unsigned long long>(sysconf(_SC_CLK_TCK)));
}

}  // namespace

std::optional<std::vector<std::string>> proc_strings(pid_t pid, const char* file) {
  auto text = read_proc(pid, file, 1 << 20);
  if (!text) return std::nullopt;
  std::vector<std::string> out;
  for (size_t at = 0; at < text->size();) {
    size_t end = text->find('\0', at);
    if (end == std::string::npos) end = text->size();
    out.push_back(text->substr(at, end - at));
    at = end + 1;
  }
  return out;
}

UniqueFd open_recorded_process(const RunRecord& r) {
  UniqueFd fd(static_cast<int>(syscall(SYS_pidfd_open, r.pid, 0)));
  if (!fd && errno != ESRCH) throw_sys("pidfd_open", std::to_string(r.pid));
  if (fd && process_start_ticks(r.pid) != r.start_ticks) fd.reset();
  return fd;
}

std::vector<RunRecord> recorded_containers() { return scan(); }

std::vector<RunRecord> live_containers() {
  std::vector<RunRecord> out = scan();
  std::set<pid_t> recorded;
  for (const auto& r : out) recorded.insert(r.pid);
  // Containers started without --name leave no record (a start pays nothing for them): found
  // from the processes, one per mount namespace, its first process (the one bale became).
  struct stat ours;
  if (stat("/proc/self/ns/mnt", &ours) < 0) return out;
  std::map<ino_t, RunRecord> by_ns;
  for (const auto& name : list_dir("/proc")) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    pid_t pid = static_cast<pid_t>(std::strtol(name.c_str(), nullptr, 10));
    struct stat ns;
    if (recorded.count(pid) || stat(fmt::format("/proc/{}/ns/mnt", pid).c_str(), &ns) < 0 ||
        ns.st_ino == ours.st_ino)
      continue;
    std::string digest = container_digest(root_mount_line(pid));
    auto ticks = process_start_ticks(pid);
    if (digest.empty() || !ticks) continue;
    auto it = by_ns.find(ns.st_ino);
    if (it != by_ns.end() && it->second.start_ticks <= *ticks) continue;
    RunRecord r;
    r.digest = digest;
    r.image = digest.substr(0, 19);
    r.pid = pid;
    r.start_ticks = *ticks;
    r.started = started_at(*ticks);
    r.argv = proc_strings(pid, "cmdline").value_or(std::vector<std::string>{});
    by_ns[ns.st_ino] = r;
  }
  for (auto& [ns, r] : by_ns) {
    bool inside_recorded = false;  // a process inside a named container's namespace
    for (pid_t p : recorded) {
      struct stat theirs;
      if (stat(fmt::format("/proc/{}/ns/mnt", p).c_str(), &theirs) == 0 && theirs.st_ino == ns)
        inside_recorded = true;
    }
    if (!inside_recorded) out.push_back(r);
  }
  std::sort(out.begin(), out.end(), [](const RunRecord& a, const RunRecord& b) {
    return a.start_ticks < b.start_ticks;
  });
  return out;
}

RunRecord find_container(const std::string& ref) {
  std::vector<RunRecord> live = live_containers();
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
  throw Error(fmt::format("PID {}: not a bale container (no record of it in {}, and its root "
                          "is no image of a bale store)", ref, run_record_dir()), ESRCH)
      .with_hint("`bale ps` lists the running containers");
}

}  // namespace bale::runtime
