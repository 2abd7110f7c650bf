// The executor: carries out a Dockerfile's stages with the runtime's namespaces and overlay, one
// cached step at a time, and writes the target stage as one signed image.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/fd.h"
#include "dockerfile/ast.h"
#include "builder/cache.h"
#include "builder/copy.h"
#include "dockerfile/dockerignore.h"
#include "builder/layers.h"
#include "dockerfile/plan.h"
#include "builder/stage_state.h"
#include "store/acquire.h"
#include "store/store.h"

namespace bale::builder {

using namespace bale::dockerfile;  // the language the engine carries out

struct BuildRequest {
  std::string context;     // directory
  std::string dockerfile;  // path
  std::map<std::string, std::string> build_args;
  std::optional<std::string> target;
  std::vector<std::pair<std::string, std::string>> labels;
  bool no_cache = false;
  bool quiet = false;       // no step lines, no RUN output (shown only when a step fails)
  bool quiet_if_cached = false;  // no step lines unless some step runs (then all of them)
  std::string network = "host";
  // A base (FROM, COPY --from) the store does not have: the image file of it pulled from a
  // registry, or nullopt when `ref` is no registry reference (`err`: why the store failed).
  // Set by cmd/build (the registry module is not the builder's to use).
  std::function<std::optional<std::string>(const std::string& ref, int err)> pull_remote;
};

class Progress;
class BuildContext;
struct CopyStep;
struct MountFlag;
struct RunSpec;

class Builder {
 public:
  Builder(BuildRequest req, store::Store& store, BuildCache& cache);
  ~Builder();

  // Builds the target stage (the last one unless --target) and returns its final state.
  const StageState& build();
  // Mounts the stage's layers read-only at a fresh mountpoint, for writing the image.
  LayerView view(const StageState& s, StepDir& where) const;
  // Warnings to show at the end (unused build args).
  std::vector<std::string> warnings() const;

 private:

  const StageState& stage(size_t index);
  StageState start_stage(const Stage& st);
  std::string base_name(const Stage& st);
  StageState from_image(const Stage& st, const std::string& ref);
  store::ReadyImage acquire_base(const std::string& path, const std::string& ref);
  void run_instruction(StageState& s, const Instruction& in);
  void declare_args(StageState& s, const Instruction& in, bool global);
  void workdir(StageState& s, const Instruction& in);
  void run(StageState& s, const Instruction& in);
  void copy(StageState& s, const Instruction& in);
  void onbuild_triggers(StageState& s, const Stage& st);

  // A filesystem step: reuses the cache entry for `key` or runs `work` on a writable view of
  // the stage and keeps its change set.
  using Work = std::function<void(const std::string& root, StepDir& step)>;
  // `work` gets a writable overlay view, or with `writable` false a read-only view of the stage
  // and the step's change set (StepDir::diff) to write into directly.
  void fs_step(StageState& s, const std::string& key, const Work& work, bool writable = true);
  BuildContext& context();
  std::string expand(const StageState& s, const std::string& word) const;
  [[noreturn]] void fail(const Instruction& in, const std::string& message) const;
  // Where `ref` (a --from value) points: a stage (built first) or an image in the store.
  struct Tree {
    UniqueFd fd;
    std::string key;   // what the content is keyed by
    std::string name;  // "stage 'build'", "image 'x'": for messages
    CopySource at(std::string path) const { return {fd.get(), std::move(path), {}, name}; }
  };
  Tree from_tree(const Instruction& in, const std::string& ref, StepDir& mounts,
                 std::vector<LayerView>& views);
  // COPY/ADD in parts (builder_copy.cc): the instruction read, then its sources gathered for
  // the key, URLs downloaded into `downloads` when their content keys the step.
  CopyStep read_copy(const StageState& s, const Instruction& in);
  nlohmann::json copy_sources(const StageState& s, const Instruction& in, CopyStep& c,
                              const Tree& tree, StepDir& downloads);
  // RUN in parts (builder_run.cc): its flags, the key of its mounts, and the step run.
  struct RunFlags;
  RunFlags run_flags(const StageState& s, const Instruction& in);
  nlohmann::json mount_keys(const Instruction& in, const std::vector<MountFlag>& mounts,
                            std::vector<Tree>& trees, StepDir& from_mounts,
                            std::vector<LayerView>& views);
  void run_spec(const Instruction& in, RunSpec& spec, StepDir& step);
  std::set<size_t> needed_stages(size_t target) const;
  void count_steps();
  char escape() const { return dockerfile_.directives.escape; }

  BuildRequest req_;
  store::Store& store_;
  BuildCache& cache_;
  Dockerfile dockerfile_;
  Plan plan_;
  std::map<std::string, std::string> global_args_;
  std::set<std::string> consumed_args_;
  std::map<size_t, std::unique_ptr<StageState>> done_;
  std::set<size_t> in_progress_;
  std::vector<UniqueFd> held_images_;  // shared locks keeping base trees from gc
  std::unique_ptr<BuildContext> context_;
  std::vector<std::unique_ptr<Instruction>> onbuild_kept_;  // triggers parsed from base configs
  std::unique_ptr<Progress> progress_;
  const Instruction* current_ = nullptr;
};

}  // namespace bale::builder
