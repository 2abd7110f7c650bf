// What the store remembers of images it downloaded: for each URL, the digest of the file it got
// and the server's validators (ETag, Last-Modified). A later run of the same URL asks the server
// whether the file changed (HTTP 304: nothing is downloaded) and, when the server cannot be
// reached at all, runs the copy it already has, so a service's restart neither downloads its
// image again nor depends on the server being up.
//   urls/<sha256 of the URL>.json   {"url": redacted, "digest", "etag", "last_modified", "fetched"}
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fetch/fetch.h"
#include "store/store.h"

namespace bale::store {

struct UrlEntry {
  std::string digest;  // sha256:... of the image file (its name in blobs/)
  fetch::Validators validators;
  long long fetched = 0;  // when it was downloaded, seconds since the epoch
};

// The entry for `url` whose image file is still in the store; nullopt otherwise.
std::optional<UrlEntry> find_url(const Store& store, const std::string& url);
void save_url(const Store& store, const std::string& url, const UrlEntry& entry);
// The digests the entries name: gc keeps these image files, as it keeps named ones.
std::vector<std::string> url_digests(const Store& store);

}  // namespace bale::store
