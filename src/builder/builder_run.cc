// RUN (see builder.h): the command (shell or exec form, heredocs), its environment, --network
// and --mount, the cache key over all of them, and the step itself through run_step.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "builder/builder.h"
#include "builder/builder_context.h"
#include "builder/copy.h"
#include "builder/instructions.h"
#include "builder/progress.h"
#include "builder/run_step.h"
#include "runtime/mounts.h"
#include "image/digest.h"

namespace bale::builder {

using nlohmann::json;

namespace {

// One --mount=... value: comma-separated key=value fields, as BuildKit reads them.
struct MountFlag {
  std::string type = "bind", source, target, from, id, sharing, size, mode;
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  bool read_only = true, read_only_given = false;
  std::string text;
};

MountFlag parse_mount(const std::string& text) {
  MountFlag m;
  m.text = text;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find(',', i);
    if (j == std::string::npos) j = text.size();
    std::string field = text.substr(i, j - i);
    i = j + 1;
    if (field.empty()) continue;
    auto eq = field.find('=');
    std::string k = field.substr(0, eq), v = eq == std::string::npos ? "" : field.substr(eq + 1);
    bool flag_true = eq == std::string::npos || v == "true";
    if (k == "type") m.type = v;
    else if (k == "source" || k == "src") m.source = v;
    else if (k == "target" || k == "dst" || k == "destination") m.target = v;
    else if (k == "from") m.from = v;
    else if (k == "id") m.id = v;
    else if (k == "sharing") m.sharing = v;
    else if (k == "size") m.size = v;
    else if (k == "mode") m.mode = v;
    else if (k == "uid") m.uid = static_cast<uid_t>(std::stoul(v));
    else if (k == "gid") m.gid = static_cast<gid_t>(std::stoul(v));
    else if (k == "readonly" || k == "ro") m.read_only = flag_true, m.read_only_given = true;
    else if (k == "rw" || k == "readwrite") m.read_only = !flag_true, m.read_only_given = true;
    else throw Error(fmt::format("--mount={}: unknown field {}", text, quote(k)));
  }
  if (m.type == "secret" || m.type == "ssh")
    throw Error(fmt::format("--mount=type={} is not supported yet", m.type));
  if (m.type != "bind" && m.type != "cache" && m.type != "tmpfs")
    throw Error(fmt::format("--mount={}: unknown type {} (bind, cache or tmpfs)", text, quote(m.type)));
  if (m.target.empty()) throw Error(fmt::format("--mount={}: a target is required", text));
  if (m.type == "cache" && !m.read_only_given) m.read_only = false;
  if (!m.sharing.empty() && m.sharing != "shared" && m.sharing != "private" && m.sharing != "locked")
    throw Error(fmt::format("--mount={}: sharing must be shared, private or locked", text));
  return m;
}

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

}  // namespace

