// /etc/subuid and /etc/subgid (see subids.h).
#include "runtime/subids.h"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace bale::runtime {

namespace {

bool number(const std::string& s, unsigned long& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::vector<SubidRange> parse_subids(const std::string& text) {
  std::vector<SubidRange> out;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); n++) {
    if (line.empty() || line[0] == '#') continue;
    auto a = line.find(':');
    auto b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    SubidRange r{line.substr(0, a), 0, 0, n};
    if (r.owner.empty() || !number(line.substr(a + 1, b - a - 1), r.start) ||
        !number(line.substr(b + 1), r.count) || r.count == 0)
      continue;
    out.push_back(r);
  }
  return out;
}

std::optional<SubidRange> subids_of(const std::vector<SubidRange>& ranges, const std::string& user,
                                    uid_t uid) {
  for (const auto& r : ranges)
    if (r.owner == user || r.owner == std::to_string(uid)) return r;
  return std::nullopt;
}

unsigned long free_subid_start(const std::vector<SubidRange>& ranges, unsigned long count) {
  unsigned long start = 100000;
  for (;;) {
    bool clash = false;
    for (const auto& r : ranges)
      if (start < r.start + r.count && r.start < start + count) {
        clash = true;
        start = (r.start + r.count + 65535) / 65536 * 65536;
      }
    if (!clash) return start;
  }
}

}  // namespace bale::runtime
