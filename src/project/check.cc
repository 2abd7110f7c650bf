// Strict accessors over the Node tree (see check.h).
#include "project/check.h"

#include <cstdlib>

#include <fmt/format.h>

#include "base/error.h"
#include "project/errors.h"

namespace bale::project {

Error config_error(const Where& where, const std::string& path, const std::string& message) {
  return Error(fmt::format("{}: {}: {}", where.str(), path, message), 0, kExitBadConfig);
}

const Where& line_of(const Node& n) { return n.key_where.line ? n.key_where : n.where; }

namespace {

[[noreturn]] void wrong_type(const Node& n, const std::string& path, const char* expected) {
  throw config_error(line_of(n), path, fmt::format("expected {}, found {}", expected, n.kind_name()));
}

}  // namespace

void check_mapping(const Node& n, const std::string& path, std::initializer_list<const char*> known) {
  if (n.kind != Node::Kind::kMapping) wrong_type(n, path, "a mapping");
  for (const auto& [key, v] : n.entries) {
    bool ok = false;
    for (const char* k : known) ok |= key == k;
    if (ok) continue;
    std::string list;
    for (const char* k : known) list += std::string(list.empty() ? "" : ", ") + k;
    throw config_error(line_of(v), path, fmt::format("unknown key {} (known keys: {})", quote(key), list));
  }
}

void expect_mapping(const Node& n, const std::string& path) {
  if (n.kind != Node::Kind::kMapping && n.kind != Node::Kind::kNull) wrong_type(n, path, "a mapping");
}

std::string string_of(const Node& n, const std::string& path) {
  if (n.kind != Node::Kind::kScalar) wrong_type(n, path, "a string");
  return n.scalar;
}

bool bool_of(const Node& n, const std::string& path) {
  if (n.kind == Node::Kind::kScalar && !n.quoted) {
    if (n.scalar == "true") return true;
    if (n.scalar == "false") return false;
  }
  throw config_error(line_of(n), path, "expected true or false");
}

double number_of(const Node& n, const std::string& path) {
  if (n.kind == Node::Kind::kScalar && !n.quoted && !n.scalar.empty()) {
    char* end = nullptr;
    double d = std::strtod(n.scalar.c_str(), &end);
    if (*end == '\0' && d >= 0 && d < 1e6) return d;
  }
  throw config_error(line_of(n), path, "expected a number of seconds (0 or more)");
}

std::vector<std::string> strings_of(const Node& n, const std::string& path) {
  if (n.kind != Node::Kind::kSequence) wrong_type(n, path, "a list");
  std::vector<std::string> out;
  for (size_t i = 0; i < n.items.size(); i++)
    out.push_back(string_of(n.items[i], fmt::format("{}[{}]", path, i)));
  return out;
}

std::vector<std::pair<std::string, std::string>> string_map_of(const Node& n, const std::string& path) {
  if (n.kind != Node::Kind::kMapping) wrong_type(n, path, "a mapping of names to values");
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, v] : n.entries) {
    if (key.empty() || key.find('=') != std::string::npos)
      throw config_error(line_of(v), path, fmt::format("{} is not a variable name", quote(key)));
    out.emplace_back(key, string_of(v, path + "." + key));
  }
  return out;
}

void check_name(const std::string& name, const Node& n, const std::string& path) {
  bool ok = !name.empty() && name.size() <= 128 && name[0] != '-' && name[0] != '.' &&
            name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
                std::string::npos;
  if (!ok)
    throw config_error(line_of(n), path,
                       fmt::format("{} is not a usable name (letters, digits, '-', '_', '.'; not "
                                   "starting with '-' or '.')", quote(name)));
}

}  // namespace bale::project
