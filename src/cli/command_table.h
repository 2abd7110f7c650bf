// The subcommands as CLI11 sees them: each entry registers one command's options and help, and
// sets the action that runs it. Only the command being run is registered (all of them for help
// or a typo): building the whole table costs a warm `bale run` a measurable part of its start.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace bale::cli {

struct Parsed {
  std::function<int()> action;        // set by the chosen command's callback
  std::vector<std::string> command;   // run, unit: the words after IMAGE
  std::vector<std::string> run_args;  // unit: the run options as given, for ExecStart
  std::vector<std::shared_ptr<void>> keep;  // the options CLI11 writes into, alive until run
};

struct CommandEntry {
  const char* name;
  void (*add)(CLI::App& app, Parsed& p);
};

// Every command, in `bale --help` order, terminated by an entry whose name is nullptr.
extern const CommandEntry kCommandTable[];

// The entry named `name`, or nullptr.
const CommandEntry* find_command(std::string_view name);

}  // namespace bale::cli
