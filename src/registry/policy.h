// The registry trust policy: registries.yaml beside allowed_signers in bale's config dir,
// naming the repositories (or registries, or namespaces of them) whose *tags* bale pulls
// without a pinned digest. A pinned digest is trusted by its content and needs no entry.
//
//   # bale trust registry add docker.io/library
//   trusted:
//     - docker.io/library
//     - 127.0.0.1:5000
//   mirrors:            # hosts tried, in order, before the registry itself
//     docker.io:
//       - mirror.example:5000
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "registry/reference.h"

namespace bale::registry {

// config_dir + "/registries.yaml"
std::string policy_path(const std::string& config_dir);

struct Policy {
  std::vector<std::string> trusted;
  std::map<std::string, std::vector<std::string>> mirrors;  // registry -> hosts, in order
};

// The policy file (empty when it does not exist). Throws bale::Error naming file:line for a
// line that is none of the forms above.
Policy read_policy_file(const std::string& config_dir);
// Its trusted entries.
std::vector<std::string> read_policy(const std::string& config_dir);
// The mirrors of `registry` ("docker.io", "host:5000"), in the order to try them.
std::vector<std::string> mirrors_for(const std::string& config_dir, const std::string& registry);

// The entry that covers `ref` (equal to its name, or a prefix of it ending at a '/'), if any.
std::optional<std::string> policy_covers(const std::vector<std::string>& entries, const Reference& ref);

// "docker.io/library", "127.0.0.1:5000", "debian" (-> docker.io/library/debian): the entry as
// the policy stores it. Throws bale::Error (exit 2) for what names no repository or registry.
std::string normalize_policy_entry(const std::string& text);

// Adds the entry (normalized) to the file, atomically; false when it was there already.
bool policy_add(const std::string& config_dir, const std::string& entry);
// Removes it; false when it was not there.
bool policy_remove(const std::string& config_dir, const std::string& entry);

}  // namespace bale::registry
