// The strict YAML subset of the app files (see yaml_subset.h).
#include "apps/yaml_subset.h"

#include <cstdint>

#include <fmt/format.h>

#include "base/error.h"

namespace bale::apps {

namespace {

struct Cursor {
  const std::string& where;
  int line;
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(fmt::format("{} line {}: {}", where, line, what));
  }
};

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// Drops a trailing comment (" #" outside quotes is where YAML starts one) and trailing blanks.
std::string_view trim_plain(std::string_view s, const Cursor& at) {
  for (size_t i = 1; i < s.size(); i++)
    if (s[i] == '#' && (s[i - 1] == ' ' || s[i - 1] == '\t')) {
      s = s.substr(0, i);
      break;
    }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (s.find(": ") != std::string_view::npos || (!s.empty() && s.back() == ':'))
    at.fail("a plain value may not hold ': ' (quote it)");
  return s;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The escape after a backslash at s[i] in a double-quoted scalar; advances i past it.
void unescape(std::string_view s, size_t& i, std::string& out, const Cursor& at) {
  if (++i >= s.size()) at.fail("a double-quoted value ends in a backslash");
  switch (char c = s[i]) {
    case '"': case '\\': case '/': out += c; return;
    case 'n': out += '\n'; return;
    case 't': out += '\t'; return;
    case 'r': out += '\r'; return;
    case '0': out += '\0'; return;
    case 'x': case 'u': {
      size_t n = c == 'x' ? 2 : 4;
      if (i + n >= s.size()) at.fail("a short \\x or \\u escape");
      uint32_t cp = 0;
      for (size_t k = 1; k <= n; k++) {
        char h = s[i + k];
        int v = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
              : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
        if (v < 0) at.fail("a bad hex digit in a \\x or \\u escape");
        cp = cp * 16 + static_cast<uint32_t>(v);
      }
      i += n;
      append_utf8(out, cp);
      return;
    }
    default: at.fail(fmt::format("an escape \\{} this format does not take", c));
  }
}

// What follows the closing quote may only be blanks and a comment.
void check_rest(std::string_view rest, const Cursor& at) {
  size_t k = rest.find_first_not_of(" \t");
  if (k != std::string_view::npos && rest[k] != '#') at.fail("text after a quoted value");
  if (k != std::string_view::npos && k == 0) at.fail("a comment must follow a blank");
}

std::string parse_scalar(std::string_view s, const Cursor& at) {
  if (s.empty()) return "";
  if (s[0] == '"') {
    std::string out;
    for (size_t i = 1; i < s.size(); i++) {
      if (s[i] == '"') return check_rest(s.substr(i + 1), at), out;
      if (s[i] == '\\') unescape(s, i, out, at);
      else out += s[i];
    }
    at.fail("a double-quoted value is not closed on its line");
  }
  if (s[0] == '\'') {
    std::string out;
    for (size_t i = 1; i < s.size(); i++) {
      if (s[i] != '\'') { out += s[i]; continue; }
      if (i + 1 < s.size() && s[i + 1] == '\'') { out += '\''; i++; continue; }
      return check_rest(s.substr(i + 1), at), out;
    }
    at.fail("a single-quoted value is not closed on its line");
  }
  if (std::string_view("[]{}&*!|>%@`,?").find(s[0]) != std::string_view::npos && s != "[]")
    at.fail(fmt::format("a value starting with '{}' must be quoted here", s[0]));
  if (s[0] == '-' && (s.size() == 1 || s[1] == ' ')) at.fail("a nested list is not taken here");
  if (s[0] == '#') return "";
  std::string_view v = trim_plain(s, at);
  if (v == "~" || v == "null") return "";
  return std::string(v);
}

}  // namespace

YamlMap parse_yaml_subset(std::string_view text, const std::string& where) {
  YamlMap out;
  Cursor at{where, 0};
  bool list_open = false;  // the last key was `key:` and may take `- item` lines
  size_t list_indent = 0;  // where that list's dashes stand (YAML wants them all in one column)
  while (!text.empty()) {
    std::string_view line = text.substr(0, text.find('\n'));
    text.remove_prefix(std::min(line.size() + 1, text.size()));
    at.line++;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos || line[indent] == '#') continue;
    if (line[indent] == '\t' || line.find('\t') < indent) at.fail("a tab in the indentation");
    if (out.empty() && line == "---") continue;  // the document start, before any key
    if (line[indent] == '-' && (indent + 1 == line.size() || line[indent + 1] == ' ')) {
      if (!list_open) at.fail("a list item that belongs to no `key:`");
      YamlValue& v = out.back().second;
      if (v.is_list && indent != list_indent) at.fail("list items in different columns");
      list_indent = indent;
      v.is_list = true;
      std::string_view item = line.substr(std::min(indent + 2, line.size()));
      item.remove_prefix(std::min(item.find_first_not_of(' '), item.size()));
      v.items.push_back(parse_scalar(item, at));
      continue;
    }
    if (indent > 0) at.fail("nested mappings are not taken here (keys start in column 1)");
    size_t k = 0;
    while (k < line.size() && is_key_char(line[k])) k++;
    if (k == 0 || k >= line.size() || line[k] != ':' || (k + 1 < line.size() && line[k + 1] != ' '))
      at.fail("expected `key: value`, `key:` or `- item`");
    std::string key(line.substr(0, k));
    for (const auto& [seen, v] : out)
      if (seen == key) at.fail(fmt::format("key '{}' given twice", key));
    std::string_view rest = line.substr(k + 1);
    rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
    YamlValue v;
    if (rest == "[]" || rest.substr(0, 3) == "[] ") v.is_list = true;
    else v.scalar = parse_scalar(rest, at);
    list_open = rest.empty() || rest[0] == '#';
    out.emplace_back(std::move(key), std::move(v));
  }
  return out;
}

std::string yaml_quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  return out + "\"";
}

}  // namespace bale::apps
