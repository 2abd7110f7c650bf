// COPY and ADD into a stage's writable view: files, directories, symlinks and hardlinks with
// their modes, mtimes and xattrs, owned by root or by --chown, with Docker's destination rules;
// ADD's extraction of local tar archives. The sources themselves are copy_source's.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "builder/copy_source.h"

namespace bale::builder {

using namespace bale::dockerfile;  // the language the engine carries out

struct CopyOptions {
  std::optional<uid_t> uid;  // --chown; otherwise root's, or the tree's owners for --from
  std::optional<gid_t> gid;
  std::optional<mode_t> chmod;
  bool extract_archives = false;  // ADD: a local tar (plain, gz, bz2, xz) is unpacked into dest
};

// Copies `sources` to `dest` (absolute; a trailing '/' means a directory) into `upper`, a step's
// change set, with `view` (a read-only mount of the stage's layers, or `upper` itself) telling
// what the stage holds already. Docker's rules: a directory's contents (not itself) go into dest; a file goes to
// dest, or into it when dest ends with '/' or is an existing directory; several sources need a
// directory dest ending with '/'. `what` ("COPY", "ADD") names the instruction in errors.
void copy_into(const std::string& view, const std::string& upper,
               const std::vector<CopySource>& sources, const std::string& dest,
               const CopyOptions& opts, const std::string& what);

}  // namespace bale::builder
