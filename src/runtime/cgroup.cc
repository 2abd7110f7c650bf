// cgroup v1/v2 limits (see cgroup.h).
#include "runtime/cgroup.h"

#include <sys/stat.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include <charconv>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"

namespace bale::runtime {

namespace {

constexpr const char* kCgroupRoot = "/sys/fs/cgroup";

// CPU time per 100 ms period. Rounded by hand: std::lround would make bale load libm at every
// start (~0.1 ms), for this one call.
long cpu_quota_us(double cpus) { return static_cast<long>(cpus * 100000 + 0.5); }

bool is_v2() {
  struct statfs sf;
  return statfs(kCgroupRoot, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

void write_value(const std::string& path, const std::string& value) {
  UniqueFd fd = open_file(path, O_WRONLY);
  write_all(fd.get(), value, path);
}

// Mount point of the v1 hierarchy holding `controller`, and this process's path in it.
std::optional<std::string> v1_dir(const std::string& controller) {
  std::istringstream mounts(read_file("/proc/self/mountinfo"));
  std::string line, mountpoint;
  while (std::getline(mounts, line)) {
    std::istringstream f(line);
    std::string id, parent, dev, root, mp, opts, tok;
    f >> id >> parent >> dev >> root >> mp >> opts;
    while (f >> tok && tok != "-") {}
    std::string fstype, source, super;
    f >> fstype >> source >> super;
    if (fstype != "cgroup") continue;
    std::istringstream so(super);
    for (std::string o; std::getline(so, o, ',');)
      if (o == controller) mountpoint = mp;
  }
  if (mountpoint.empty()) return std::nullopt;
  std::istringstream groups(read_file("/proc/self/cgroup"));
  while (std::getline(groups, line)) {
    auto a = line.find(':'), b = line.find(':', a + 1);
    std::istringstream cs(line.substr(a + 1, b - a - 1));
    for (std::string c; std::getline(cs, c, ',');)
      if (c == controller) return mountpoint + line.substr(b + 1);
  }
  return mountpoint;
}

std::string make_group(const std::string& parent) {
  std::string dir = fmt::format("{}/bale-{}", parent == "/" ? "" : parent, getpid());
  mkdir_p(dir, 0755);
  return dir;
}

}  // namespace

uint64_t parse_size(const std::string& s, const std::string& flag) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  std::string unit(p, s.data() + s.size());
  static const std::pair<const char*, int> units[] = {
      {"", 0}, {"b", 0}, {"k", 10}, {"kb", 10}, {"m", 20}, {"mb", 20}, {"g", 30}, {"gb", 30}};
  for (auto& c : unit) c = static_cast<char>(tolower(c));
  if (ec == std::errc() && p != s.data())
    for (auto [name, shift] : units)
      if (unit == name) return v << shift;
  throw Error(fmt::format("{} {}: expected a size such as 512m or 2g", flag, quote(s)), 0, 2);
}

std::vector<std::string> join_limited_cgroup(const Limits& l) {
  std::vector<std::string> made;
  std::string pid = std::to_string(getpid());
  if (is_v2()) {
    std::string parent = std::string(kCgroupRoot) + "/bale";
    mkdir_p(parent, 0755);
    write_value(std::string(kCgroupRoot) + "/cgroup.subtree_control", "+memory +cpu +pids");
    write_value(parent + "/cgroup.subtree_control", "+memory +cpu +pids");
    std::string dir = make_group(parent);
    if (l.memory_bytes) write_value(dir + "/memory.max", std::to_string(*l.memory_bytes));
    if (l.cpus) write_value(dir + "/cpu.max", fmt::format("{} 100000", cpu_quota_us(*l.cpus)));
    if (l.pids) write_value(dir + "/pids.max", std::to_string(*l.pids));
    write_value(dir + "/cgroup.procs", pid);
    return {dir};
  }
  auto join = [&](const std::string& controller, auto&& set) {
    auto base = v1_dir(controller);
    if (!base)
      throw Error(fmt::format("--{} needs the cgroup {} controller, which is not mounted",
                              controller == "memory" ? "memory" : controller == "cpu" ? "cpus" : "pids",
                              controller));
    std::string dir = make_group(*base);
    set(dir);
    write_value(dir + "/cgroup.procs", pid);
    made.push_back(dir);
  };
  if (l.memory_bytes)
    join("memory", [&](const std::string& d) {
      write_value(d + "/memory.limit_in_bytes", std::to_string(*l.memory_bytes));
    });
  if (l.cpus)
    join("cpu", [&](const std::string& d) {
      write_value(d + "/cpu.cfs_period_us", "100000");
      write_value(d + "/cpu.cfs_quota_us", std::to_string(cpu_quota_us(*l.cpus)));
    });
  if (l.pids)
    join("pids", [&](const std::string& d) { write_value(d + "/pids.max", std::to_string(*l.pids)); });
  return made;
}

int remove_empty_cgroups() {
  int removed = 0;
  walk_tree(kCgroupRoot, [&](const std::string& path, const struct stat& st) {
    if (!S_ISDIR(st.st_mode)) return false;
    std::string name = basename_of(path);
    if (name.rfind("bale-", 0) != 0) return true;  // look further down
    // rmdir fails on a cgroup that still has processes or children: exactly what we want.
    // A bale-<pid> whose bale is alive may be made but not joined yet: leave it.
    pid_t pid = std::atoi(name.c_str() + 5);
    bool alive = pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
    if (!alive && rmdir(path.c_str()) == 0) removed++;
    return false;
  });
  return removed;
}

}  // namespace bale::runtime
