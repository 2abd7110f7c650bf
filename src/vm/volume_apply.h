// Writing a rw volume's changes back into its host directory at the VM's end: each entry the
// guest sends (volume_change.h) applied beneath the directory's fd, never through a symlink, so
// a hostile guest can change what is in the directory and nothing outside it.
#pragma once

#include <string>
#include <vector>

#include "base/fd.h"
#include "vm/volume_change.h"

namespace bale::vm {

class VolumeApplier {
 public:
  // hosts[N]: volume N's host directory, "" for a read-only one (its changes are refused).
  explicit VolumeApplier(const std::vector<std::string>& hosts);
  void apply(const VolumeChange& c);
  // The first failure, "" if none: the rest is still applied.
  const std::string& error() const { return error_; }

 private:
  void apply_at(int parent, const std::string& name, const VolumeChange& c);
  void fail(const VolumeChange& c, const std::string& what, int err);

  std::vector<std::string> hosts_;
  std::vector<UniqueFd> roots_;
  UniqueFd file_;  // the file 'a' entries append to
  std::string error_;
};

}  // namespace bale::vm
