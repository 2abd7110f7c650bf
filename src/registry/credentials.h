// Registry credentials where docker keeps them: $DOCKER_CONFIG/config.json (default
// ~/.docker/config.json), "auths": {"HOST": {"auth": base64("user:password")}}. `bale login`
// writes the same entry, so docker, podman and skopeo share it.
#pragma once

#include <optional>
#include <string>

namespace bale::registry {

struct Credentials {
  std::string user, password;
};

// $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json.
std::string docker_config_path();

// The credentials for `registry` (as in a reference: "docker.io", "host:5000"); docker's own
// spellings of a key ("https://HOST", "https://index.docker.io/v1/" for docker.io) are found
// too. A credential helper the file names for the registry ("credHelpers") or for all
// ("credsStore") is asked first (cred_helper.h); what it does not hold is looked up in "auths".
// Throws bale::Error naming the file when it is not valid JSON or an entry is malformed, and
// naming the helper when it fails.
std::optional<Credentials> find_credentials(const std::string& registry);

// Writes the entry for `registry` into the config file (mode 0600, atomically), keeping every
// other key of it. Returns the file's path.
std::string store_credentials(const std::string& registry, const Credentials& c);

}  // namespace bale::registry
