// Squash records in the build cache (see squash_records.h).
#include "builder/squash_records.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "image/digest.h"

namespace bale::builder {

using nlohmann::json;

std::string unhex(const std::string& h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out += static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16));
  return out;
}

std::string SquashRecords::path(const std::string& key) const {
  return fmt::format("{}/{}.json", dir_, key.substr(0, 24));
}

std::optional<SquashRecords::Resumed> SquashRecords::resume(const std::string& key,
                                                            image::GzipBodyWriter& body) const {
  auto text = read_file_if_exists(path(key), 1 << 16);
  if (!text) return std::nullopt;
  json r = json::parse(*text, nullptr, false);
  if (!r.is_object() || !r.contains("image") || !r["image"].is_string()) return std::nullopt;
  std::string image = r["image"].get<std::string>();
  UniqueFd fd(open(image.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st;
  image::BodyCheckpoint c{r.value("tar_size", 0ULL), r.value("body_size", 0ULL), "", ""};
  if (!fd || fstat(fd.get(), &st) < 0 || static_cast<uint64_t>(st.st_size) <= c.body_size ||
      r.value("ino", 0ULL) != st.st_ino ||
      r.value("size", 0ULL) != static_cast<uint64_t>(st.st_size))
    return std::nullopt;  // the earlier image is gone or was replaced: squash from the start
  c.tar_hash = unhex(r.value("tar_hash", ""));
  c.file_hash = unhex(r.value("file_hash", ""));
  try {
    body.resume(fd.get(), image, c);
  } catch (const Error&) {
    return std::nullopt;
  }
  return Resumed{r.value("entries", 0ULL), r.value("body_size", 0ULL)};
}

void SquashRecords::save(const std::string& image,
                         const std::vector<SquashCheckpoint>& checkpoints) const {
  struct stat st;
  if (stat(image.c_str(), &st) < 0) throw_sys("stat", image);
  for (const auto& [key, c, entries] : checkpoints) {
    json j{{"image", image}, {"ino", st.st_ino}, {"size", st.st_size},
           {"body_size", c.body_size}, {"tar_size", c.tar_size},
           {"tar_hash", image::hex(c.tar_hash)}, {"file_hash", image::hex(c.file_hash)},
           {"entries", entries}};
    write_file_atomic(path(key), j.dump());
  }
}

}  // namespace bale::builder
