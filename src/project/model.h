// The typed model of bale.yaml: containers (how each is made and how it runs) and commands
// (what runs in which container, or which commands run side by side under supervision).
// Made by parse_project (parse.h) from the checked file; no field here is unvalidated.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "project/tree.h"

namespace bale::project {

struct Volume {
  enum class Kind { kTmpfs, kBind, kPersistent, kCache };
  Kind kind = Kind::kTmpfs;
  std::string target;   // absolute path in the container
  std::string source;   // kBind: the path relative to the project root; kPersistent/kCache: the name
  bool read_only = false;  // kBind
  std::string size, mode;  // kTmpfs: tmpfs's size= and mode= ("" for its defaults)
  Where where;
};

struct Container {
  std::string name;
  // Exactly one of: a Dockerfile path (relative to the project root), inline Dockerfile text,
  // or an existing image (a store name, path or URL).
  std::string dockerfile, build, image;
  std::string context = ".";  // relative to the project root
  std::map<std::string, std::string> build_args;
  std::vector<std::pair<std::string, std::string>> environ;  // run time only, in file order
  std::vector<Volume> volumes;
  std::string work_dir;  // "" : the caller's directory under /work
  Where where;
};

enum class SuperviseMode { kStopOnFailure, kWaitAllSuccessful, kRestart };

struct Supervise {
  SuperviseMode mode = SuperviseMode::kStopOnFailure;
  std::vector<std::string> children;  // command names
  double grace_seconds = 5;  // between SIGTERM and SIGKILL when the group stops
};

struct Command {
  std::string name, description;
  std::string container;
  // `run` as a list is exec'd with the extra arguments appended; as a string it goes to
  // /bin/sh -c, and extra arguments are refused unless accepts_arguments (then they are "$@").
  std::vector<std::string> run_list;
  std::optional<std::string> run_shell;
  bool accepts_arguments = false;
  std::vector<std::pair<std::string, std::string>> environ;
  std::vector<Volume> volumes;
  std::string work_dir, user;
  std::vector<std::string> prerequisites;
  std::optional<Supervise> supervise;  // set: a supervise command (no container, no run)
  Where where;
};

struct Project {
  std::string root;  // absolute path of the directory that holds bale.yaml
  std::map<std::string, Container> containers;
  std::map<std::string, Command> commands;
};

}  // namespace bale::project
