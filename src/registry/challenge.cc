// WWW-Authenticate parsing (see challenge.h): scheme, then name=value pairs separated by commas,
// each value a token or a quoted-string with backslash escapes.
#include "registry/challenge.h"

#include <cctype>

namespace bale::registry {

namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

void skip_spaces(const std::string& h, size_t& i) {
  while (i < h.size() && (h[i] == ' ' || h[i] == '\t')) i++;
}

std::string read_value(const std::string& h, size_t& i) {
  std::string v;
  if (i < h.size() && h[i] == '"') {
    for (i++; i < h.size() && h[i] != '"'; i++) {
      if (h[i] == '\\' && i + 1 < h.size()) i++;
      v += h[i];
    }
    if (i < h.size()) i++;  // the closing quote
    return v;
  }
  while (i < h.size() && h[i] != ',' && h[i] != ' ' && h[i] != '\t') v += h[i++];
  return v;
}

}  // namespace

std::string Challenge::param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

Challenge parse_challenge(const std::string& h) {
  Challenge c;
  size_t i = 0;
  skip_spaces(h, i);
  while (i < h.size() && h[i] != ' ' && h[i] != '\t') c.scheme += lower(h[i++]);
  while (i < h.size()) {
    skip_spaces(h, i);
    std::string name;
    while (i < h.size() && h[i] != '=' && h[i] != ',' && h[i] != ' ') name += lower(h[i++]);
    skip_spaces(h, i);
    if (i >= h.size() || h[i] != '=') {
      if (i < h.size()) i++;  // a stray comma or token: skip it
      continue;
    }
    i++;
    skip_spaces(h, i);
    c.params[name] = read_value(h, i);
    skip_spaces(h, i);
    if (i < h.size() && h[i] == ',') i++;
  }
  return c;
}

}  // namespace bale::registry
