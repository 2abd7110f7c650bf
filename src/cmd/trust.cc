// `bale trust add|list|remove`: the allowed_signers entries bale consults.
#include <cstdio>

#include <fmt/format.h>

#include "base/error.h"
#include "cmd/commands.h"
#include "registry/policy.h"
#include "trust/keystore.h"

namespace bale::cmd {

int trust(const TrustOptions& o) {
  auto paths = trust::TrustPaths::defaults();
  if (o.action == "add") {
    auto e = trust::trust_add(paths, trust::read_public_key_arg(o.key), o.name);
    std::printf("trusted %s as %s (in %s)\n", e.key.fingerprint().c_str(), e.principals.c_str(),
                paths.writable_signers.c_str());
  } else if (o.action == "remove") {
    for (const auto& e : trust::trust_remove(paths, o.key))
      std::printf("removed %s %s\n", e.principals.c_str(), e.key.fingerprint().c_str());
  } else {
    for (const auto& e : trust::trust_list(paths))
      std::printf("%s\t%s\t%s\t%s\n", e.principals.c_str(), e.key.fingerprint().c_str(),
                  e.namespaces.value_or("*").c_str(), e.source.c_str());
  }
  return 0;
}

}  // namespace bale::cmd

namespace bale::cmd {

int trust_registry(const TrustRegistryOptions& o) {
  std::string dir = trust::TrustPaths::defaults().config_dir;
  std::string file = registry::policy_path(dir);
  if (o.action == "add") {
    std::string e = registry::normalize_policy_entry(o.entry);
    bool added = registry::policy_add(dir, e);
    std::printf(added ? "trusting tags of %s (in %s)\n" : "%s is already trusted (in %s)\n",
                e.c_str(), file.c_str());
  } else if (o.action == "remove") {
    std::string e = registry::normalize_policy_entry(o.entry);
    if (!registry::policy_remove(dir, e))
      throw Error(fmt::format("{} names no {}", quote(file), quote(e)));
    std::printf("no longer trusting tags of %s\n", e.c_str());
  } else {
    for (const auto& e : registry::read_policy(dir)) std::printf("%s\n", e.c_str());
  }
  return 0;
}

}  // namespace bale::cmd
