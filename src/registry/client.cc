// The distribution client's requests and authentication (see client.h).
#include "registry/client.h"

#include <cctype>
#include <cerrno>
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "registry/challenge.h"
#include "trust/ssh_key.h"

namespace bale::registry {

using nlohmann::json;

namespace {

std::string url_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

// Where docker and podman keep a registry's CA: bale's own config dir first.
std::string find_ca_file(const std::string& config_dir, const std::string& host) {
  for (const std::string& dir : {config_dir + "/certs.d/", std::string("/etc/containers/certs.d/"),
                                 std::string("/etc/docker/certs.d/")}) {
    std::string path = dir + host + "/ca.crt";
    if (path_exists(path)) return path;
  }
  return "";
}

}  // namespace

std::string registry_message(const fetch::HttpResponse& r) {
  json j = json::parse(r.body, nullptr, false);
  std::string out;
  if (j.is_object() && j.contains("errors") && j["errors"].is_array()) {
    for (const auto& e : j["errors"]) {
      if (!e.is_object()) continue;
      std::string code = e.value("code", ""), msg = e.value("message", "");
      out += (out.empty() ? "" : "; ") + (code.empty() ? msg : msg.empty() ? code : code + ": " + msg);
    }
    if (!out.empty()) return out;
  }
  if (j.is_object())  // token servers: {"details": ...} or {"error": ...}
    for (const char* k : {"details", "error_description", "error", "message"})
      if (j.contains(k) && j[k].is_string()) return j[k];
  std::string first = r.body.substr(0, r.body.find('\n'));
  if (first.size() > 200) first = first.substr(0, 200) + "...";
  return first;
}

Client::Client(Reference ref, ClientOptions opts) : ref_(std::move(ref)), opts_(std::move(opts)) {
  if (!opts_.credentials) opts_.credentials = find_credentials(ref_.registry);
  ca_file_ = find_ca_file(opts_.config_dir, ref_.api_host());
}

std::string Client::repo_url(const std::string& suffix) const {
  return fmt::format("/v2/{}{}", ref_.repository, suffix);
}

fetch::HttpResponse Client::send_once(fetch::HttpRequest req) {
  if (req.url.starts_with("/")) req.url = scheme_ + "://" + ref_.api_host() + req.url;
  req.verify_tls = opts_.tls_verify;
  req.ca_file = ca_file_;
  if (!authorization_.empty()) req.headers.push_back("Authorization: " + authorization_);
  try {
    return fetch::http_request(req);
  } catch (const Error& e) {
    // --tls-verify=false also lets a registry without TLS (a test setup) be spoken to.
    std::string https = "https://" + ref_.api_host() + "/";
    if (e.err() != EPROTO || opts_.tls_verify || scheme_ != "https" || !req.url.starts_with(https))
      throw;
    std::fprintf(stderr, "bale: warning: %s speaks no TLS; using plain HTTP (--tls-verify=false)\n",
                 quote(ref_.registry).c_str());
    scheme_ = "http";
    req.url = "http://" + req.url.substr(8);
    return fetch::http_request(req);
  }
}

fetch::HttpResponse Client::send(fetch::HttpRequest req) {
  fetch::HttpResponse r = send_once(req);
  if (r.status != 401) return r;
  authenticate(r);
  r = send_once(req);
  if (r.status == 401) {
    std::string who = opts_.credentials ? "the credentials of " + quote(opts_.credentials->user)
                                        : std::string("anonymous access");
    Error e(fmt::format("{}: the registry refused {} (HTTP 401: {})", quote(ref_.registry), who,
                        registry_message(r)));
    throw e.with_hint(fmt::format("to log in again: bale login {}", ref_.registry));
  }
  return r;
}

void Client::authenticate(const fetch::HttpResponse& unauthorized) {
  Challenge c = parse_challenge(unauthorized.header("www-authenticate"));
  if (c.scheme == "bearer" && !c.param("realm").empty()) {
    // No repository (login): a token for the registry alone, as `docker login` asks.
    std::string scope = ref_.repository.empty()
                            ? ""
                            : fmt::format("repository:{}:{}", ref_.repository, opts_.push ? "pull,push" : "pull");
    fetch_token(c.param("realm"), c.param("service"), scope);
    return;
  }
  if (c.scheme != "basic")
    throw Error(fmt::format("{}: HTTP 401 with no challenge bale can answer ({}): {}",
                            quote(ref_.registry), quote(unauthorized.header("www-authenticate")),
                            registry_message(unauthorized)));
  if (!opts_.credentials)
    throw Error(fmt::format("{}: the registry wants a user and password (HTTP 401: {})",
                            quote(ref_.registry), registry_message(unauthorized)))
        .with_hint(fmt::format("to log in: bale login {}", ref_.registry));
  authorization_ = "Basic " + trust::base64_encode(opts_.credentials->user + ":" + opts_.credentials->password);
}

void Client::fetch_token(const std::string& realm, const std::string& service,
                         const std::string& scope) {
  fetch::HttpRequest req;
  std::string query;
  if (!scope.empty()) query += "&scope=" + url_encode(scope);
  if (!service.empty()) query += "&service=" + url_encode(service);
  if (opts_.credentials) query += "&account=" + url_encode(opts_.credentials->user);
  req.url = realm;
  if (!query.empty()) req.url += (realm.find('?') == std::string::npos ? "?" : "&") + query.substr(1);
  req.verify_tls = opts_.tls_verify;
  req.ca_file = ca_file_;
  if (opts_.credentials)
    req.headers.push_back("Authorization: Basic " + trust::base64_encode(opts_.credentials->user + ":" +
                                                                          opts_.credentials->password));
  fetch::HttpResponse r = fetch::http_request(req);
  if (r.status == 401 || r.status == 403) {
    Error e(fmt::format("{}: the token server {} refused {} (HTTP {}: {})", quote(ref_.registry),
                        quote(realm), opts_.credentials ? "the credentials of " + quote(opts_.credentials->user)
                                                        : std::string("anonymous access"),
                        r.status, registry_message(r)));
    throw e.with_hint(fmt::format("to log in: bale login {}", ref_.registry));
  }
  if (r.status != 200)
    throw Error(fmt::format("{}: token server {}: HTTP {}: {}", quote(ref_.registry), quote(realm),
                            r.status, registry_message(r)));
  json j = json::parse(r.body, nullptr, false);
  std::string token;
  if (j.is_object())
    for (const char* k : {"token", "access_token"})
      if (j.contains(k) && j[k].is_string() && !j[k].get<std::string>().empty()) token = j[k];
  if (token.empty())
    throw Error(fmt::format("{}: token server {} answered without a token", quote(ref_.registry),
                            quote(realm)));
  authorization_ = "Bearer " + token;
}

void Client::check_access() {
  fetch::HttpRequest req;
  req.url = "/v2/";
  fetch::HttpResponse r = send(req);
  if (r.status != 200) fail(r, fmt::format("{}: /v2/", quote(ref_.registry)));
}

void Client::fail(const fetch::HttpResponse& r, const std::string& what) const {
  std::string msg = registry_message(r);
  throw Error(fmt::format("{}: HTTP {}{}", what, r.status, msg.empty() ? "" : ": " + msg),
              r.status == 404 ? ENOENT : 0);
}

}  // namespace bale::registry
