// docker's config.json credentials (see credentials.h).
#include "registry/credentials.h"

#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "registry/cred_helper.h"
#include "registry/reference.h"
#include "trust/ssh_key.h"

namespace bale::registry {

using nlohmann::json;

namespace {

json load(const std::string& path) {
  auto text = read_config_file(path, 4u << 20);
  if (!text) return json::object();
  json j = json::parse(*text, nullptr, false);
  if (!j.is_object()) throw Error(fmt::format("{}: not a JSON object", quote(path)));
  return j;
}

// The keys docker and podman write for a registry, in the order they are tried.
std::vector<std::string> keys_for(const std::string& registry) {
  std::vector<std::string> keys{registry, "https://" + registry, "http://" + registry};
  if (registry == kDockerHub)
    for (const char* k : {"https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io"})
      keys.push_back(k);
  return keys;
}

}  // namespace

std::string docker_config_path() {
  if (const char* dir = std::getenv("DOCKER_CONFIG"); dir && *dir)
    return std::string(dir) + "/config.json";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/root") + "/.docker/config.json";
}

namespace {

// A helper named for the registry ("credHelpers"), else one for all ("credsStore"), as docker
// asks them; "" when config.json names none.
std::string helper_for(const json& j, const std::string& registry, const std::string& path) {
  if (auto h = j.find("credHelpers"); h != j.end() && h->is_object())
    for (const auto& key : keys_for(registry))
      if (auto it = h->find(key); it != h->end()) {
        if (!it->is_string()) throw Error(fmt::format("{}: credHelpers.{} is not a name", quote(path), quote(key)));
        return it->get<std::string>();
      }
  if (auto s = j.find("credsStore"); s != j.end() && s->is_string()) return s->get<std::string>();
  return "";
}

}  // namespace

std::optional<Credentials> find_credentials(const std::string& registry) {
  std::string path = docker_config_path();
  json j = load(path);
  if (std::string helper = helper_for(j, registry, path); !helper.empty()) {
    std::string server = registry == kDockerHub ? "https://index.docker.io/v1/" : registry;
    if (auto c = ask_credential_helper(helper, server)) return c;
  }
  if (!j.contains("auths") || !j["auths"].is_object()) return std::nullopt;
  for (const auto& key : keys_for(registry)) {
    auto it = j["auths"].find(key);
    if (it == j["auths"].end() || !it->is_object() || !it->contains("auth")) continue;
    std::string decoded;
    const json& auth = (*it)["auth"];
    if (!auth.is_string() || !trust::base64_decode(auth.get<std::string>(), decoded) ||
        decoded.find(':') == std::string::npos)
      throw Error(fmt::format("{}: auths.{}.auth is not base64 of USER:PASSWORD", quote(path),
                              quote(key)));
    auto colon = decoded.find(':');
    return Credentials{decoded.substr(0, colon), decoded.substr(colon + 1)};
  }
  return std::nullopt;
}

std::string store_credentials(const std::string& registry, const Credentials& c) {
  std::string path = docker_config_path();
  json j = load(path);
  if (!j.contains("auths") || !j["auths"].is_object()) j["auths"] = json::object();
  // docker.io is keyed as docker itself keys it, so `docker` finds it too.
  std::string key = registry == kDockerHub ? "https://index.docker.io/v1/" : registry;
  j["auths"][key] = {{"auth", trust::base64_encode(c.user + ":" + c.password)}};
  mkdir_p(dirname_of(path), 0700);
  write_file_atomic(path, j.dump(1, '\t') + "\n", 0600);
  return path;
}

}  // namespace bale::registry
