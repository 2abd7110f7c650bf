// The executor's core: stages, ARG scoping, config instructions, WORKDIR and the cached
// filesystem step (see builder.h). RUN is in builder_run.cc, COPY/ADD in builder_copy.cc.
#include "builder/builder.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "builder/builder_context.h"
#include "builder/instructions.h"
#include "dockerfile/flags.h"
#include "dockerfile/parser.h"
#include "builder/progress.h"
#include "builder/run_step.h"
#include "image/config.h"
#include "image/digest.h"
#include "runtime/exec.h"
#include "runtime/mounts.h"
#include "runtime/user.h"
#include "store/acquire.h"
#include "store/names.h"
#include "trust/keystore.h"

namespace bale::builder {

using nlohmann::json;

namespace {

std::string chain(const std::string& parent, const std::string& what) {
  return image::sha256_hex(parent + "\n" + what);
}

// Part of the first key of every stage: raised when what a step writes changes for the same
// inputs (a fix to COPY or ADD), so entries of older builds are not handed out as if they were
// what this bale writes. 2: COPY --chmod keeps special bits, COPY writes through dangling
// links, ADD URL takes Last-Modified (session 5).
constexpr const char* kCacheFormat = "bale-cache-2";

// Platform ARGs BuildKit defines in the global scope; bale builds for the machine it runs on.
std::map<std::string, std::string> platform_args() {
  std::string arch = image::goarch(), platform = "linux/" + arch;
  return {{"TARGETPLATFORM", platform}, {"TARGETOS", "linux"}, {"TARGETARCH", arch},
          {"TARGETVARIANT", ""},        {"BUILDPLATFORM", platform}, {"BUILDOS", "linux"},
          {"BUILDARCH", arch},          {"BUILDVARIANT", ""}};
}

bool is_proxy_arg(const std::string& name) {
  static const char* names[] = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
                                "FTP_PROXY",  "ftp_proxy",  "NO_PROXY",    "no_proxy",
                                "ALL_PROXY",  "all_proxy"};
  for (const char* n : names)
    if (name == n) return true;
  return false;
}

Vars map_lookup(const std::map<std::string, std::string>& m) { return map_vars(m); }

}  // namespace

Builder::Builder(BuildRequest req, store::Store& store, BuildCache& cache)
    : req_(std::move(req)), store_(store), cache_(cache),
      progress_(std::make_unique<Progress>(req_.quiet, req_.quiet_if_cached)) {
  dockerfile_ = parse_dockerfile_file(req_.dockerfile);
  plan_ = make_plan(dockerfile_, req_.dockerfile);
  for (const auto& [k, v] : platform_args()) global_args_[k] = v;
  for (const auto& k : {"TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
                        "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT"})
    if (req_.build_args.count(k)) consumed_args_.insert(k);
  StageState globals;
  for (const Instruction* in : plan_.global_args) declare_args(globals, *in, true);
}

Builder::~Builder() = default;

void Builder::fail(const Instruction& in, const std::string& message) const {
  fail_at(plan_, in, message);
}

std::string Builder::expand(const StageState& s, const std::string& word) const {
  return expand_word(word, s.vars(), escape());
}

// `ARG name[=default]`: the value is the --build-arg if given, else the default, else (in a
// stage) the global ARG's value. A global ARG is seen by FROM lines only, unless re-declared.
void Builder::declare_args(StageState& s, const Instruction& in, bool global) {
  if (in.args.empty()) fail(in, "ARG needs a name: ARG NAME[=DEFAULT]");
  for (const auto& word : in.args) {
    auto eq = word.find('=');
    std::string name = word.substr(0, eq);
    if (name.empty()) fail(in, fmt::format("ARG {}: empty name", quote(word)));
    std::optional<std::string> value;
    if (eq != std::string::npos) {
      try {
        value = global ? expand_word(word.substr(eq + 1), map_lookup(global_args_), escape())
                       : expand(s, word.substr(eq + 1));
      } catch (const Error& e) {
        fail(in, e.what());
      }
    } else if (!global && global_args_.count(name)) {
      value = global_args_[name];
    }
    if (auto it = req_.build_args.find(name); it != req_.build_args.end()) {
      value = it->second;
      consumed_args_.insert(name);
    }
    // `ARG NAME` without a value leaves a value already in scope (inherited from a parent
    // stage, or declared earlier) as it is, as BuildKit does.
    if (global) {
      if (value) global_args_[name] = *value;
    } else if (value) {
      s.args[name] = *value;
    }
  }
}

