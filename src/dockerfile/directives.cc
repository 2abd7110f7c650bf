// Recognising `#name=value` directive lines the way BuildKit does: the name is letters and
// digits, `=` may have blanks around it, the value is trimmed; names are case-insensitive.
#include "dockerfile/directives.h"

#include <optional>
#include <utility>

#include "base/error.h"
#include "dockerfile/text.h"

namespace bale::dockerfile {
namespace {

// The blanks of Go's regexp \s: no \v, nothing beyond ASCII.
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_alpha(c) || (c >= '0' && c <= '9'); }

size_t skip_blanks(std::string_view s, size_t pos) {
  while (pos < s.size() && is_blank(s[pos])) pos++;
  return pos;
}

// `#\s*name\s*=\s*value\s*` with a non-empty value, else nullopt.
std::optional<std::pair<std::string, std::string>> match_directive(std::string_view line) {
  if (line.empty() || line[0] != '#') return std::nullopt;
  size_t pos = skip_blanks(line, 1), name_start = pos;
  if (pos >= line.size() || !is_alpha(line[pos])) return std::nullopt;
  while (pos < line.size() && is_alnum(line[pos])) pos++;
  std::string name = to_lower_ascii(line.substr(name_start, pos - name_start));
  pos = skip_blanks(line, pos);
  if (pos >= line.size() || line[pos] != '=') return std::nullopt;
  std::string_view rest = line.substr(pos + 1);
  if (rest.empty()) return std::nullopt;
  size_t begin = skip_blanks(rest, 0), end = rest.size();
  while (end > begin && is_blank(rest[end - 1])) end--;
  // The reference's pattern needs at least one character of value, so a value of blanks
  // alone comes out as its last blank (which no directive accepts).
  if (begin == end) return std::pair{name, std::string(rest.substr(rest.size() - 1))};
  return std::pair{name, std::string(rest.substr(begin, end - begin))};
}

}  // namespace

bool DirectiveReader::read(std::string_view line) {
  if (done_) return false;
  auto d = match_directive(line);
  if (!d || (d->first != "escape" && d->first != "syntax" && d->first != "check")) {
    done_ = true;
    return false;
  }
  auto& [name, value] = *d;
  if (!seen_.insert(name).second) throw Error("only one " + name + " parser directive can be used");
  if (name == "escape") {
    if (value != "\\" && value != "`")
      throw Error("invalid escape token " + quote(value) + " does not match ` or \\");
    out_->escape = value[0];
  } else if (name == "syntax") {
    out_->syntax = value;
  } else {
    out_->check = value;
  }
  return true;
}

}  // namespace bale::dockerfile
