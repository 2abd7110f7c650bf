// Where a copy lands (see copy.h): paths of the stage resolved through its symlinks as they
// would resolve in the container, directories on the way made in the step's change set (the
// stage's own copied up by hand with their metadata, as overlayfs would), and the room a new
// entry needs. The stage is read through `view`, a read-only mount of its layers; writes go to
// `upper`, the change set, beneath its root fd.
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>

#include "base/fd.h"
#include "builder/copy.h"

namespace bale::builder {

class CopyDest {
 public:
  CopyDest(int view_fd, std::string view_path, int upper_fd, const CopyOptions& opts,
           const std::string& what)
      : view_(view_fd), view_path_(std::move(view_path)), root_(upper_fd), opts_(opts),
        what_(what) {}

  int view() const { return view_; }
  int upper() const { return root_; }

  // `path` with the stage's symlinks resolved (inside the stage), as far as it exists; a
  // dangling symlink leads to where its target would be.
  std::string canonical(const std::string& path);
  // The directory `path` in the change set, made (with its missing parents) when absent.
  UniqueFd make_dir(const std::string& path) { return make_canonical_dir(canonical(path)); }
  // Is there a directory at `path` (no symlink followed at the end) in the stage already?
  bool stage_has_dir(const std::string& path, struct stat* out = nullptr) const;
  // A directory of the stage (`stage_fd`, O_PATH), made in the change set as `made` with the
  // stage's metadata.
  void copy_up(int stage_fd, const struct stat& st, int made, const std::string& where);
  // Makes room for `name` in `dir`: what is there is replaced, unless it is a directory.
  void clear_way(int dir, const std::string& name, const std::string& where);

 private:
  UniqueFd make_canonical_dir(const std::string& c);
  std::string resolve(const std::string& path, int hops);
  // The target of the symlink at `path` (resolved already, except its last part), if it is one.
  std::optional<std::string> link_at(const std::string& path) const;

  int view_;
  std::string view_path_;
  int root_;
  const CopyOptions& opts_;
  std::string what_;
};

// The xattrs of `from` that belong in an image, set on `to` (`name` for messages).
void copy_xattrs(int from, int to, const std::string& name);

}  // namespace bale::builder
