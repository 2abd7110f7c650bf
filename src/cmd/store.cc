// `bale store ls|gc`: what the store holds, and removing what nothing uses.
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <set>

#include "builder/cache.h"
#include "cmd/commands.h"
#include "cmd/rootless.h"
#include "registry/origin.h"
#include "runtime/cgroup.h"
#include "store/names.h"
#include "store/store.h"
#include "store/url_index.h"

namespace bale::cmd {

constexpr int kKeepBuildCacheDays = 7;

int store(const StoreOptions& o) {
  store::Store st(o.store.value_or(store::Store::default_root()));
  if (o.action == "gc") {
    // A rootless store holds files of the user's subordinate ids, which only the user's
    // namespace may remove.
    enter_user_namespace_if_rootless();
    for (const auto& d : st.gc()) std::printf("removed %s\n", d.c_str());
    // Stored image files no name refers to (untagged images, downloads of a URL since fetched
    // anew) go too; the last download of each URL stays, for the next run of that URL.
    std::set<std::string> named;
    for (const auto& [name, digest] : store::list_names(st)) named.insert(digest);
    for (const auto& digest : store::url_digests(st)) named.insert(digest);
    for (const auto& blob : st.blobs())
      if (!named.count(blob) && ::unlink(st.blob_path(blob).c_str()) == 0)
        std::printf("removed %s.bale\n", blob.c_str());
    // The build cache named images were made from, and that of the last week, stay unless
    // --all: deleting it made the next rebuild of a named image take minutes instead of a
    // fraction of a second.
    builder::BuildCache::PruneStats pruned;
    time_t keep_since = o.all ? 0 : std::time(nullptr) - kKeepBuildCacheDays * 86400;
    if (builder::BuildCache::prune(st.root(), keep_since, named, &pruned))
      std::printf("removed %zu build cache entries, freed %.1f MB; kept %zu that named images were "
                  "built from or that were used in the last %d days (--all removes them too)\n",
                  pruned.removed, pruned.bytes / 1e6, pruned.kept, kKeepBuildCacheDays);
    else
      std::fprintf(stderr, "bale: a build is running: the build cache is left as it is\n");
    // What pulls fetched: the blobs are a cache (each pulled image is a file of its own).
    if (auto p = registry::prune_cache(st)) {
      if (p->blobs || p->records)
        std::printf("removed %zu registry blobs (%.1f MB) and %zu records of images no longer here\n",
                    p->blobs, p->bytes / 1e6, p->records);
    } else {
      std::fprintf(stderr, "bale: a pull is running: its blob cache is left as it is\n");
    }
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
