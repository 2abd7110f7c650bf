// `bale store ls|gc`: what the store holds, and removing what nothing uses.
#include <cstdio>

#include "cmd/commands.h"
#include "runtime/cgroup.h"
#include "store/store.h"

namespace bale::cmd {

int store(const StoreOptions& o) {
  store::Store st(o.store.value_or(store::Store::default_root()));
  if (o.action == "gc") {
    for (const auto& d : st.gc()) std::printf("removed %s\n", d.c_str());
    int cg = runtime::remove_empty_cgroups();
    if (cg) std::printf("removed %d empty cgroups\n", cg);
    return 0;
  }
  std::printf("%-71s %12s %s\n", "DIGEST", "SIZE", "IN USE");
  for (const auto& e : st.list())
    std::printf("%-71s %10.1fMB %s\n", e.digest.c_str(), e.bytes / 1e6, e.in_use ? "yes" : "no");
  return 0;
}

}  // namespace bale::cmd
