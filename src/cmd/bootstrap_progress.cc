// debootstrap's messages (its functions and scripts/debian-common), as printed by `info`:
// "I: Retrieving NAME VERSION", "I: Extracting NAME...", "I: Unpacking required packages...",
// "I: Unpacking NAME...", "I: Configuring NAME...", "I: Base system installed successfully.".
#include "cmd/bootstrap_progress.h"

#include <fmt/format.h>

namespace bale::cmd {

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string_view strip_dots(std::string_view s) {
  while (!s.empty() && (s.back() == '.' || s.back() == ' ')) s.remove_suffix(1);
  return s;
}

// debootstrap names a stage "... packages..." or "... the base system..."; a package is one word.
bool is_stage_name(std::string_view rest) {
  rest = strip_dots(rest);
  return rest.ends_with(" packages") || rest.ends_with(" system");
}

std::string lower_first(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z') out[0] = static_cast<char>(out[0] - 'A' + 'a');
  return out;
}

}  // namespace

bool DebootstrapProgress::begin(std::string name) {
  if (name == stage_) return false;
  stage_ = std::move(name);
  count_ = 0;
  item_.clear();
  return true;
}

bool DebootstrapProgress::feed(std::string_view line) {
  if (!starts_with(line, "I: ")) return false;
  std::string_view msg = line.substr(3);
  if (starts_with(msg, "Checking component ")) {
    listed_ = true;  // the last step of resolving, before the first package is fetched
    return false;
  }
  if (!listed_) return begin("resolving packages");
  if (starts_with(msg, "Retrieving ")) {
    std::string item(strip_dots(msg.substr(11)));
    bool began = begin("retrieving packages");
    if (item != item_) retrieved_++, count_++;  // a retry prints the same package again
    item_ = item;
    return began;
  }
  if (starts_with(msg, "Extracting ")) {
    bool began = begin(fmt::format("extracting {} packages", retrieved_));
    count_++;
    item_ = strip_dots(msg.substr(11));
    return began;
  }
  for (std::string_view verb : {"Unpacking ", "Configuring ", "Installing "}) {
    if (!starts_with(msg, verb)) continue;
    std::string_view rest = msg.substr(verb.size());
    if (is_stage_name(rest)) return begin(lower_first(strip_dots(msg)));
    count_++;
    item_ = strip_dots(rest);
    return false;
  }
  if (starts_with(msg, "Base system installed")) return begin("base system installed");
  return false;
}

std::string DebootstrapProgress::status() const {
  if (stage_.starts_with("extracting"))
    return fmt::format("extracting {}/{} ({})", count_, retrieved_, item_);
  if (count_ == 0 || item_.empty()) return stage_;
  return fmt::format("{}: {} ({})", stage_, count_, item_);
}

}  // namespace bale::cmd
