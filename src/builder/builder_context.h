// The build context as COPY, ADD and RUN --mount=type=bind see it: the directory, the
// .dockerignore rules (or the Dockerfile's own `<Dockerfile>.dockerignore`), and the walk of
// what they leave in, made once on first use.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/fd.h"
#include "builder/copy.h"
#include "dockerfile/dockerignore.h"

namespace bale::builder {

using namespace bale::dockerfile;  // the language the engine carries out

class BuildContext {
 public:
  BuildContext(const std::string& dir, const std::string& dockerfile);

  int fd() const { return fd_.get(); }
  const std::string& dir() const { return dir_; }
  const IgnoreRules& rules() const { return rules_; }
  const std::vector<ContextEntry>& entries();
  // A path from expand_copy_source, with what is below it.
  CopySource source(const std::string& path);

 private:
  std::string dir_;
  UniqueFd fd_;
  IgnoreRules rules_;
  std::optional<std::string> resolved(const std::string& path) const;

  std::optional<std::vector<ContextEntry>> entries_;
};

}  // namespace bale::builder
