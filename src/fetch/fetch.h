// Downloading images from file://, http(s)://, sftp:// and scp:// URLs with libcurl: to a
// temporary file beside the destination, renamed into place only when complete. A progress
// bar on a terminal; one line per stage otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace bale::fetch {

bool is_url(const std::string& s);
// The URL with any user:password@ replaced by ***@: what messages may show.
std::string redact(const std::string& url);

// What an HTTP server said identifies the file it sent (ETag, Last-Modified).
struct Validators {
  std::string etag, last_modified;
  bool empty() const { return etag.empty() && last_modified.empty(); }
};

struct Fetched {
  bool modified = true;  // false: the server answered 304, nothing was written
  Validators validators;  // of the response, for asking again next time
  std::optional<int64_t> last_modified;  // the same as a time: seconds since the epoch
};

// Downloads `url` to `dest`. With `known` (over HTTP), the server is asked to answer "not
// modified" when its file is still the one those validators describe. Throws bale::Error naming
// the URL and what failed (HTTP status, connection, authentication), leaving nothing at `dest`;
// its errno is ECONNREFUSED when the server could not be reached at all.
Fetched download(const std::string& url, const std::string& dest, const Validators& known = {});

}  // namespace bale::fetch
