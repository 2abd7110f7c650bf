// Stacking a stage's layers with overlayfs: the base image's tree at the bottom, then the change
// set of each filesystem step. All mounts happen in bale's own private mount namespace (see
// runtime::enter_private_mount_namespace), so none is ever visible to the host and all vanish with bale.
#pragma once

#include <string>
#include <vector>

namespace bale::builder {

// A mounted view of layers; detached on destruction.
class LayerView {
 public:
  LayerView() = default;
  LayerView(LayerView&& o) noexcept : target_(std::move(o.target_)) { o.target_.clear(); }
  LayerView& operator=(LayerView&& o) noexcept;
  ~LayerView();
  const std::string& path() const { return target_; }

  // `lowers` bottom first (absolute paths; those below `cache_dir` are named relative to it, to
  // keep the mount option within its one-page limit). With `upper` and `work` the view is
  // writable and every change lands in `upper`; without, it is read-only. An empty stack shows
  // `empty_dir`.
  static LayerView mount(const std::vector<std::string>& lowers, const std::string& cache_dir,
                         const std::string& empty_dir, const std::string& target,
                         const std::string& upper = "", const std::string& work = "");

 private:
  explicit LayerView(std::string target) : target_(std::move(target)) {}
  void unmount() noexcept;
  std::string target_;
};

}  // namespace bale::builder
