// One HTTP request over libcurl (see http.h).
#include "fetch/http.h"

#include <curl/curl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <exception>
#include <memory>

#include <fmt/format.h>

#include "base/error.h"
#include "fetch/fetch.h"

namespace bale::fetch {

namespace {

struct Transfer {
  const HttpRequest* req;
  HttpResponse* resp;
  CURL* curl;
  std::exception_ptr error;  // what the sink threw, rethrown after curl returns
  int status_seen = -1;      // the status the body belongs to, read at its first byte
  uint64_t read_at = 0;      // upload: the next offset of body_fd to send
};

size_t on_body(char* data, size_t size, size_t n, void* p) {
  auto* t = static_cast<Transfer*>(p);
  std::string_view chunk(data, size * n);
  if (t->status_seen < 0) {
    long status = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
    t->status_seen = static_cast<int>(status);
    if (t->req->on_status && t->req->sink && status >= 200 && status < 300) {
      try {
        t->req->on_status(status, *t->resp);
      } catch (...) {
        t->error = std::current_exception();
        return 0;
      }
    }
  }
  if (!t->req->sink || t->status_seen < 200 || t->status_seen >= 300) {
    if (t->resp->body.size() + chunk.size() > (16u << 20)) return 0;  // an error page, not a blob
    t->resp->body.append(chunk);
    return chunk.size();
  }
  try {
    t->req->sink(chunk);
  } catch (...) {
    t->error = std::current_exception();
    return 0;
  }
  return chunk.size();
}

size_t on_header(char* data, size_t size, size_t n, void* p) {
  auto* resp = static_cast<HttpResponse*>(p);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) resp->headers.clear();  // a new response (after a redirect)
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return line.size();
  std::string name;
  for (char c : line.substr(0, colon)) name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  resp->headers[name] = std::string(value);
  return line.size();
}

size_t on_read(char* buf, size_t size, size_t n, void* p) {
  auto* t = static_cast<Transfer*>(p);
  uint64_t end = t->req->body_offset + t->req->body_size;
  size_t want = static_cast<size_t>(std::min<uint64_t>(size * n, end - t->read_at));
  if (want == 0) return 0;
  ssize_t got = pread(t->req->body_fd, buf, want, static_cast<off_t>(t->read_at));
  if (got <= 0) {
    t->error = std::make_exception_ptr(
        sys_error("read", "the request body", got < 0 ? errno : EIO));
    return CURL_READFUNC_ABORT;
  }
  t->read_at += static_cast<uint64_t>(got);
  return static_cast<size_t>(got);
}

int on_progress(void* p, curl_off_t total, curl_off_t now, curl_off_t up_total, curl_off_t up_now) {
  auto* t = static_cast<Transfer*>(p);
  if (t->req->progress && t->status_seen >= 200 && t->status_seen < 300)
    t->req->progress(static_cast<uint64_t>(now), static_cast<uint64_t>(total));
  if (t->req->upload_progress && up_total > 0)
    t->req->upload_progress(static_cast<uint64_t>(up_now), static_cast<uint64_t>(up_total));
  return 0;
}

void set_method_and_body(CURL* c, const HttpRequest& req, Transfer& t) {
  if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (req.body_fd >= 0) {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);  // PUT, or the method below
    curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &t);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.body_size));
    t.read_at = req.body_offset;
  } else if (req.method != "GET") {
    // A body from memory, possibly empty (POST of an upload session); any method but GET.
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body ? req.body->data() : "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(req.body ? req.body->size() : 0));
  }
  if (req.method != "GET" && req.method != "HEAD" && req.method != "POST" &&
      !(req.method == "PUT" && req.body_fd >= 0))
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
}

int errno_for(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return ECONNREFUSED;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return EPROTO;
    default:
      return EIO;
  }
}

}  // namespace

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

HttpResponse http_request(const HttpRequest& req) {
  static bool init = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!init) throw Error("libcurl failed to initialize");
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> c(curl_easy_init(), curl_easy_cleanup);
  HttpResponse resp;
  Transfer t{&req, &resp, c.get(), nullptr, -1, 0};
  char err[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c.get(), CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c.get(), CURLOPT_ERRORBUFFER, err);
  curl_easy_setopt(c.get(), CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L);
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c.get(), CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c.get(), CURLOPT_HEADERDATA, &resp);
  curl_easy_setopt(c.get(), CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c.get(), CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c.get(), CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(c.get(), CURLOPT_CONNECTTIMEOUT, 30L);
  // A server that stops sending without closing: give up after a minute under 1 byte/s.
  curl_easy_setopt(c.get(), CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c.get(), CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(c.get(), CURLOPT_SSL_VERIFYPEER, req.verify_tls ? 1L : 0L);
  curl_easy_setopt(c.get(), CURLOPT_SSL_VERIFYHOST, req.verify_tls ? 2L : 0L);
  if (!req.ca_file.empty()) curl_easy_setopt(c.get(), CURLOPT_CAINFO, req.ca_file.c_str());
  set_method_and_body(c.get(), req, t);
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
  for (const auto& h : req.headers) headers.reset(curl_slist_append(headers.release(), h.c_str()));
  headers.reset(curl_slist_append(headers.release(), "Expect:"));  // no 100-continue round trip
  curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, headers.get());
  CURLcode rc = curl_easy_perform(c.get());
  if (t.error) std::rethrow_exception(t.error);
  if (rc != CURLE_OK)
    throw Error(fmt::format("{} {}: {}", req.method, quote(redact(req.url)),
                            err[0] ? err : curl_easy_strerror(rc)),
                errno_for(rc));
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &resp.status);
  char* final_url = nullptr;
  curl_easy_getinfo(c.get(), CURLINFO_EFFECTIVE_URL, &final_url);
  resp.url = final_url ? final_url : req.url;
  return resp;
}

}  // namespace bale::fetch
