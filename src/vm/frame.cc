// The frame codec and the app spec records (see frame.h). No exceptions and no bale/base: the
// guest init is built from this file as well.
#include "vm/frame.h"

#include <cstdlib>

namespace bale::vm {

void encode_frame(std::string& out, FrameType type, std::string_view payload) {
  uint32_t n = static_cast<uint32_t>(payload.size());
  char h[kFrameHeader] = {static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
                          static_cast<char>((n >> 16) & 0xff), static_cast<char>(n >> 24),
                          static_cast<char>(type)};
  out.append(h, kFrameHeader);
  out.append(payload);
}

bool FrameReader::next(Frame& f, bool& bad) {
  bad = false;
  size_t avail = buf_.size() - pos_;
  if (avail < kFrameHeader) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(buf_.data() + pos_);
  uint32_t n = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
  if (n > kMaxFramePayload) {
    bad = true;
    return false;
  }
  if (avail < kFrameHeader + n) return false;
  f.type = static_cast<FrameType>(p[4]);
  f.payload.assign(buf_, pos_ + kFrameHeader, n);
  pos_ += kFrameHeader + n;
  // Drop consumed bytes once they are the larger part, so the buffer does not grow forever.
  if (pos_ > 65536 && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  return true;
}

namespace {

void record(std::string& out, char key, std::string_view value) {
  out.push_back(key);
  out.push_back('=');
  out.append(value);
  out.push_back('\0');
}

bool number(std::string_view v, uint32_t& out) {
  if (v.empty() || v.size() > 10) return false;
  uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  if (n > UINT32_MAX) return false;
  out = static_cast<uint32_t>(n);
  return true;
}

}  // namespace

std::string encode_spec(const AppSpec& s) {
  std::string out;
  for (const auto& a : s.argv) record(out, 'a', a);
  for (const auto& e : s.env) record(out, 'e', e);
  record(out, 'w', s.workdir);
  record(out, 'u', std::to_string(s.uid));
  record(out, 'g', std::to_string(s.gid));
  for (uint32_t g : s.groups) record(out, 'G', std::to_string(g));
  if (s.tty) record(out, 't', std::to_string(s.rows) + " " + std::to_string(s.cols));
  for (const auto& v : s.volumes) record(out, 'v', v);
  if (s.read_only) record(out, 'r', "1");
  if (s.scratch) record(out, 's', "1");
  for (const auto& t : s.tmpfs) record(out, 'T', t);
  return out;
}

bool decode_spec(std::string_view data, AppSpec& s) {
  s = AppSpec();
  while (!data.empty()) {
    size_t end = data.find('\0');
    if (end == std::string_view::npos || end < 2 || data[1] != '=') return false;
    char key = data[0];
    std::string_view v = data.substr(2, end - 2);
    data.remove_prefix(end + 1);
    uint32_t n = 0;
    switch (key) {
      case 'a': s.argv.emplace_back(v); break;
      case 'e': s.env.emplace_back(v); break;
      case 'w': s.workdir = v; break;
      case 'v':
        if (v.size() < 4 || (v.substr(0, 4) != "ro:/" && v.substr(0, 4) != "rw:/")) return false;
        s.volumes.emplace_back(v);
        break;
      case 'r': s.read_only = v == "1"; break;
      case 's': s.scratch = v == "1"; break;
      case 'T':
        if (v.empty() || v[0] != '/') return false;
        s.tmpfs.emplace_back(v);
        break;
      case 'u': if (!number(v, s.uid)) return false; break;
      case 'g': if (!number(v, s.gid)) return false; break;
      case 'G':
        if (!number(v, n)) return false;
        s.groups.push_back(n);
        break;
      case 't': {
        size_t sp = v.find(' ');
        uint32_t r = 0, c = 0;
        if (sp == std::string_view::npos || !number(v.substr(0, sp), r) ||
            !number(v.substr(sp + 1), c) || r > 65535 || c > 65535)
          return false;
        s.tty = true;
        s.rows = static_cast<uint16_t>(r);
        s.cols = static_cast<uint16_t>(c);
        break;
      }
      default: return false;
    }
  }
  return !s.argv.empty();
}

}  // namespace bale::vm
