// The sources of COPY, ADD and RUN --mount=type=bind: a path beneath the build context or
// inside a stage's or image's root, opened without leaving it, listed, and digested for the
// cache key.
#pragma once

#include <sys/stat.h>

#include <string>
#include <vector>

#include "base/fd.h"
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

// The entries below a directory of a stage or image tree, parents first, for copying it whole.
std::vector<ContextEntry> list_tree(const CopySource& source, const std::string& what);

// Opens the source as an O_PATH fd. In the build context, symlinks are followed only while they
// stay beneath it; in a tree, they resolve inside its root. Throws bale::Error "<what> source
// '<path>': ..." when it does not exist or leads out of the context.
int open_source(const CopySource& source, const std::string& what);

// A digest of what a source holds: names, types, modes, link targets and file contents (never
// mtimes or owners), as hex. `what` names the instruction in errors.
std::string hash_source(const CopySource& source, const std::string& what);

// Below a source directory nothing is followed: the walk listed what is there. Throws.
UniqueFd open_below(int dir, const std::string& rel, int flags);
// The /proc/self/fd path that reopens an O_PATH fd for reading.
std::string proc_fd(int fd);
struct stat stat_fd(int fd, const std::string& name);

}  // namespace bale::builder
