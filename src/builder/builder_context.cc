// The build context (see builder_context.h).
#include "builder/builder_context.h"

#include <fcntl.h>

#include "base/error.h"
#include "base/fs.h"

namespace bale::builder {

BuildContext::BuildContext(const std::string& dir, const std::string& dockerfile) : dir_(dir) {
  fd_ = UniqueFd(open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd_) throw_sys("open the build context", dir);
  // BuildKit: an ignore file named after the Dockerfile wins over the context's.
  // The context's own is read beneath it: a symlink that leads out of the context is refused,
  // as every other file of the context is.
  std::string own = dockerfile + ".dockerignore", common = dir + "/.dockerignore";
  auto text = read_config_file_in_its_dir(own, 1 << 20);
  if (text) {
    rules_ = IgnoreRules::parse(*text, own);
  } else if ((text = read_config_file(".dockerignore", 1 << 20, fd_.get(), common))) {
    rules_ = IgnoreRules::parse(*text, common);
  }
}

const std::vector<ContextEntry>& BuildContext::entries() {
  if (!entries_) entries_ = walk_context(dir_, rules_);
  return *entries_;
}

CopySource BuildContext::source(const std::string& path) {
  CopySource s;
  s.root_fd = fd_.get();
  s.path = path;
  const auto& all = entries();
  if (path == ".") {
    s.below = all;
    return s;
  }
  std::string prefix = path + "/";
  for (const auto& e : all)
    if (e.path.compare(0, prefix.size(), prefix) == 0)
      s.below.push_back({e.path.substr(prefix.size()), e.type});
  return s;
}

}  // namespace bale::builder