BuildContext& Builder::context() {
  if (!context_) context_ = std::make_unique<BuildContext>(req_.context, req_.dockerfile);
  return *context_;
}

namespace {

// The stage or image a flag takes content from: COPY --from=REF, RUN --mount=...,from=REF.
std::optional<std::string> from_ref(const Flag& f) {
  if (f.name == "from") return f.value;
  if (f.name != "mount" || !f.value) return std::nullopt;
  for (const auto& field : split_flag_fields(*f.value))
    if (field.key == "from" && field.value) return field.value;
  return std::nullopt;
}

// An instruction whose arguments are wrong whatever the variables hold (the same messages as
// the steps themselves give when they run).
std::optional<std::string> shape_error(const Instruction& in, char escape) {
  const std::string& k = in.keyword;
  if ((k == "env" || k == "label") && in.args.empty())
    return fmt::format("{} needs at least one KEY=VALUE", k == "env" ? "ENV" : "LABEL");
  if (k == "arg" && in.args.empty()) return "ARG needs a name: ARG NAME[=DEFAULT]";
  if ((k == "copy" || k == "add") && in.args.size() < 2)
    return fmt::format("{} needs at least one source and a destination", k == "add" ? "ADD" : "COPY");
  if (k == "workdir" && in.args.size() != 1) return "WORKDIR takes one path";
  if (k == "user" && in.args.size() != 1) return "USER takes one argument: USER user[:group]";
  if (k == "stopsignal" && in.args.size() != 1) return "STOPSIGNAL takes one signal";
  if (k == "volume" && in.args.empty()) return "VOLUME needs at least one path";
  return config_instruction_error(in, escape);
}

}  // namespace

std::set<size_t> Builder::needed_stages(size_t target) const {
  // Found by following FROM and --from references (expanded with the global ARGs, as far as
  // they go).
  std::set<size_t> needed;
  std::vector<size_t> todo{target};
  Vars globals = map_lookup(global_args_);
  auto ref_of = [&](const std::string& text) -> std::optional<size_t> {
    try {
      return find_stage(plan_, expand_word(text, globals, escape()), plan_.stages.size());
    } catch (const Error&) {
      return std::nullopt;
    }
  };
  while (!todo.empty()) {
    size_t i = todo.back();
    todo.pop_back();
    if (!needed.insert(i).second) continue;
    const Stage& st = plan_.stages[i];
    if (auto j = ref_of(st.from->args[0]); j && *j < i) todo.push_back(*j);
    for (const Instruction* in : st.body)
      for (const Flag& f : in->flags)
        if (auto ref = from_ref(f))
          if (auto j = ref_of(*ref)) todo.push_back(*j);
  }
  return needed;
}

void Builder::count_steps() {
  size_t target = plan_.stages.size() - 1;
  if (req_.target) {
    auto t = find_stage(plan_, *req_.target, plan_.stages.size());
    if (!t)
      throw Error(fmt::format("--target {}: no stage of that name in {}", quote(*req_.target),
                              plan_.file));
    target = *t;
  }
  // Every instruction of every stage the target needs, and the ONBUILD triggers a stage base
  // runs (an image base's are counted when it is read).
  size_t total = 0;
  Vars globals = map_lookup(global_args_);
  for (size_t i : needed_stages(target)) {
    total += 1 + plan_.stages[i].body.size();
    std::optional<size_t> base;
    try {
      base = find_stage(plan_, expand_word(plan_.stages[i].from->args[0], globals, escape()), i);
    } catch (const Error&) {
    }
    if (base)
      for (const Instruction* in : plan_.stages[*base].body) total += in->keyword == "onbuild";
  }
  progress_->set_total(total);
  // What can be judged without running anything is judged before the first step runs, in every
  // stage, needed or not, as BuildKit's parser does: a bare ENV on line 40 must not cost the 39
  // steps before it.
  for (const Stage& st : plan_.stages)
    for (const Instruction* in : st.body)
      if (auto why = shape_error(*in, escape())) fail(*in, *why);
}

