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

struct Downloaded {
  std::optional<int64_t> last_modified;  // the server's Last-Modified, seconds since the epoch
};

// Downloads `url` to `dest`. Throws bale::Error naming the URL and what failed (HTTP status,
// connection, authentication), leaving nothing at `dest`.
Downloaded download(const std::string& url, const std::string& dest);

}  // namespace bale::fetch
