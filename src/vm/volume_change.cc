// The kVolume frame's payload (see volume_change.h). Pure: the guest init uses it too.
#include "vm/volume_change.h"

#include <cstdio>
#include <cstdlib>

namespace bale::vm {

std::string encode_volume_change(const VolumeChange& c) {
  char head[96];
  std::snprintf(head, sizeof head, "%u %c %o %u %u", c.volume, c.kind, c.mode, c.uid, c.gid);
  std::string out = head;
  out.push_back('\0');
  out += c.path;
  out.push_back('\0');
  out += c.data;
  return out;
}

namespace {

bool safe_relative(std::string_view p) {
  if (p.empty() || p[0] == '/') return false;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    std::string_view part = p.substr(i, j - i);
    if (part.empty() || part == "." || part == "..") return false;
    i = j + 1;
  }
  return true;
}

}  // namespace

bool decode_volume_change(std::string_view payload, VolumeChange& c) {
  size_t z1 = payload.find('\0');
  if (z1 == std::string_view::npos) return false;
  size_t z2 = payload.find('\0', z1 + 1);
  if (z2 == std::string_view::npos) return false;
  std::string head(payload.substr(0, z1));
  char kind = 0;
  unsigned vol = 0, mode = 0, uid = 0, gid = 0;
  int used = 0;
  if (std::sscanf(head.c_str(), "%u %c %o %u %u%n", &vol, &kind, &mode, &uid, &gid, &used) != 5 ||
      used != static_cast<int>(head.size()))
    return false;
  if (std::string_view("doafwl").find(kind) == std::string_view::npos) return false;
  c.volume = vol;
  c.kind = kind;
  c.mode = mode & 07777;
  c.uid = uid;
  c.gid = gid;
  c.path = payload.substr(z1 + 1, z2 - z1 - 1);
  c.data = payload.substr(z2 + 1);
  return safe_relative(c.path);
}

}  // namespace bale::vm
