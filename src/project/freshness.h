// Whether a container's last build is still up to date, from stats alone: a fingerprint over
// the Dockerfile text, the build arguments and the (size, mtime, ctime, inode, mode) of every
// context entry its COPY and ADD sources cover (all of the context when a source has a variable
// or a RUN binds the context), less what .dockerignore rules out. With the fingerprint of the last
// successful build, a command starts without running the builder at all, so an unchanged tree
// costs one stat per file and no reads or hashes of file contents. Any difference only sends
// the build through the builder, whose step cache decides what really changed.
#pragma once

#include <optional>
#include <string>

#include "builder/builder.h"

namespace bale::project {

// The fingerprint of what a build of `req` reads, or nullopt when stats cannot tell (the
// Dockerfile fetches URLs, which only the builder can check).
std::optional<std::string> input_fingerprint(const builder::BuildRequest& req);

// A fingerprint of one file's metadata ("" when it does not exist).
std::string stat_fingerprint(const std::string& path);

}  // namespace bale::project
