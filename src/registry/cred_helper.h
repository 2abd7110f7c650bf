// docker's credential helpers: `docker-credential-NAME get`, the registry's address on stdin,
// {"ServerURL", "Username", "Secret"} JSON on stdout. config.json names them per registry
// ("credHelpers": {"HOST": "NAME"}) or for all ("credsStore": "NAME").
#pragma once

#include <optional>
#include <string>

#include "registry/credentials.h"

namespace bale::registry {

// Asks `docker-credential-NAME` (found on $PATH) for `server`'s credentials. nullopt when the
// helper has none ("credentials not found") or is not on $PATH (a warning); throws bale::Error naming the helper when it cannot
// be run, fails otherwise, or answers with something that is not its JSON.
std::optional<Credentials> ask_credential_helper(const std::string& name, const std::string& server);

}  // namespace bale::registry
