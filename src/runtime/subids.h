// Subordinate ids: the ranges /etc/subuid and /etc/subgid give each user for the ids 1..N of
// its user namespaces (newuidmap/newgidmap write them; bale never needs root for that).
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace bale::runtime {

struct SubidRange {
  std::string owner;  // a user name or a numeric uid, as the file has it
  unsigned long start = 0, count = 0;
  int line = 0;
};

// The ranges of a subuid/subgid file's text; malformed lines are skipped (as shadow's tools do).
std::vector<SubidRange> parse_subids(const std::string& text);

// The first range of `user` (by name or uid), if any.
std::optional<SubidRange> subids_of(const std::vector<SubidRange>& ranges, const std::string& user,
                                    uid_t uid);

// A start for a new range of `count` ids that overlaps none of `ranges`: 100000 or the first
// multiple of 65536 past the last one (what useradd would pick).
unsigned long free_subid_start(const std::vector<SubidRange>& ranges, unsigned long count);

// The ids a full Debian image uses: root 0 to nobody 65534.
inline constexpr unsigned long kSubidsWanted = 65536;

}  // namespace bale::runtime
