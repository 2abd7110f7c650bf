// Overlay stacks of build layers (see layers.h).
#include "builder/layers.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fd.h"
#include "runtime/mounts.h"
#include "runtime/recipe.h"

namespace bale::builder {

namespace {

// The layers below `cache_dir` named relative to it.
std::vector<std::string> relative_to(const std::vector<std::string>& lowers,
                                     const std::string& cache_dir) {
  std::vector<std::string> out;
  const std::string prefix = cache_dir + "/";
  for (const auto& l : lowers) out.push_back(l.starts_with(prefix) ? l.substr(prefix.size()) : l);
  return out;
}

// Mounts with the working directory at `cwd`, where the relative lowerdirs are resolved.
void mount_in(const std::string& cwd, const std::string& target, const std::string& data) {
  UniqueFd here(open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!here) throw_sys("open", ".");
  if (chdir(cwd.c_str()) < 0) throw_sys("chdir", cwd);
  int r = ::mount("overlay", target.c_str(), "overlay", 0, data.c_str());
  int err = errno;
  if (fchdir(here.get()) < 0) throw_sys("fchdir", ".");
  if (r < 0) throw sys_error("mount overlay on", target, err);
}

}  // namespace

LayerView& LayerView::operator=(LayerView&& o) noexcept {
  if (this != &o) {
    unmount();
    target_ = std::move(o.target_);
    o.target_.clear();
  }
  return *this;
}

LayerView::~LayerView() { unmount(); }

void LayerView::unmount() noexcept {
  if (!target_.empty()) umount2(target_.c_str(), MNT_DETACH);
  target_.clear();
}

LayerView LayerView::mount(const std::vector<std::string>& lowers, const std::string& cache_dir,
                           const std::string& empty_dir, const std::string& target,
                           const std::string& upper, const std::string& work) {
  std::vector<std::string> stack = lowers.empty() ? std::vector{empty_dir} : lowers;
  if (upper.empty() && stack.size() == 1) {  // overlay wants two layers to be read-only
    runtime::bind_mount(stack[0], target, true, false);
    return LayerView(target);
  }
  std::string data = runtime::overlay_options(relative_to(stack, cache_dir), upper, work);
  if (data.size() >= 4096)
    throw Error(fmt::format("too many layers to stack ({}): overlayfs takes one page of options; "
                            "merge some RUN steps", stack.size()));
  mount_in(cache_dir, target, data);
  return LayerView(target);
}

}  // namespace bale::builder
