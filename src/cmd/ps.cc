// `bale ps`: the running containers. No daemon keeps a list: each `bale run` left a record, and
// the processes themselves say which records are still true (runtime/run_record.h).
#include <cstdio>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cmd/commands.h"
#include "runtime/run_record.h"

namespace bale::cmd {

namespace {

// "45s", "12m", "3h", "2d": how docker's STATUS column reads.
std::string uptime(long long seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds < 120) return fmt::format("{}s", seconds);
  if (seconds < 2 * 3600) return fmt::format("{}m", seconds / 60);
  if (seconds < 2 * 86400) return fmt::format("{}h", seconds / 3600);
  return fmt::format("{}d", seconds / 86400);
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += a.find_first_of(" \t\"'") == std::string::npos ? a : nlohmann::json(a).dump();
  }
  return out;
}

std::string shorten(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 3) + "...";
}

}  // namespace

int ps(const PsOptions& o) {
  auto live = runtime::live_containers();
  long long now = static_cast<long long>(std::time(nullptr));
  if (o.quiet) {
    for (const auto& r : live) std::printf("%d\n", r.pid);
    return 0;
  }
  if (o.format == "json") {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : live)
      rows.push_back({{"name", r.name}, {"image", r.image}, {"id", r.digest}, {"pid", r.pid},
                      {"command", r.argv}, {"started", r.started}, {"uptime_seconds", now - r.started}});
    std::printf("%s\n", rows.dump(2).c_str());
    return 0;
  }
  std::printf("%-20s %-28s %-8s %-32s %s\n", "NAME", "IMAGE", "PID", "COMMAND", "UPTIME");
  for (const auto& r : live)
    std::printf("%-20s %-28s %-8d %-32s %s\n", (r.name.empty() ? "-" : r.name).c_str(),
                shorten(r.image, 28).c_str(), r.pid, shorten(command_line(r.argv), 32).c_str(),
                uptime(now - r.started).c_str());
  return 0;
}

}  // namespace bale::cmd
