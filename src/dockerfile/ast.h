// What a parsed Dockerfile is: its parser directives and its instructions, each with the
// arguments split the way BuildKit's parser splits them. Nothing is expanded or validated
// beyond syntax here; the executor gives the arguments their meaning.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bale::dockerfile {

// A here-document (`<<EOF` ... `EOF`) attached to RUN, COPY or ADD.
struct Heredoc {
  std::string name;     // the delimiter word, quotes removed
  std::string content;  // every line up to the delimiter, newlines kept; tabs stripped if chomp
  bool expand = true;   // false when the delimiter was quoted: no variable expansion inside
  bool chomp = false;   // `<<-`: leading tabs are stripped from each line and the delimiter
  int fd = 0;           // N in `N<<EOF`; 0 when absent
};

// One `--name[=value]` word before an instruction's arguments, quotes removed, split once at
// its first '=' (dockerfile/flags.h); the executor reads flags by name.
struct Flag {
  std::string name;                  // without the leading "--": "from", "mount"
  std::optional<std::string> value;  // none for a bare `--link`; "" for `--link=`
  // The word as written (quotes removed), for dumps and messages: "--from=build".
  std::string text() const { return "--" + name + (value ? "=" + *value : ""); }
};

struct Instruction {
  std::string keyword;      // lower-case: "run", "copy", ...
  std::vector<Flag> flags;  // in the order written
  // Exec (JSON) form: one element each. Shell form of RUN/CMD/ENTRYPOINT/SHELL/HEALTHCHECK CMD:
  // the whole remaining text as one string. ENV/LABEL: triples (key, raw value, "=") for
  // `k=v` words or (key, rest of line, "") for the legacy `ENV k v`. ARG: `k=v` words as
  // written. FROM/EXPOSE/COPY/ADD/VOLUME shell form: whitespace-separated words.
  // HEALTHCHECK: the type ("CMD", "NONE") first, then the command as above.
  std::vector<std::string> args;
  bool json_form = false;  // args came from a JSON array
  std::vector<Heredoc> heredocs;
  int start_line = 0, end_line = 0;      // 1-based, inclusive; end_line covers heredoc bodies
  std::string original;                  // the instruction after joining continuation lines
  std::unique_ptr<Instruction> onbuild;  // ONBUILD's trigger instruction; null otherwise
};

// `# name=value` lines before the first instruction.
struct Directives {
  char escape = '\\';  // `# escape=`: the escape and line-continuation character, \ or `
  std::string syntax;  // `# syntax=`: recorded, never acted on (no frontend images here)
  std::string check;   // `# check=`: the build-check configuration, as written
};

struct Warning {
  int line = 0;
  std::string message;
};

struct Dockerfile {
  Directives directives;
  std::vector<Instruction> instructions;
  std::vector<Warning> warnings;  // accepted but discouraged, e.g. empty continuation lines
};

}  // namespace bale::dockerfile