void Builder::run(StageState& s, const Instruction& in) {
  progress_->begin(in.original, true);
  std::string network = req_.network;
  std::vector<MountFlag> mounts;
  try {
    for (const auto& f : in.flags) {
      if (f.rfind("--network=", 0) == 0) {
        network = expand(s, f.substr(10));
        if (network == "default") network = req_.network;
        if (network != "host" && network != "none")
          throw Error(fmt::format("--network={}: bale runs steps with host or none", network));
      } else if (f.rfind("--mount=", 0) == 0) {
        mounts.push_back(parse_mount(expand(s, f.substr(8))));
      } else if (f == "--security=sandbox") {
        continue;
      } else {
        throw Error(fmt::format("RUN: unknown flag {}", quote(f.substr(0, f.find('=')))));
      }
    }
  } catch (const Error& e) {
    fail(in, e.what());
  }
  std::optional<std::pair<std::string, std::string>> script;
  std::vector<std::string> argv = in.heredocs.empty() ? command_of(s, in)
                                                      : heredoc_command(s, in, script);
  if (argv.empty() || (argv.size() == 1 && argv[0].empty())) fail(in, "RUN needs a command");
  // ARGs are the step's environment too, below ENV (which wins); proxies from --build-arg
  // reach every step without being declared, and stay out of the cache key as in Docker.
  std::vector<std::string> env = s.env();
  json key_args = json::object();
  for (const auto& [k, v] : s.args) {
    key_args[k] = v;
    bool in_env = false;
    for (const auto& e : env) in_env |= e.compare(0, k.size() + 1, k + "=") == 0;
    if (!in_env) env.push_back(k + "=" + v);
  }
  for (const auto& [k, v] : req_.build_args)
    if (k.find("_PROXY") != std::string::npos || k.find("_proxy") != std::string::npos)
      if (!s.args.count(k)) env.push_back(k + "=" + v);

  // Bind sources are content: the key takes their digest, like COPY's.
  StepDir from_mounts = cache_.begin_step();
  std::vector<LayerView> views;
  std::vector<Tree> trees(mounts.size());
  json key_mounts = json::array();
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
      key_mounts.push_back(k);
    }
  } catch (const Error& e) {
    if (std::string(e.what()).rfind(plan_.file + ":", 0) == 0) throw;
    fail(in, e.what());
  }
  json key{{"op", "RUN"}, {"argv", argv}, {"env", s.env()}, {"args", key_args},
           {"user", s.user()}, {"workdir", s.workdir()}, {"network", network},
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
    spec.network_none = network == "none";
    if (script) {
      std::string file = scratch.write("heredoc-script", script->second, 0755);
      spec.mounts.push_back({RunMount::Type::kBind, file, argv[0], true, ""});
    }
    for (size_t i = 0; i < mounts.size(); i++) {
      const MountFlag& m = mounts[i];
      std::string target = clean_path(m.target[0] == '/' ? m.target : s.workdir() + "/" + m.target);
      if (m.type == "tmpfs") {
        spec.mounts.push_back({RunMount::Type::kTmpfs, "", target, false,
                               m.size.empty() ? "mode=1777" : "mode=1777,size=" + m.size});
      } else if (m.type == "cache") {
        std::string dir = cache_.cache_mount(image::sha256_hex(m.id.empty() ? target : m.id).substr(0, 24));
        if (list_dir(dir).empty()) {
          mode_t mode = m.mode.empty() ? 0755 : static_cast<mode_t>(std::stoul(m.mode, nullptr, 8));
          if (chown(dir.c_str(), m.uid.value_or(0), m.gid.value_or(0)) < 0 || chmod(dir.c_str(), mode) < 0)
            throw_sys("prepare cache mount", dir);
        }
        spec.mounts.push_back({RunMount::Type::kCache, dir, target, m.read_only, ""});
      } else {
        // A bind of the context (or of another stage) sees only what the build may see, and
        // writes (rw) go to a copy that is thrown away with the step.
        std::string src = clean_path("/" + (m.source.empty() ? std::string(".") : m.source));
        std::string rel = src == "/" ? "." : src.substr(1);
        bool direct = !trees[i].fd && context().rules().empty() && m.read_only;
        if (direct) {
          // Bound through the fd the check opened: a name swapped for a symlink after the
          // check cannot bring a host path in.
          UniqueFd src(open_source(context().source(rel), "RUN --mount"));
          spec.mounts.push_back({RunMount::Type::kBind, runtime::fd_path(src), target, true, ""});
          bound.push_back(std::move(src));
          continue;
        }
        std::string copy_root = scratch.mkdir(fmt::format("bind-{}", i), 0755);
        CopySource cs = trees[i].fd ? trees[i].at(rel) : context().source(rel);
        struct stat st;
        UniqueFd probe(open_source(cs, "RUN --mount"));
        bool is_dir = fstat(probe.get(), &st) == 0 && S_ISDIR(st.st_mode);
        if (trees[i].fd && is_dir) cs.below = list_tree(cs, "RUN --mount");
        copy_into(copy_root, copy_root, {cs}, is_dir ? "/" : "/" + basename_of(rel), {}, "RUN --mount");
        spec.mounts.push_back({RunMount::Type::kBind,
                               is_dir ? copy_root : copy_root + "/" + basename_of(rel), target,
                               m.read_only, ""});
      }
    }
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
  });
}

}  // namespace bale::builder
