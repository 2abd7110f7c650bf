// libcurl downloads (see fetch.h).
#include "fetch/fetch.h"

#include <curl/curl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "base/line_printer.h"

namespace bale::fetch {

namespace {

// Shown from the first byte of the body on: a server's "not modified" shows nothing.
struct Progress {
  std::string label;
  LinePrinter printer;
  AtomicFile* out;
  bool started = false;
};

int on_progress(void* p, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto* pr = static_cast<Progress*>(p);
  if (!pr->started || !pr->printer.smart()) return 0;
  const int width = 30;
  int filled = total > 0 ? static_cast<int>(width * now / total) : 0;
  pr->printer.status(fmt::format("{} [{}{}] {:6.1f} MB{}", pr->label, std::string(filled, '#'),
                                 std::string(width - filled, ' '), now / 1e6,
                                 total > 0 ? fmt::format(" / {:.1f} MB", total / 1e6) : ""),
                     now == total);
  return 0;
}

size_t on_data(char* data, size_t size, size_t n, void* p) {
  auto* pr = static_cast<Progress*>(p);
  if (!pr->started) {
    pr->started = true;
    if (!pr->printer.smart()) pr->printer.line(pr->label);
  }
  try {
    pr->out->write(std::string_view(data, size * n));
  } catch (const Error&) {
    return 0;  // curl reports CURLE_WRITE_ERROR; we rethrow with the errno text below
  }
  return size * n;
}

// Collects the response headers that identify the file; a redirect's headers are replaced by
// the next response's.
size_t on_header(char* data, size_t size, size_t n, void* p) {
  auto* v = static_cast<Validators*>(p);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) *v = {};
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name;
    for (char ch : line.substr(0, colon)) name += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    if (name == "etag") v->etag = value;
    if (name == "last-modified") v->last_modified = value;
  }
  return size * n;
}

// A failure before any answer came: the server is down or unreachable, as opposed to one that
// answered with an error.
bool unreachable(CURLcode rc) {
  return rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_CONNECT ||
         rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_COULDNT_RESOLVE_PROXY;
}

}  // namespace

std::string redact(const std::string& url) {
  // user:password@ must not reach logs or error messages
  auto scheme = url.find("://");
  auto at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
  auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme == std::string::npos || at == std::string::npos || (slash != std::string::npos && at > slash))
    return url;
  return url.substr(0, scheme + 3) + "***@" + url.substr(at + 1);
}

bool is_url(const std::string& s) {
  for (const char* p : {"file://", "http://", "https://", "sftp://", "scp://"})
    if (s.rfind(p, 0) == 0) return true;
  return false;
}

Fetched download(const std::string& url, const std::string& dest, const Validators& known) {
  static bool init = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!init) throw Error("libcurl failed to initialize");
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> c(curl_easy_init(), curl_easy_cleanup);
  AtomicFile out(dest, 0644);
  Progress progress{fmt::format("fetching {}", redact(url)), LinePrinter(), &out};
  char err[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c.get(), CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(c.get(), CURLOPT_ERRORBUFFER, err);
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &progress);
  curl_easy_setopt(c.get(), CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c.get(), CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c.get(), CURLOPT_XFERINFODATA, &progress);
  curl_easy_setopt(c.get(), CURLOPT_CONNECTTIMEOUT, 30L);
  Fetched result;
  curl_easy_setopt(c.get(), CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c.get(), CURLOPT_HEADERDATA, &result.validators);
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
  for (const auto& h : {known.etag.empty() ? "" : "If-None-Match: " + known.etag,
                        known.last_modified.empty() ? "" : "If-Modified-Since: " + known.last_modified})
    if (!h.empty()) headers.reset(curl_slist_append(headers.release(), h.c_str()));
  if (headers) curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c.get(), CURLOPT_FILETIME, 1L);  // HTTP: Last-Modified
  // SSH: the user's usual key and known_hosts; the image's signature is what proves content.
  if (const char* home = std::getenv("HOME")) {
    std::string key = std::string(home) + "/.ssh/id_ed25519";
    if (path_exists(key)) curl_easy_setopt(c.get(), CURLOPT_SSH_PRIVATE_KEYFILE, key.c_str());
    std::string kh = std::string(home) + "/.ssh/known_hosts";
    if (path_exists(kh)) curl_easy_setopt(c.get(), CURLOPT_SSH_KNOWNHOSTS, kh.c_str());
  }
  CURLcode rc = curl_easy_perform(c.get());
  progress.printer.finish();
  if (rc != CURLE_OK)
    throw Error(fmt::format("fetch {}: {}", quote(redact(url)), err[0] ? err : curl_easy_strerror(rc)),
                unreachable(rc) ? ECONNREFUSED : 0);
  long status = 0;
  curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status == 304) {
    result.modified = false;
    return result;  // `out` was never committed: nothing is left at dest
  }
  out.commit();
  curl_off_t time = -1;  // -1: the server sent none
  if (curl_easy_getinfo(c.get(), CURLINFO_FILETIME_T, &time) == CURLE_OK && time >= 0)
    result.last_modified = static_cast<int64_t>(time);
  return result;
}

}  // namespace bale::fetch