const StageState& Builder::build() {
  count_steps();
  size_t target = plan_.stages.size() - 1;
  if (req_.target) target = *find_stage(plan_, *req_.target, plan_.stages.size());
  stage(target);
  StageState& final_state = *done_[target];
  for (const auto& [k, v] : req_.labels) final_state.c()["Labels"][k] = v;
  return final_state;
}

std::vector<std::string> Builder::warnings() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : req_.build_args)
    if (!consumed_args_.count(k) && !is_proxy_arg(k))
      out.push_back(fmt::format("build arg {} was not consumed by any ARG", quote(k)));
  return out;
}

const StageState& Builder::stage(size_t index) {
  if (auto it = done_.find(index); it != done_.end()) return *it->second;
  const Stage& st = plan_.stages[index];
  if (!in_progress_.insert(index).second)
    fail(current_ ? *current_ : *st.from,
         fmt::format("stage {} depends on itself (a cycle of --from references)",
                     st.name.empty() ? std::to_string(index) : quote(st.name)));
  const Instruction* outer = current_;  // a stage built for a --from comes back here
  Progress::Step outer_step = progress_->suspend();
  // BuildKit's names: the stage's own, or stage-INDEX; none when there is one stage.
  progress_->set_stage(plan_.stages.size() < 2 ? ""
                       : st.name.empty()      ? fmt::format("stage-{}", index)
                                              : st.name);
  current_ = st.from;
  auto state = std::make_unique<StageState>(start_stage(st));
  for (const Instruction* in : st.body) {
    current_ = in;
    check_interrupted();
    run_instruction(*state, *in);
  }
  current_ = outer;
  progress_->resume(std::move(outer_step));
  in_progress_.erase(index);
  return *(done_[index] = std::move(state));
}

namespace {

// BuildKit gives every stage the default PATH in its config when its base sets none (FROM
// scratch included), so that a run of the image finds its programs.
void with_default_path(json& config) {
  json& env = config["config"]["Env"];
  if (!env.is_array()) env = json::array();
  for (const auto& e : env)
    if (e.is_string() && e.get<std::string>().rfind("PATH=", 0) == 0) return;
  env.push_back(std::string("PATH=") + runtime::kDefaultPath);
}

}  // namespace

// The FROM line's image or stage name, expanded, with its flags checked.
std::string Builder::base_name(const Stage& st) {
  const Instruction& from = *st.from;
  std::string ref;
  try {
    ref = expand_word(from.args[0], map_lookup(global_args_), escape());
    for (const Flag& f : from.flags) {
      if (f.name != "platform" || !f.value) fail(from, fmt::format("FROM: unknown flag {}", quote(f.text())));
      std::string p = expand_word(*f.value, map_lookup(global_args_), escape());
      if (p != global_args_["TARGETPLATFORM"] && p != "linux/" + image::goarch())
        fail(from, fmt::format("FROM --platform={}: bale builds for this machine's platform ({}) only",
                               p, global_args_["TARGETPLATFORM"]));
    }
  } catch (const Error& e) {
    if (std::string(e.what()).find(plan_.file + ":") == 0) throw;
    fail(from, e.what());
  }
  if (ref.empty()) fail(from, "FROM: the image name is empty (an unset ARG?)");
  return ref;
}

StageState Builder::start_stage(const Stage& st) {
  std::string ref = base_name(st);
  StageState s;
  std::string shown = "FROM " + ref + (st.name.empty() ? "" : " AS " + st.name);
  if (ref == "scratch") {
    progress_->begin(shown);
    s.config = image::new_config();
    with_default_path(s.config);
    s.c()["WorkingDir"] = "/";  // as BuildKit's empty image has it
    s.key = chain(kCacheFormat, "scratch");
    return s;
  }
  if (auto j = find_stage(plan_, ref, st.index)) {
    const StageState& base = stage(*j);
    progress_->begin(shown);
    s.key = base.key;
    s.lowers = base.lowers;
    s.base_image = base.base_image;
    s.config = base.config;
    s.shell = base.shell;
    s.args = base.args;  // "Arguments and variables are inherited from parent stages"
    onbuild_triggers(s, st);  // BuildKit treats a stage base as it treats an image base
    return s;
  }
  progress_->begin(shown);
  return from_image(st, ref);
}

