// USER[:GROUP] resolution against an image's passwd and group files (see user.h).
#include "runtime/user.h"

#include <charconv>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "base/error.h"

namespace bale::runtime {

namespace {

std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::string f;
  std::istringstream in(line);
  while (std::getline(in, f, ':')) out.push_back(f);
  if (!line.empty() && line.back() == ':') out.emplace_back();
  return out;
}

std::optional<uint32_t> number(const std::string& s) {
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Calls f(fields) for every well-formed line with at least `min` fields.
template <typename F>
void each_entry(const std::string& text, size_t min, F f) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto v = fields(line);
    if (v.size() >= min && f(v)) return;
  }
}

}  // namespace

ResolvedUser resolve_user(const std::string& spec, const std::string& passwd,
                          const std::string& group) {
  ResolvedUser u;
  const size_t colon = spec.find(':');
  // Built, not assigned: GCC 12 warns (-Wrestrict, a false positive) on `user = "0"` here.
  std::string user = colon == 0 || spec.empty() ? std::string("0") : spec.substr(0, colon);
  std::optional<std::string> grp;
  if (colon != std::string::npos) grp = spec.substr(colon + 1);

  bool found = false;
  auto uid_num = number(user);
  each_entry(passwd, 7, [&](const std::vector<std::string>& f) {
    if (uid_num ? number(f[2]) != uid_num : f[0] != user) return false;
    u.name = f[0];
    u.uid = number(f[2]).value_or(0);
    u.gid = number(f[3]).value_or(0);
    u.home = f[5].empty() ? "/" : f[5];
    return found = true;
  });
  if (!found) {
    if (!uid_num)
      throw Error(fmt::format("user {}: no such user in the image's /etc/passwd", quote(user)));
    u.uid = *uid_num;
    u.gid = 0;
  }
  if (grp) {
    auto gid_num = number(*grp);
    bool gfound = gid_num.has_value();
    if (gid_num) u.gid = *gid_num;
    each_entry(group, 3, [&](const std::vector<std::string>& f) {
      if (gid_num || f[0] != *grp) return false;
      u.gid = number(f[2]).value_or(0);
      return gfound = true;
    });
    if (!gfound)
      throw Error(fmt::format("group {}: no such group in the image's /etc/group", quote(*grp)));
  }
  // Supplementary groups: every group listing the user by name, as initgroups(3) would.
  if (!u.name.empty() && !grp) {
    each_entry(group, 4, [&](const std::vector<std::string>& f) {
      std::istringstream members(f[3]);
      std::string m;
      while (std::getline(members, m, ','))
        if (m == u.name) {
          auto g = number(f[2]);
          if (g && *g != u.gid) u.groups.push_back(*g);
        }
      return false;
    });
  }
  return u;
}

ResolvedUser resolve_owner(const std::string& spec, const std::string& passwd,
                           const std::string& group) {
  ResolvedUser u = resolve_user(spec, passwd, group);
  if (spec.find(':') == std::string::npos)
    if (auto id = number(spec)) u.gid = *id;
  return u;
}

}  // namespace bale::runtime
