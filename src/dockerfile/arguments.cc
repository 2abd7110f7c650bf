// One small parser per argument shape; the table maps each instruction to its shape.
#include "dockerfile/arguments.h"

#include <string>

#include "base/error.h"
#include "dockerfile/json_array.h"
#include "dockerfile/text.h"
#include "dockerfile/words.h"

namespace bale::dockerfile {
namespace {

using ArgParser = void (*)(Instruction*, std::string_view rest, char escape);

// The exec form: true when `rest` is a JSON array of strings (then stored as the arguments),
// false when it is no JSON at all (the caller's fallback applies); any other JSON is an error.
bool exec_form(Instruction* inst, std::string_view rest) {
  switch (parse_json_array(rest, &inst->args)) {
    case JsonArray::kStrings:
      inst->json_form = true;
      return true;
    case JsonArray::kNotStrings:
      throw Error("when using JSON array syntax, arrays must be comprised of strings only");
    case JsonArray::kNotJson:
      break;
  }
  return false;
}

// RUN, CMD, ENTRYPOINT, SHELL: a JSON array of strings, else the whole text as one string.
void exec_or_shell(Instruction* inst, std::string_view rest, char) {
  if (!rest.empty() && !exec_form(inst, rest)) inst->args = {std::string(rest)};
}

// FROM, EXPOSE: words separated by blanks.
void words(Instruction* inst, std::string_view rest, char) {
  if (!rest.empty()) inst->args = split_words(rest);
}

// COPY, ADD, VOLUME: a JSON array of strings, else words.
void exec_or_words(Instruction* inst, std::string_view rest, char escape) {
  if (!exec_form(inst, rest)) words(inst, rest, escape);
}

// MAINTAINER, STOPSIGNAL, USER, WORKDIR: the text as it is.
void one_string(Instruction* inst, std::string_view rest, char) {
  if (!rest.empty()) inst->args = {std::string(rest)};
}

// ARG: each word as written, `name` or `name=value`.
void arg_words(Instruction* inst, std::string_view rest, char escape) {
  inst->args = split_quoted_words(rest, escape);
}

// ENV, LABEL: `k=v k2=v2`, or the legacy `k v` where the value is the rest of the line. The
// first word decides: no '=' in it means the legacy form.
void name_values(Instruction* inst, std::string_view rest, char escape) {
  auto list = split_quoted_words(rest, escape);
  if (list.empty()) return;
  std::string upper = inst->keyword == "env" ? "ENV" : "LABEL";
  if (list[0].find('=') == std::string::npos) {
    auto parts = split_words(rest, 2);
    if (parts.size() < 2) throw Error(upper + " must have two arguments");
    inst->args = {parts[0], parts[1], ""};
    return;
  }
  for (const auto& w : list) {
    size_t eq = w.find('=');
    if (eq == std::string::npos)
      throw Error("Syntax error - can't find = in " + quote(w) +
                  ". Must be of the form: name=value");
    inst->args.insert(inst->args.end(), {w.substr(0, eq), w.substr(eq + 1), "="});
  }
}

bool is_ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// HEALTHCHECK: the first word is the type (CMD, NONE); a command after it is read as RUN's.
void health(Instruction* inst, std::string_view rest, char escape) {
  size_t sep = 0;
  while (sep < rest.size() && !is_ascii_space(rest[sep])) sep++;
  if (sep == 0) return;
  size_t next = sep;
  while (next < rest.size() && is_ascii_space(rest[next])) next++;
  exec_or_shell(inst, rest.substr(next), escape);
  inst->args.insert(inst->args.begin(), std::string(rest.substr(0, sep)));
}

struct Shape {
  std::string_view keyword;
  ArgParser parse;
};

constexpr Shape kShapes[] = {
    {"add", exec_or_words},
    {"arg", arg_words},
    {"cmd", exec_or_shell},
    {"copy", exec_or_words},
    {"entrypoint", exec_or_shell},
    {"env", name_values},
    {"expose", words},
    {"from", words},
    {"healthcheck", health},
    {"label", name_values},
    {"maintainer", one_string},
    {"onbuild", nullptr},
    {"run", exec_or_shell},
    {"shell", exec_or_shell},
    {"stopsignal", one_string},
    {"user", one_string},
    {"volume", exec_or_words},
    {"workdir", one_string},
};

const Shape* shape_of(std::string_view keyword) {
  for (const Shape& s : kShapes)
    if (s.keyword == keyword) return &s;
  return nullptr;
}

}  // namespace

bool is_known_instruction(std::string_view keyword) { return shape_of(keyword) != nullptr; }

void parse_arguments(Instruction* inst, std::string_view rest, char escape) {
  const Shape* s = shape_of(inst->keyword);
  if (s && s->parse) s->parse(inst, rest, escape);
}

}  // namespace bale::dockerfile
