// Downloading images from file://, http(s)://, sftp:// and scp:// URLs with libcurl: to a
// temporary file beside the destination, renamed into place only when complete. A progress
// bar on a terminal; one line per stage otherwise.
#pragma once

#include <string>

namespace bale::fetch {

bool is_url(const std::string& s);
// The URL with any user:password@ replaced by ***@: what messages may show.
std::string redact(const std::string& url);

// Downloads `url` to `dest`. Throws bale::Error naming the URL and what failed (HTTP status,
// connection, authentication), leaving nothing at `dest`.
void download(const std::string& url, const std::string& dest);

}  // namespace bale::fetch
