// The build cache in the store: one entry per filesystem step (RUN, COPY, ADD, WORKDIR), named by
// the step's cache key, holding the step's change set as an overlay upper directory. An entry
// appears by rename only when complete, so an interrupted build leaves none half-written.
//
//   build/cache/<id>/diff/   the change set (whiteouts and opaque dirs in overlay's own form);
//                            absent when the step changed nothing
//   build/steps/<random>/    a step in progress: diff/ (upper), work/, merged/ (gc removes
//                            leftovers of killed builds)
//   build/mounts/<id>/       the directories of RUN --mount=type=cache
//   build/images/<id>.bale   images written by earlier builds, by stage key, config and signer:
//                            a rebuild with nothing changed hands out the same file
//   build/squash/<id>.json   where an earlier squash's body stood after a layer (see squash.h)
//   build/empty/             an empty lower layer for a FROM scratch stage with no layer yet
//   build/uses/<digest>.json the entries and kept image a build of that image used: gc keeps them
//                            whatever their age while a name in the store points at the image
//   build/lock               shared by running builds, exclusive for gc
#pragma once

#include <ctime>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/fd.h"

namespace bale::builder {

// A directory where one step runs: `diff` becomes the entry, `work` is overlay's, `merged` the
// mountpoint. Removed with everything in it unless committed.
class StepDir {
 public:
  StepDir() = default;
  explicit StepDir(std::string path) : path_(std::move(path)) {}
  StepDir(StepDir&& o) noexcept : path_(std::move(o.path_)), unchanged_(std::move(o.unchanged_)) {
    o.path_.clear();
  }
  StepDir& operator=(StepDir&& o) noexcept;
  ~StepDir();
  const std::string& path() const { return path_; }
  std::string diff() const { return path_ + "/diff"; }
  std::string work() const { return path_ + "/work"; }
  std::string merged() const { return path_ + "/merged"; }
  void release() { path_.clear(); }
  // Directories (paths in the view) overlay copied up without a change of their own: commit
  // takes each out of the change set when it is still an empty, not opaque, directory there.
  void drop_if_unchanged(const std::vector<std::string>& dirs) {
    unchanged_.insert(unchanged_.end(), dirs.begin(), dirs.end());
  }
  const std::vector<std::string>& unchanged() const { return unchanged_; }

 private:
  std::string path_;
  std::vector<std::string> unchanged_;
  void drop() noexcept;  // removes the directory (not mounted any more) and forgets it
};

class BuildCache {
 public:
  // Creates build/ below the store root and takes the shared lock that keeps gc away.
  explicit BuildCache(const std::string& store_root);

  const std::string& dir() const { return dir_; }
  std::string cache_dir() const { return dir_ + "/cache"; }
  std::string empty_dir() const { return dir_ + "/empty"; }
  std::string squash_dir() const { return dir_ + "/squash"; }

  // The entry's diff directory ("" when the step changed nothing), or nullopt on a miss.
  std::optional<std::string> lookup(const std::string& key) const;
  StepDir begin_step() const;
  // Makes the step's diff the entry for `key` and returns what lookup would. When another build
  // committed the same key meanwhile, theirs is kept and returned, unless `replace` (--no-cache:
  // the fresh result wins).
  std::string commit(StepDir& step, const std::string& key, bool replace = false) const;
  // Where the image for `key` (over the stage key, config, SOURCE_DATE_EPOCH and signer) is kept.
  std::string image_path(const std::string& key) const;
  // The directory behind RUN --mount=type=cache,id=ID.
  std::string cache_mount(const std::string& id) const;
  // Notes that this build made the image `digest` from what it looked up, committed and kept so
  // far (see build/uses/ above).
  void record_use(const std::string& digest) const;

  // Removes the entries, cache mounts, kept images and squash records no build has used since
  // `keep_since` (0: all of them) unless they made one of the images `named` (digests), and
  // every leftover step. Returns false (and removes nothing) when a build is running.
  struct PruneStats {
    size_t removed = 0, kept = 0;  // cache entries
    uint64_t bytes = 0;            // freed, all kinds together
  };
  static bool prune(const std::string& store_root, time_t keep_since,
                    const std::set<std::string>& named, PruneStats* stats = nullptr);

 private:
  std::string entry_dir(const std::string& key) const;

  std::string dir_;
  UniqueFd lock_;
  mutable std::set<std::string> used_;  // "cache/ID", "images/ID.bale": what this build used
};

}  // namespace bale::builder
