// A Dockerfile as stages: the ARGs before the first FROM, then each FROM with the instructions
// that follow it. Stage references (`FROM x`, `--from=x`) are looked up here by name or index.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dockerfile/ast.h"

namespace bale::dockerfile {

struct Stage {
  size_t index = 0;
  std::string name;  // from `AS name`, lower-cased ("" when unnamed)
  const Instruction* from = nullptr;
  std::vector<const Instruction*> body;
};

struct Plan {
  std::string file;  // the Dockerfile's name, for messages
  std::vector<const Instruction*> global_args;
  std::vector<Stage> stages;
};

// Throws bale::Error "FILE:LINE: ..." when there is no FROM, an instruction other than ARG
// comes before the first FROM, FROM is malformed, or two stages share a name.
Plan make_plan(const Dockerfile& df, const std::string& file);

// The stage `ref` names (its AS name, case-insensitively, or its index), among the first
// `limit` stages; nullopt when it names none.
std::optional<size_t> find_stage(const Plan& plan, const std::string& ref, size_t limit);

// "FILE:LINE: message" as a bale::Error (exit 1).
[[noreturn]] void fail_at(const Plan& plan, const Instruction& in, const std::string& message);

}  // namespace bale::dockerfile
