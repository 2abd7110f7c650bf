// Resource limits for `bale run --memory/--cpus/--pids`: the process moves itself into a new
// cgroup (v2 where /sys/fs/cgroup is cgroup2, else one per v1 controller) before it execs,
// so the limits apply to the target and everything it starts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bale::runtime {

struct Limits {
  std::optional<uint64_t> memory_bytes;
  std::optional<double> cpus;
  std::optional<uint64_t> pids;
  bool any() const { return memory_bytes || cpus || pids; }
};

// "512m", "2g", "1048576" -> bytes. Throws bale::Error (usage) on anything else.
uint64_t parse_size(const std::string& s, const std::string& flag);

// Creates bale-<pid> cgroups with the limits and moves this process into them. Returns the
// directories created (for messages and tests).
std::vector<std::string> join_limited_cgroup(const Limits& limits);

// Removes empty cgroups named bale-* that earlier runs left (a cgroup outlives its last
// process until someone rmdirs it). Returns how many were removed.
int remove_empty_cgroups();

}  // namespace bale::runtime
