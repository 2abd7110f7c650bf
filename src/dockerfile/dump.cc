// Printing the parse in the reference's test format.
#include "dockerfile/dump.h"

#include <cstdio>

#include "dockerfile/text.h"

namespace bale::dockerfile {
namespace {

// Go's unicode.IsPrint, approximately: Go consults full Unicode tables; this knows the
// controls, spaces, format characters and private-use areas, and takes every other code
// point for printable (unassigned ones included, which Go would escape).
bool is_printable(char32_t r) {
  if (r < 0x20 || (r >= 0x7F && r <= 0xA0) || r == 0xAD) return false;
  if (r < 0x300) return true;
  if (is_space(r) || (r >= 0x200B && r <= 0x200F) || (r >= 0x202A && r <= 0x202E) ||
      (r >= 0x2060 && r <= 0x206F))
    return false;
  if ((r >= 0x600 && r <= 0x605) || r == 0x61C || r == 0x6DD || r == 0x70F || r == 0x180E)
    return false;
  if (r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB) || (r >= 0xFDD0 && r <= 0xFDEF)) return false;
  if ((r & 0xFFFE) == 0xFFFE) return false;  // U+xFFFE and U+xFFFF are noncharacters
  if ((r >= 0xE000 && r <= 0xF8FF) || r >= 0xF0000) return false;  // private use
  if (r >= 0xE0000 && r <= 0xE007F) return false;                  // tags
  return true;
}

void append_escaped(std::string& out, char32_t r) {
  static constexpr std::string_view kControl = "\a\b\f\n\r\t\v", kLetter = "abfnrtv";
  if (size_t i = r < 0x80 ? kControl.find(static_cast<char>(r)) : std::string_view::npos;
      i != std::string_view::npos) {
    out += '\\';
    out += kLetter[i];
    return;
  }
  char buf[16];
  if (r < 0x20 || r == 0x7F)
    std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(r));
  else if (r < 0x10000)
    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(r));
  else
    std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(r));
  out += buf;
}

}  // namespace

std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (size_t pos = 0, len = 0; pos < s.size(); pos += len) {
    char32_t r = decode_rune(s, pos, &len);
    if (r == kRuneError && len == 1) {  // a byte that is not UTF-8
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s[pos]));
      out += buf;
    } else if (r == '"' || r == '\\') {
      out += '\\';
      out += static_cast<char>(r);
    } else if (is_printable(r)) {
      out.append(s.substr(pos, len));
    } else {
      append_escaped(out, r);
    }
  }
  return out + "\"";
}

std::string dump(const Instruction& inst) {
  std::string out = inst.keyword;
  if (!inst.flags.empty()) {
    out += " [";
    for (size_t i = 0; i < inst.flags.size(); i++) out += (i ? " " : "") + go_quote(inst.flags[i].text());
    out += "]";
  }
  if (inst.onbuild) out += " (" + dump(*inst.onbuild) + ")";
  for (const auto& a : inst.args) out += " " + go_quote(a);
  return out;
}

std::string dump(const Dockerfile& df) {
  std::string out;
  for (const auto& inst : df.instructions) out += "(" + dump(inst) + ")\n";
  return out;
}

}  // namespace bale::dockerfile
