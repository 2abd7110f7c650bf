// Which kernel modules a guest needs, in the order to load them: resolved from the kernel's
// modules.dep ("path: dep dep ...") and modules.builtin (built in: nothing to load).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bale::vm {

// "kernel/fs/overlayfs/overlay.ko" -> "overlay"; '-' and '_' are the same in module names.
std::string module_name(std::string_view path);

// The module files (paths as modules.dep gives them) that `wanted` need, each after its
// dependencies and each once. A wanted module that is built in is skipped; one that is neither
// in modules.dep nor built in throws, naming it.
std::vector<std::string> modules_to_load(std::string_view modules_dep,
                                         std::string_view modules_builtin,
                                         const std::vector<std::string>& wanted);

}  // namespace bale::vm
