// overlayfs keeps what it knows about a directory in extended attributes: `trusted.overlay.*`
// when mounted by real root, `user.overlay.*` when mounted in a user namespace (the `userxattr`
// option a rootless bale uses). Whoever reads a change set reads both.
#pragma once

#include <string>
#include <string_view>

namespace bale {

// An xattr overlayfs itself writes (opaque, redirect, origin, ...): never part of an image.
bool is_overlay_xattr(std::string_view name);

// Whether the directory open at `fd` (or at `path`, not followed) is opaque: it hides what the
// layers below hold at its path.
bool is_opaque_dir(int fd);
bool is_opaque_dir(const std::string& path);

}  // namespace bale
