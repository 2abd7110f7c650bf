// The store's memory of downloaded URLs (see url_index.h).
#include "store/url_index.h"

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "image/digest.h"

namespace bale::store {

using nlohmann::json;

namespace {

std::string entry_path(const Store& store, const std::string& url) {
  return store.root() + "/urls/" + image::sha256_hex(url) + ".json";
}

}  // namespace

std::optional<UrlEntry> find_url(const Store& store, const std::string& url) {
  auto text = read_file_if_exists(entry_path(store, url), 1 << 16);
  if (!text) return std::nullopt;
  try {
    json j = json::parse(*text);
    UrlEntry e{j.at("digest").get<std::string>(),
               {j.at("etag").get<std::string>(), j.at("last_modified").get<std::string>()},
               j.at("fetched").get<long long>()};
    if (!path_exists(store.blob_path(e.digest))) return std::nullopt;  // gc took the file
    return e;
  } catch (const json::exception&) {
    return std::nullopt;  // a damaged entry is no entry: the image is downloaded again
  }
}

void save_url(const Store& store, const std::string& url, const UrlEntry& e) {
  mkdir_p(store.root() + "/urls", 0700);
  json j = {{"url", fetch::redact(url)},          {"digest", e.digest},
            {"etag", e.validators.etag},          {"last_modified", e.validators.last_modified},
            {"fetched", e.fetched}};
  write_file_atomic(entry_path(store, url), j.dump() + "\n", 0600);
}

std::vector<std::string> url_digests(const Store& store) {
  std::vector<std::string> out;
  std::string dir = store.root() + "/urls";
  if (!path_exists(dir)) return out;
  for (const auto& f : list_dir(dir)) {
    auto text = read_file_if_exists(dir + "/" + f, 1 << 16);
    try {
      if (text) out.push_back(json::parse(*text).at("digest").get<std::string>());
    } catch (const json::exception&) {
    }
  }
  return out;
}

}  // namespace bale::store
