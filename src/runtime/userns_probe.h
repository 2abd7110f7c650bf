// Trying, in a throwaway child process, what a rootless bale will need of the kernel: a user
// namespace, and overlayfs mounted inside one. `bale doctor` reports the results; nothing the
// probes make outlives them.
#pragma once

#include <string>

namespace bale::runtime {

// 0 when the calling user may create a user namespace, else the errno unshare gave.
int probe_user_namespace();

// 0 when overlayfs mounts inside a new user namespace (the caller mapped to its root), with its
// directories made under `scratch` (which must exist and be the caller's); else the errno.
int probe_overlay_in_user_namespace(const std::string& scratch);

}  // namespace bale::runtime