// A base from the store, or pulled from a registry when the store lacks it and `ref` is a
// registry reference (req_.pull_remote).
store::ReadyImage Builder::acquire_base(const std::string& path, const std::string& ref) {
  try {
    return store::acquire(path, store_, trust::TrustPaths::defaults(), store::AcquireOptions::for_build());
  } catch (const Error& e) {
    std::optional<std::string> pulled = req_.pull_remote ? req_.pull_remote(ref, e.err()) : std::nullopt;
    if (!pulled) throw;
    return store::acquire(*pulled, store_, trust::TrustPaths::defaults(), store::AcquireOptions::for_build());
  }
}

// A stage over an image: a path (relative to the context) or a name in the store, verified.
StageState Builder::from_image(const Stage& st, const std::string& ref) {
  const Instruction& from = *st.from;
  StageState s;
  std::string path = ref;
  if (ref.find('/') != std::string::npos && ref[0] != '/') path = req_.context + "/" + ref;
  store::ReadyImage img;
  try {
    img = acquire_base(ref.find('/') != std::string::npos ? path : ref, ref);
  } catch (const Error& e) {
    Error out(fmt::format("{}:{}: FROM {}: {}", plan_.file, from.start_line, ref, e.what()), e.err(),
              kExitFailed);
    std::string how = ref.rfind("debian", 0) == 0
                          ? fmt::format("`bale bootstrap {}`, ", ref.find(':') == std::string::npos ? "debian:bookworm" : ref)
                          : "";
    throw out.with_hint(e.err() == ENOENT
                            ? fmt::format("pull it (`bale pull REF`; a FROM that names its "
                                          "registry, docker.io/library/{}, is pulled itself), make "
                                          "it with {}`bale pack DIR -t {}` or `bale import FILE -t "
                                          "{}`, or give the path of an image file",
                                          ref, how, ref, ref)
                            : e.hint());
  }
  held_images_.push_back(std::move(img.in_use));
  s.lowers = {img.rootfs};
  s.base_image = img.path;
  s.config = img.config.empty() ? image::new_config()
                                : image::sanitize_config(image::parse_config(img.config, ref), ref);
  if (!s.config.contains("config") || !s.config["config"].is_object()) s.config["config"] = json::object();
  with_default_path(s.config);
  if (s.c().contains("Shell") && !s.c()["Shell"].empty())
    s.shell = s.c()["Shell"].get<std::vector<std::string>>();  // the base's SHELL is the default
  s.key = chain(kCacheFormat, "image " + img.digest);
  onbuild_triggers(s, st);
  return s;
}

// A base image's ONBUILD triggers run first, as if written right after FROM; the new image
// does not inherit them.
void Builder::onbuild_triggers(StageState& s, const Stage& st) {
  if (!s.c().contains("OnBuild")) return;
  json triggers = s.c()["OnBuild"];
  s.c().erase("OnBuild");
  if (!triggers.is_array()) return;
  for (const auto& t : triggers) {
    if (!t.is_string()) continue;
    std::string text = t.get<std::string>();
    Dockerfile df;
    try {
      df = parse_dockerfile(text + "\n", "ONBUILD trigger");
    } catch (const Error& e) {
      fail(*st.from, fmt::format("the base image's ONBUILD trigger {}: {}", quote(text), e.what()));
    }
    for (const auto& in : df.instructions) {
      if (in.keyword == "from" || in.keyword == "onbuild")
        fail(*st.from, fmt::format("the base image's ONBUILD trigger {} is not allowed", quote(text)));
      Instruction copy;
      copy.keyword = in.keyword;
      copy.flags = in.flags;
      copy.args = in.args;
      copy.json_form = in.json_form;
      copy.heredocs = in.heredocs;
      copy.original = in.original;
      copy.start_line = st.from->start_line;
      copy.end_line = st.from->end_line;
      auto keep = std::make_unique<Instruction>(std::move(copy));
      run_instruction(s, *keep);
      onbuild_kept_.push_back(std::move(keep));
    }
  }
}

