// Where earlier squashes stood after each layer's part (see squash.h): one record per part in
// the build cache, naming the image it points into by path, inode and size, so that a record
// never vouches for another file put in its place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "image/gzip_body.h"

namespace bale::builder {

struct SquashCheckpoint {
  std::string key;  // SquashLayers::key of the part that ends here
  image::BodyCheckpoint body;
  uint64_t entries;
};

class SquashRecords {
 public:
  explicit SquashRecords(std::string dir) : dir_(std::move(dir)) {}

  struct Resumed {
    uint64_t entries = 0, body_size = 0;
  };
  // Continues `body` from the record of `key`; none when there is no record or its image is
  // gone, replaced or unreadable.
  std::optional<Resumed> resume(const std::string& key, image::GzipBodyWriter& body) const;
  // Makes the checkpoints findable, pointing into `image` (kept in the cache).
  void save(const std::string& image, const std::vector<SquashCheckpoint>& checkpoints) const;

 private:
  std::string path(const std::string& key) const;

  std::string dir_;
};

// The bytes of a hex string (a recorded hash state).
std::string unhex(const std::string& h);

}  // namespace bale::builder
