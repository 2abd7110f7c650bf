// RUN --mount: the flag's fields as BuildKit reads them, and each mount type made into what
// run_step mounts (a tmpfs, a cache directory of the store, a bind of the context or a tree).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/fd.h"
#include "base/fs.h"
#include "builder/copy.h"
#include "builder/run_step.h"

namespace bale::builder {

class BuildCache;
class BuildContext;

// One --mount=... value: comma-separated key=value fields.
struct MountFlag {
  std::string type = "bind", source, target, from, id, sharing, size;
  std::optional<mode_t> mode;
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  bool read_only = true, read_only_given = false;
  std::string text;
};

// Throws bale::Error "--mount=TEXT: ..." for an unknown field or type, a missing target, or a
// uid, gid or mode that is not a number.
MountFlag parse_mount(const std::string& text);

RunMount tmpfs_mount(const MountFlag& m, const std::string& target);
// The cache directory is made the mount's own (uid, gid, mode) when it is first used.
RunMount cache_mount(const MountFlag& m, const std::string& target, const BuildCache& cache);
// A bind of the context, or of `tree` (a --from stage or image) when given. `bound` keeps the
// fds a direct bind goes through open until the step has run; copies go below `scratch`,
// in a directory named after `index`.
RunMount bind_mount(const MountFlag& m, const std::string& target, BuildContext& context,
                    const std::optional<CopySource>& tree, ScratchDir& scratch, size_t index,
                    std::vector<UniqueFd>& bound);

}  // namespace bale::builder
