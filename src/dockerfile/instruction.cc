// Splitting an instruction line into keyword, flags and arguments, with the checks only the
// whole instruction can make: the keyword is known, and ONBUILD has an allowed trigger.
#include "dockerfile/instruction.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "dockerfile/arguments.h"
#include "dockerfile/flags.h"
#include "dockerfile/text.h"
#include "dockerfile/words.h"

namespace bale::dockerfile {
namespace {

constexpr std::string_view kKeywords[] = {
    "ADD",    "ARG",   "CMD",         "COPY",  "ENTRYPOINT", "ENV",
    "EXPOSE", "FROM",  "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD",
    "RUN",    "SHELL", "STOPSIGNAL",  "USER",  "VOLUME",     "WORKDIR"};

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); j++) row[j] = j;
  for (size_t i = 1; i <= a.size(); i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); j++) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// The word as written, unless printing it could garble a terminal or flood the screen.
std::string printable_word(std::string_view word) {
  bool plain = word.size() <= 64 && std::none_of(word.begin(), word.end(), [](char c) {
                 return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
               });
  if (plain) return std::string(word);
  return quote(word.substr(0, 64)) + (word.size() > 64 ? "..." : "");
}

// "unknown instruction: RUNN (did you mean RUN?)" when a keyword is a typo away.
Error unknown_instruction(std::string_view keyword) {
  std::string msg = "unknown instruction: " + printable_word(keyword);
  if (keyword.empty()) return Error("an escaped line break with no instruction before it");
  std::string upper(keyword);
  for (char& c : upper)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  // A third of the word may be wrong: RUNN and ENTRYPONT get a suggestion, foo does not.
  for (std::string_view k : kKeywords)
    if (edit_distance(upper, k) * 3 <= std::max(upper.size(), k.size()))
      return Error(msg + " (did you mean " + std::string(k) + "?)");
  return Error(msg);
}

// ONBUILD's trigger is an instruction of its own, minus the few that cannot be deferred.
// Checked before the trigger is parsed, so no line can make the parser recurse deeper.
std::unique_ptr<Instruction> parse_trigger(std::string_view rest, char escape) {
  if (rest.empty()) throw Error("ONBUILD requires at least one argument");
  std::string name = split_words(rest, 2)[0];
  std::string keyword = to_lower_ascii(name);
  if (keyword == "onbuild") throw Error("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  if (keyword == "from" || keyword == "maintainer")
    throw Error(name + " isn't allowed as an ONBUILD trigger");
  return std::make_unique<Instruction>(parse_instruction(rest, escape));
}

}  // namespace

Instruction parse_instruction(std::string_view line, char escape) {
  Instruction inst;
  inst.original = std::string(line);
  auto parts = split_words(trim_space(line), 2);
  inst.keyword = to_lower_ascii(parts[0]);
  if (!is_known_instruction(inst.keyword)) throw unknown_instruction(parts[0]);
  FlagSplit split = extract_flags(parts.size() == 2 ? std::string_view(parts[1]) : "");
  for (const auto& word : split.flags) inst.flags.push_back(parse_flag(word));
  std::string_view rest = trim_space(split.rest);
  if (inst.keyword == "onbuild")
    inst.onbuild = parse_trigger(rest, escape);
  else
    parse_arguments(&inst, rest, escape);
  return inst;
}

}  // namespace bale::dockerfile
