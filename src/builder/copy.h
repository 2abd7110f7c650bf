// COPY and ADD into a stage's writable view: files, directories, symlinks and hardlinks with
// their modes, mtimes and xattrs, owned by root or by --chown, with Docker's destination rules;
// ADD's extraction of local tar archives; and the content digest of a source that keys the cache.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "dockerfile/dockerignore.h"

namespace bale::builder {

using namespace bale::dockerfile;  // the language the engine carries out

// One source: `path` below the tree at `root_fd` ("." for the tree itself), and what below it to
// take, relative to `path`, parents before children (from walk_context, so .dockerignore has
// already spoken; empty for a file or symlink).
struct CopySource {
  int root_fd = -1;
  std::string path;
  std::vector<ContextEntry> below;
  // Empty for the build context, whose symlinks must stay inside it. Otherwise what the tree
  // is ("stage 'build'", "image 'x'"): its symlinks resolve inside its root, as they would in
  // a container of it, and messages name it.
  std::string tree;
};

struct CopyOptions {
  std::optional<uid_t> uid;  // --chown; files are root's otherwise
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

// The entries below a directory of a stage or image tree, parents first, for copying it whole.
std::vector<ContextEntry> list_tree(const CopySource& source, const std::string& what);

// Opens the source as an O_PATH fd. In the build context, symlinks are followed only while they
// stay beneath it; in a tree, they resolve inside its root. Throws bale::Error "<what> source
// '<path>': ..." when it does not exist or leads out of the context.
int open_source(const CopySource& source, const std::string& what);

// A digest of what a source holds: names, types, modes, link targets and file contents (never
// mtimes or owners), as hex. `what` names the instruction in errors.
std::string hash_source(const CopySource& source, const std::string& what);

}  // namespace bale::builder
