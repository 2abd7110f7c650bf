// A client of one repository of an OCI distribution registry (distribution-spec v1.1): the
// requests go to https://HOST/v2/REPO/..., and a 401 is answered once by authenticating as the
// registry's WWW-Authenticate asks: HTTP basic, or a bearer token from its token endpoint
// (with the credentials of docker's config.json, if any), then the request is sent again.
#pragma once

#include <optional>
#include <string>

#include "fetch/http.h"
#include "registry/credentials.h"
#include "registry/reference.h"

namespace bale::registry {

struct ClientOptions {
  bool tls_verify = true;  // false: TLS unchecked (or plain HTTP when the registry has no TLS)
  bool push = false;       // ask for push access too
  std::optional<Credentials> credentials;  // default: from docker's config.json
  std::string config_dir;  // certs.d/HOST/ca.crt below it verifies the registry's TLS
};

class Client {
 public:
  Client(Reference ref, ClientOptions opts);

  const Reference& ref() const { return ref_; }
  // https://HOST/v2/REPO + suffix ("/manifests/latest", "/blobs/sha256:..").
  std::string repo_url(const std::string& suffix) const;
  // Sends `req` (its url absolute, or a path starting with '/' on this registry) with the
  // authorization so far, authenticating on a 401. Throws bale::Error when the registry cannot
  // be reached or refuses the credentials; any other status is the caller's to judge.
  fetch::HttpResponse send(fetch::HttpRequest req);
  // GET /v2/: whether the registry speaks the API and takes the credentials; throws if not.
  void check_access();
  // Throws bale::Error: "`what`: HTTP STATUS: what the registry said" (its error codes and
  // messages from the JSON error body, else the start of the body).
  [[noreturn]] void fail(const fetch::HttpResponse& r, const std::string& what) const;

 private:
  fetch::HttpResponse send_once(fetch::HttpRequest req);
  void authenticate(const fetch::HttpResponse& unauthorized);
  void fetch_token(const std::string& realm, const std::string& service, const std::string& scope);

  Reference ref_;
  ClientOptions opts_;
  std::string scheme_ = "https";
  std::string ca_file_;
  std::string authorization_;  // "Basic ..." or "Bearer ..."
};

// The registry's own words for a failed request: "CODE: message" of each error in a JSON error
// body, else its first line; "" when it sent none.
std::string registry_message(const fetch::HttpResponse& r);

}  // namespace bale::registry
