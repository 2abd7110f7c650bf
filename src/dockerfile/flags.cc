// Instruction flags as name/value pairs (see flags.h).
#include "dockerfile/flags.h"

namespace bale::dockerfile {

namespace {

// `key=value` split at the first '='; no value without one.
std::pair<std::string, std::optional<std::string>> split_pair(std::string_view s) {
  size_t eq = s.find('=');
  if (eq == std::string_view::npos) return {std::string(s), std::nullopt};
  return {std::string(s.substr(0, eq)), std::string(s.substr(eq + 1))};
}

}  // namespace

Flag parse_flag(std::string_view word) {
  if (word.starts_with("--")) word.remove_prefix(2);
  auto [name, value] = split_pair(word);
  return {std::move(name), std::move(value)};
}

std::vector<FlagField> split_flag_fields(std::string_view value) {
  std::vector<FlagField> out;
  size_t i = 0;
  while (i <= value.size()) {
    size_t j = value.find(',', i);
    if (j == std::string_view::npos) j = value.size();
    std::string_view field = value.substr(i, j - i);
    i = j + 1;
    if (field.empty()) continue;
    auto [key, v] = split_pair(field);
    out.push_back({std::move(key), std::move(v)});
  }
  return out;
}

}  // namespace bale::dockerfile
