// The options of `bale run` and `bale unit` in one table: CLI11 registers them for help and
// errors, and a small parser reads them directly on the hot path, so a warm `bale run` never
// builds a CLI11 application (that costs more than a tenth of its start).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cmd/commands.h"

namespace bale::cli {

struct RunFlag {
  const char* names;  // CLI11 spelling: "-e,--env"
  const char* help;
  bool takes_value;
  // Stores one occurrence; false when the value is malformed.
  bool (*set)(cmd::RunOptions& o, const std::string& value);
};

// Every option, terminated by an entry whose names is nullptr.
extern const RunFlag kRunFlags[];

// The flag spelled exactly `name` ("-e" or "--env"), or nullptr.
const RunFlag* find_run_flag(std::string_view name);

// The index of the first argument after `sub` that is neither an option nor the value of one
// (`takes_value` says which options have one), or the one after "--"; -1 if there is none.
int first_operand(int argc, char** argv, int sub, bool (*takes_value)(std::string_view flag));

// For `run` and `unit`: the index of IMAGE, the first argument after `sub` that is neither an
// option nor an option's value (or the one after "--"); -1 if there is none.
int image_index(int argc, char** argv, int sub);

// Parses `run`'s arguments after the subcommand at `sub`. nullopt when anything is out of the
// ordinary (--help, an unknown option, a missing or malformed value): the caller then lets CLI11
// parse and report, so there is one behaviour and one set of messages.
std::optional<cmd::RunOptions> parse_run_fast(int argc, char** argv, int sub);

}  // namespace bale::cli
