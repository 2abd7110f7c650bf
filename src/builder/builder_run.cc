// RUN (see builder.h): the command (shell or exec form, heredocs), its environment, --network
// and --mount (prepared by run_mounts), the cache key over all of them, and the step itself
// through run_step.
#include <fcntl.h>

#include <cstdio>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "builder/builder.h"
#include "builder/builder_context.h"
#include "builder/copy.h"
#include "builder/instructions.h"
#include "builder/progress.h"
#include "builder/run_mounts.h"
#include "builder/run_step.h"
#include "image/digest.h"

namespace bale::builder {

using nlohmann::json;

namespace {

// The heredoc form of RUN: `RUN <<EOF` alone runs the body as the script (a file when it
// starts with #!); otherwise the heredocs are handed to the shell with the command line.
std::vector<std::string> heredoc_command(const StageState& s, const Instruction& in,
                                         std::optional<std::pair<std::string, std::string>>& script) {
  std::string cmd = in.args.empty() ? "" : in.args[0];
  auto first = cmd.find_first_not_of(" \t");
  auto last = cmd.find_last_not_of(" \t");
  std::string trimmed = first == std::string::npos ? "" : cmd.substr(first, last - first + 1);
  const Heredoc& h = in.heredocs[0];
  bool alone = in.heredocs.size() == 1 && trimmed.rfind("<<", 0) == 0 &&
               trimmed.find_first_of(" \t") == std::string::npos;
  if (alone) {
    if (h.content.rfind("#!", 0) == 0) {
      // The script keeps its heredoc's name where that is a plain file name (it is the
      // script's $0); the file bale writes for it has a name of bale's own.
      std::string name = is_plain_name(h.name) ? h.name : "script";
      script = std::pair{name, h.content};
      return {"/run/bale-heredoc/" + name};
    }
    std::vector<std::string> argv = s.shell;
    argv.push_back(h.content);
    return argv;
  }
  std::string text = cmd;
  for (const auto& d : in.heredocs) text += "\n" + d.content + d.name;
  std::vector<std::string> argv = s.shell;
  argv.push_back(text);
  return argv;
}

// ARGs are the step's environment too, below ENV (which wins); proxies from --build-arg reach
// every step without being declared, and stay out of the cache key as in Docker. The ARGs
// that key the step go to `key_args`.
std::vector<std::string> step_env(const StageState& s,
                                  const std::map<std::string, std::string>& build_args,
                                  json& key_args) {
  std::vector<std::string> env = s.env();
  for (const auto& [k, v] : s.args) {
    key_args[k] = v;
    bool in_env = false;
    for (const auto& e : env) in_env |= e.compare(0, k.size() + 1, k + "=") == 0;
    if (!in_env) env.push_back(k + "=" + v);
  }
  for (const auto& [k, v] : build_args)
    if (k.find("_PROXY") != std::string::npos || k.find("_proxy") != std::string::npos)
      if (!s.args.count(k)) env.push_back(k + "=" + v);
  return env;
}

}  // namespace

struct Builder::RunFlags {
  std::string network;
  std::vector<MountFlag> mounts;
};

// --network and --mount, expanded; an unknown flag is an error.
Builder::RunFlags Builder::run_flags(const StageState& s, const Instruction& in) {
  RunFlags flags{req_.network, {}};
  try {
    for (const Flag& f : in.flags) {
      if (f.name == "network" && f.value) {
        flags.network = expand(s, *f.value);
        if (flags.network == "default") flags.network = req_.network;
        if (flags.network != "host" && flags.network != "none")
          throw Error(fmt::format("--network={}: bale runs steps with host or none", flags.network));
      } else if (f.name == "mount" && f.value) {
        flags.mounts.push_back(parse_mount(expand(s, *f.value)));
      } else if (f.name == "security" && f.value == "sandbox") {
        continue;
      } else {
        throw Error(fmt::format("RUN: unknown flag {}", quote("--" + f.name)));
      }
    }
  } catch (const Error& e) {
    fail(in, e.what());
  }
  return flags;
}

// The mounts' part of the cache key: bind sources are content, and the key takes their digest
// as COPY's does. A --from tree is mounted below `from_mounts` into trees[i].
json Builder::mount_keys(const Instruction& in, const std::vector<MountFlag>& mounts,
                         std::vector<Tree>& trees, StepDir& from_mounts,
                         std::vector<LayerView>& views) {
  json keys = json::array();
  try {
    for (size_t i = 0; i < mounts.size(); i++) {
      const MountFlag& m = mounts[i];
      json k{{"spec", m.text}};
      if (m.type == "bind" && !m.from.empty()) {
        trees[i] = from_tree(in, m.from, from_mounts, views);
        k["from"] = trees[i].key;
      } else if (m.type == "bind") {
        std::string src = clean_path(m.source.empty() ? "." : m.source);
        if (src == ".." || src.rfind("../", 0) == 0 || src.rfind("/..", 0) == 0)
          throw Error(fmt::format("--mount source {} leaves the build context", quote(m.source)));
        k["content"] = hash_source(context().source(src[0] == '/' ? src.substr(1).empty() ? "." : src.substr(1) : src), "RUN --mount");
      }
      keys.push_back(k);
    }
  } catch (const Error& e) {
    if (std::string(e.what()).rfind(plan_.file + ":", 0) == 0) throw;
    fail(in, e.what());
  }
  return keys;
}

// Runs the step; when quiet its output is kept aside and shown only if it fails. A failing
// command is the build's error, with the command's own exit code.
void Builder::run_spec(const Instruction& in, RunSpec& spec, StepDir& step) {
  std::string log_path = step.path() + "/log";
  UniqueFd log;
  if (progress_->quiet()) {
    log = open_file(log_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    spec.output_fd = log.get();
  }
  RunOutcome out = run_step(spec);
  step.drop_if_unchanged(out.restored_dirs);
  if (out.exit_code == 0) return;
  if (log) std::fputs(read_file(log_path).c_str(), stderr);
  std::string shown = in.original.size() > 200 ? in.original.substr(0, 197) + "..." : in.original;
  std::string why = out.error.empty() ? fmt::format("exit code {}", out.exit_code) : out.error;
  throw Error(fmt::format("{}:{}: {}: {}", plan_.file, in.start_line, shown, why), 0,
              out.exit_code);
}

void Builder::run(StageState& s, const Instruction& in) {
  progress_->begin(in.original, true);
  RunFlags flags = run_flags(s, in);
  std::optional<std::pair<std::string, std::string>> script;
  std::vector<std::string> argv = in.heredocs.empty() ? command_of(s, in)
                                                      : heredoc_command(s, in, script);
  if (argv.empty() || (argv.size() == 1 && argv[0].empty())) fail(in, "RUN needs a command");
  json key_args = json::object();
  std::vector<std::string> env = step_env(s, req_.build_args, key_args);
  StepDir from_mounts = cache_.begin_step();
  std::vector<LayerView> views;
  std::vector<Tree> trees(flags.mounts.size());
  json key_mounts = mount_keys(in, flags.mounts, trees, from_mounts, views);
  json key{{"op", "RUN"}, {"argv", argv}, {"env", s.env()}, {"args", key_args},
           {"user", s.user()}, {"workdir", s.workdir()}, {"network", flags.network},
           {"mounts", key_mounts}};
  if (script) key["script"] = script->second;
  s.key = image::sha256_hex(s.key + "\n" + key.dump());

  fs_step(s, s.key, [&](const std::string& root, StepDir& step) {
    RunSpec spec;
    spec.root = root;
    ScratchDir scratch(step.path() + "/scratch");
    std::vector<UniqueFd> bound;  // sources of direct binds, open until the step has run
    spec.scratch = scratch.path();
    spec.argv = argv;
    spec.env = env;
    spec.user = s.user();
    spec.workdir = s.workdir();
    spec.network_none = flags.network == "none";
    if (script) {
      std::string file = scratch.write("heredoc-script", script->second, 0755);
      spec.mounts.push_back({RunMount::Type::kBind, file, argv[0], true, ""});
    }
    for (size_t i = 0; i < flags.mounts.size(); i++) {
      const MountFlag& m = flags.mounts[i];
      std::string target = clean_path(m.target[0] == '/' ? m.target : s.workdir() + "/" + m.target);
      if (m.type == "tmpfs") {
        spec.mounts.push_back(tmpfs_mount(m, target));
      } else if (m.type == "cache") {
        spec.mounts.push_back(cache_mount(m, target, cache_));
      } else {
        std::optional<CopySource> tree;
        if (trees[i].fd) tree = trees[i].at(".");
        spec.mounts.push_back(bind_mount(m, target, context(), tree, scratch, i, bound));
      }
    }
    run_spec(in, spec, step);
  });
}

}  // namespace bale::builder