void Builder::run_instruction(StageState& s, const Instruction& in) {
  const std::string& k = in.keyword;
  if (k == "run") return run(s, in);
  if (k == "copy" || k == "add") return copy(s, in);
  progress_->begin(in.original, k == "workdir");
  if (k == "arg") return declare_args(s, in, false);
  if (k == "workdir") return workdir(s, in);
  if (k == "from") fail(in, "FROM inside a stage");  // make_plan splits stages at FROM
  if (!is_config_instruction(k)) fail(in, fmt::format("unknown instruction {}", quote(in.keyword)));
  std::string what;
  try {
    what = apply_config_instruction(s, in, escape());
  } catch (const Error& e) {
    fail(in, e.what());
  }
  s.key = chain(s.key, what);
}

void Builder::workdir(StageState& s, const Instruction& in) {
  if (in.args.size() != 1) fail(in, "WORKDIR takes one path");
  std::string dir;
  try {
    dir = expand(s, in.args[0]);
  } catch (const Error& e) {
    fail(in, e.what());
  }
  if (dir.empty()) fail(in, "WORKDIR: empty path");
  if (dir[0] != '/') dir = s.workdir() + "/" + dir;
  dir = clean_path(dir);
  s.c()["WorkingDir"] = dir;
  std::string user = s.user();
  s.key = chain(s.key, fmt::format("WORKDIR {} {}", json(dir).dump(), json(user).dump()));
  fs_step(s, s.key, [&](const std::string& root, StepDir&) {
    UniqueFd root_fd(open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root_fd) throw_sys("open", root);
    std::vector<std::string> created;
    runtime::mountpoint_in_root(root_fd.get(), dir, false, &created);
    if (user.empty() || created.empty()) return;
    // A directory WORKDIR creates belongs to the stage's USER with COPY --chown's rules, as in
    // BuildKit (USER 4242 not in passwd: 4242:4242, where a RUN would run as 4242:0).
    auto read = [&](const char* f) {
      UniqueFd fd(open_in_root(root_fd.get(), f, O_RDONLY));
      return fd ? read_file(runtime::fd_path(fd)) : std::string();
    };
    runtime::ResolvedUser u = runtime::resolve_owner(user, read("/etc/passwd"), read("/etc/group"));
    for (const auto& c : created) {
      UniqueFd fd(open_in_root(root_fd.get(), c, O_PATH));
      if (fd && fchownat(fd.get(), "", u.uid, u.gid, AT_EMPTY_PATH) < 0) throw_sys("chown", c);
    }
  });
}

void Builder::fs_step(StageState& s, const std::string& key, const Work& work, bool writable) {
  std::optional<std::string> hit = req_.no_cache ? std::nullopt : cache_.lookup(key);
  if (hit) {
    progress_->cached();
    if (!hit->empty()) s.lowers.push_back(*hit);
    return;
  }
  progress_->started();
  StepDir step = cache_.begin_step();
  {
    LayerView view = LayerView::mount(s.lowers, cache_.cache_dir(), cache_.empty_dir(),
                                      step.merged(), writable ? step.diff() : "",
                                      writable ? step.work() : "");
    try {
      work(view.path(), step);
    } catch (const Error& e) {
      if (std::string(e.what()).find(plan_.file + ":") == 0 || !current_) throw;
      Error out(fmt::format("{}:{}: {}", plan_.file, current_->start_line, e.what()), e.err(),
                e.exit_code());
      throw out.with_hint(e.hint());
    }
  }
  check_interrupted();
  std::string diff = cache_.commit(step, key, req_.no_cache);
  if (!diff.empty()) s.lowers.push_back(diff);
  progress_->done();
}

LayerView Builder::view(const StageState& s, StepDir& where) const {
  return LayerView::mount(s.lowers, cache_.cache_dir(), cache_.empty_dir(), where.merged());
}

}  // namespace bale::builder
