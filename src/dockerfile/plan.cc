// Splitting a Dockerfile into stages (see plan.h).
#include "dockerfile/plan.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "base/error.h"

namespace bale::dockerfile {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

bool valid_stage_name(const std::string& s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-' || c == '.';
  });
}

}  // namespace

void fail_at(const Plan& plan, const Instruction& in, const std::string& message) {
  throw Error(fmt::format("{}:{}: {}", plan.file, in.start_line, message));
}

Plan make_plan(const Dockerfile& df, const std::string& file) {
  Plan plan;
  plan.file = file;
  for (const auto& in : df.instructions) {
    if (in.keyword == "from") {
      Stage s;
      s.index = plan.stages.size();
      s.from = &in;
      if (in.args.size() == 3 && lower(in.args[1]) == "as") {
        s.name = lower(in.args[2]);
        if (!valid_stage_name(s.name))
          fail_at(plan, in, fmt::format("invalid stage name {}: use letters, digits, '_', '-' "
                                        "and '.', starting with a letter", quote(in.args[2])));
        if (find_stage(plan, s.name, plan.stages.size()))
          fail_at(plan, in, fmt::format("duplicate stage name {}", quote(s.name)));
      } else if (in.args.size() != 1) {
        fail_at(plan, in, "FROM takes an image and optionally AS NAME: FROM IMAGE [AS NAME]");
      }
      plan.stages.push_back(std::move(s));
    } else if (plan.stages.empty()) {
      if (in.keyword != "arg")
        fail_at(plan, in, fmt::format("{} before the first FROM: only ARG may come before FROM",
                                      upper(in.keyword)));
      plan.global_args.push_back(&in);
    } else {
      plan.stages.back().body.push_back(&in);
    }
  }
  if (plan.stages.empty())
    throw Error(fmt::format("{}: no FROM instruction: a Dockerfile needs at least one stage", file));
  return plan;
}

std::optional<size_t> find_stage(const Plan& plan, const std::string& ref, size_t limit) {
  std::string want = lower(ref);
  for (size_t i = 0; i < std::min(limit, plan.stages.size()); i++)
    if (!plan.stages[i].name.empty() && plan.stages[i].name == want) return i;
  if (!want.empty() && std::all_of(want.begin(), want.end(), ::isdigit) && want.size() < 6) {
    size_t i = std::stoul(want);
    if (i < std::min(limit, plan.stages.size())) return i;
  }
  return std::nullopt;
}

}  // namespace bale::dockerfile
