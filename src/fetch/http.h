// One HTTP request over libcurl, for protocols spoken on top of HTTP (the OCI distribution
// API): any method, headers in and out, a body from memory or from a file, and the response
// body either collected or streamed to a sink. The status is the caller's to judge; only a
// failure to get any answer throws.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bale::fetch {

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, POST, PUT, PATCH, DELETE
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::optional<std::string> body;   // sent as is (POST, PUT, PATCH)
  // Or the body read from this file: bytes [body_offset, body_offset + body_size).
  int body_fd = -1;
  uint64_t body_offset = 0, body_size = 0;
  // A 2xx response's body goes here as it arrives (other responses are collected in
  // HttpResponse::body, to be shown). Throwing from it aborts the transfer with that error.
  std::function<void(std::string_view)> sink;
  // Called once a 2xx response's headers are in, before its body goes to the sink.
  std::function<void(long status, const struct HttpResponse& r)> on_status;
  bool verify_tls = true;
  std::string ca_file;  // a CA bundle to verify against instead of the system's
  bool follow_redirects = true;
  // Called with the bytes received so far and the total (0 when unknown).
  std::function<void(uint64_t now, uint64_t total)> progress;
  // Called with the bytes of the request body sent so far and its size.
  std::function<void(uint64_t now, uint64_t total)> upload_progress;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names, of the last response
  std::string body;                            // unless a sink took it
  std::string url;                             // after redirects
  std::string header(const std::string& lower_name) const;
};

// Throws bale::Error naming the URL (passwords redacted) when no HTTP answer came: connection
// refused, TLS failure, timeout, or an error thrown by the sink. Its errno is ECONNREFUSED when
// the server could not be reached; EPROTO for a TLS handshake failure.
HttpResponse http_request(const HttpRequest& req);

}  // namespace bale::fetch
