// The instructions that only change the image config (ENV, LABEL, USER, WORKDIR's config part,
// ENTRYPOINT, CMD, EXPOSE, VOLUME, STOPSIGNAL, HEALTHCHECK, SHELL, MAINTAINER, ONBUILD), as
// pure edits of a StageState with Docker's rules.
#pragma once

#include <optional>
#include <string>

#include "dockerfile/ast.h"
#include "builder/stage_state.h"

namespace bale::builder {

using namespace bale::dockerfile;  // the language the engine carries out

// True for the keywords apply_config_instruction handles.
bool is_config_instruction(const std::string& keyword);

// Applies `in` to `state` and returns its canonical form after expansion (what the cache key
// takes). Throws bale::Error with the reason (the caller adds FILE:LINE).
std::string apply_config_instruction(StageState& state, const Instruction& in, char escape);

// The error a HEALTHCHECK or SHELL gives whatever the stage holds (they read no variables),
// judged before anything is built, in every stage, as BuildKit's parser judges them; nullopt
// for any other instruction.
std::optional<std::string> config_instruction_error(const Instruction& in, char escape);

// "30s", "1m30s", "1.5h", "250ms" (Go's time.ParseDuration, without negatives) in nanoseconds.
long long parse_duration(const std::string& text);

// A shell-form command: SHELL's words plus the text; an exec-form one as written.
std::vector<std::string> command_of(const StageState& state, const Instruction& in,
                                    size_t first = 0);

}  // namespace bale::builder
