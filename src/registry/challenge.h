// The WWW-Authenticate challenge of a registry's 401 (RFC 7235): its scheme (Basic or Bearer)
// and parameters; for Bearer, realm (the token endpoint), service and scope
// (docs.docker.com/registry/spec/auth/token).
#pragma once

#include <map>
#include <string>

namespace bale::registry {

struct Challenge {
  std::string scheme;  // lower case: "basic", "bearer"
  std::map<std::string, std::string> params;  // lower-case names, unquoted values
  std::string param(const std::string& name) const;
};

// Parses `Bearer realm="https://auth.example/token",service="registry.example"`. Returns a
// challenge with an empty scheme when the header is empty or unreadable.
Challenge parse_challenge(const std::string& header);

}  // namespace bale::registry
