// Entering the user namespace of a rootless command (see rootless.h).
#include "cmd/rootless.h"

#include <cstdio>

#include "base/identity.h"
#include "runtime/userns.h"

namespace bale::cmd {

bool enter_user_namespace_if_rootless(const std::string& one_id_cost) {
  if (invoked_as_root()) return true;
  runtime::UserNamespace ns = runtime::enter_user_namespace();
  if (ns.warning.empty()) return ns.full;
  std::fprintf(stderr, "bale: warning: %s\n", ns.warning.c_str());
  if (!one_id_cost.empty()) std::fprintf(stderr, "bale: warning: %s\n", one_id_cost.c_str());
  return ns.full;
}

}  // namespace bale::cmd
