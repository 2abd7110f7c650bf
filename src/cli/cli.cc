// From argv to a command: the hot path of `run`, the argument splits of `run` and `unit`, then
// CLI11 over the command table (command_table.cc) for everything else, and its messages.
#include "cli/cli.h"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "cli/command_table.h"
#include "cli/run_options.h"
#include "cmd/commands.h"

namespace bale::cli {

namespace {

// "bale CMD: message" and where to read more; the usage exit code.
int usage_error(const CLI::App& app, const CLI::ParseError& e) {
  std::string where;
  for (const CLI::App* sub = &app; sub;) {
    auto subs = sub->get_subcommands();
    if (subs.empty()) break;
    sub = subs.front();
    where += " " + sub->get_name();
  }
  std::fprintf(stderr, "bale%s: %s\n  see 'bale%s --help'\n", where.c_str(), e.what(),
               where.c_str());
  return kExitUsage;
}

int parse_and_run(int argc, char** argv, Parsed parsed) {
  CLI::App app{"bale: daemonless containers; images are one signed file", "bale"};
  app.require_subcommand(1);
  app.set_version_flag("--version", BALE_VERSION_TEXT);
  const CommandEntry* chosen = nullptr;
  for (int i = 1; i < argc && !chosen; i++) {
    if (argv[i][0] == '-') continue;
    chosen = find_command(argv[i]);
    if (!chosen && i == 1 && cmd::project_root_here()) {
      // Not one of bale's commands, in a project: one of the project's.
      cmd::ProjectOptions o;
      o.name = argv[1];
      o.args.assign(argv + 2, argv + argc);
      o.options_in_args = true;
      return cmd::project(o);
    }
    if (!chosen) {
      std::fprintf(stderr, "bale: unknown command %s\n  see 'bale --help'\n", quote(argv[i]).c_str());
      return kExitUsage;
    }
  }
  if (chosen)
    chosen->add(app, parsed);
  else  // --help, or no command at all
    for (const CommandEntry* c = kCommandTable; c->name; c++) c->add(app, parsed);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return usage_error(app, e);
  }
  return parsed.action();
}

// `unit [options] IMAGE [options] [--] [COMMAND...]`: run options may also follow IMAGE; the
// command starts at the first word after IMAGE that is not an option (or after "--"). The
// options (without IMAGE) are handed on, to be written before IMAGE in ExecStart.
int parse_unit(int argc, char** argv, int sub, int img) {
  int end = image_index(argc, argv, img);  // the first non-option after IMAGE
  int opts_end = end > 0 ? end : argc;
  if (opts_end > img + 1 && std::string(argv[opts_end - 1]) == "--") opts_end--;
  std::vector<char*> args(argv, argv + img + 1);
  Parsed parsed;
  parsed.run_args.assign(argv + sub + 1, argv + img);
  for (int i = img + 1; i < opts_end; i++) {
    args.push_back(argv[i]);
    parsed.run_args.push_back(argv[i]);
  }
  parsed.command.assign(argv + (end > 0 ? end : argc), argv + argc);
  return parse_and_run(static_cast<int>(args.size()), args.data(), std::move(parsed));
}

// `exec [options] CONTAINER COMMAND...`: options end at CONTAINER; the command is the rest.
int parse_exec(int argc, char** argv, int sub) {
  int target = first_operand(argc, argv, sub, [](std::string_view a) {
    for (const char* f : {"-e", "--env", "--env-file", "-w", "--workdir", "-u", "--user"})
      if (a == f) return true;
    return false;
  });
  if (target < 0) return parse_and_run(argc, argv, {});  // CLI11 says what is missing
  Parsed parsed;
  parsed.command.assign(argv + target + 1, argv + argc);
  return parse_and_run(target + 1, argv, std::move(parsed));
}

// `do [options] [NAME [ARG...]]`: options end at NAME; the command's arguments are the rest.
int parse_do(int argc, char** argv, int sub) {
  int target = first_operand(argc, argv, sub, [](std::string_view a) {
    for (const char* f : {"-e", "--env", "--only", "--exclude"})
      if (a == f) return true;
    return false;
  });
  if (target < 0) return parse_and_run(argc, argv, {});  // the list, --help, or CLI11's message
  Parsed parsed;
  parsed.command.assign(argv + target + 1, argv + argc);
  return parse_and_run(target + 1, argv, std::move(parsed));
}

}  // namespace

int run(int argc, char** argv) {
  // Started through an app's link: every argument is the app's, none is bale's.
  if (argc > 0) {
    std::string self = argv[0];
    self = self.substr(self.rfind('/') + 1);
    if (cmd::is_app_name(self)) return cmd::app_launch(self, std::vector<std::string>(argv + 1, argv + argc));
  }
  // A bare `bale` in a project lists its commands; elsewhere it says how to use bale.
  if (argc == 1) {
    if (cmd::project_root_here()) return cmd::project({});
    char help[] = "--help";
    char* args[] = {argv[0], help, nullptr};
    parse_and_run(2, args, {});
    return kExitUsage;
  }
  int sub = 1;
  while (sub < argc && argv[sub][0] == '-') sub++;
  std::string name = sub < argc ? argv[sub] : "";
  // `run` stops option parsing at IMAGE, so the command's own options stay its own. The usual
  // case is parsed without CLI11; anything unusual goes through CLI11 for its messages.
  if (name == "run") {
    if (auto fast = parse_run_fast(argc, argv, sub)) return cmd::run(*fast);
    int img = image_index(argc, argv, sub);
    if (img > 0) {
      Parsed parsed;
      parsed.command.assign(argv + img + 1, argv + argc);
      return parse_and_run(img + 1, argv, std::move(parsed));
    }
  }
  if (name == "exec") return parse_exec(argc, argv, sub);
  if (name == "do") return parse_do(argc, argv, sub);
  if (name == "unit") {
    int img = image_index(argc, argv, sub);
    if (img > 0) return parse_unit(argc, argv, sub, img);
  }
  return parse_and_run(argc, argv, {});
}

}  // namespace bale::cli
