// The bottom layer's part of a squash when that layer is a base image's tree (see squash.h):
// what the base image's tar holds minus the entries layers above replace or delete, written by
// the same writer over the same tree, byte for byte. The base's body is 1 MiB chunks, each its
// own gzip member; cutting this body where the base's chunks end lets every chunk nothing was
// taken out of be the base's member itself, copied instead of compressed (checked by its CRC-32
// and size).
//
// When no layer above touches anything of the base, the bottom part is the base's tar without
// its end blocks. The first build that finds this records, beside the base's tree in the store,
// where the body and both hashes stood at the base's last full chunk; later builds on the base
// (even after the build cache was pruned) copy those members, write the rest of the base's tar
// (inflated from its last member) and go on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/fd.h"
#include "builder/squash_layers.h"
#include "builder/squash_records.h"
#include "image/gzip_body.h"
#include "image/tree_tar.h"

namespace bale::builder {

class SquashBase {
 public:
  SquashBase(const SquashLayers& layers, std::string base_image, std::optional<int64_t> clamp)
      : layers_(layers), base_image_(std::move(base_image)), clamp_(clamp) {}

  // The bottom layer is a base image with a chunked body that can be followed.
  bool possible();
  // No layer above has an entry where the base has a path.
  bool nothing_shadowed() const;
  // The whole bottom part from the base's record; only when possible() and nothing_shadowed().
  std::optional<SquashRecords::Resumed> resume_whole(image::GzipBodyWriter& body);
  // Writes the bottom layer's part following the base's members; returns its entries.
  uint64_t emit(image::GzipBodyWriter& body);
  uint64_t reused_members() const { return reused_members_; }

 private:
  bool check();
  bool shadowed_hardlinks() const;
  std::string member_for(std::string_view chunk);
  void walk(image::TarWriter& all, const std::string& rel, bool hidden, bool& forward,
            uint64_t& kept);
  std::string record_path() const;
  void save_record(uint64_t entries) const;

  const SquashLayers& layers_;
  std::string base_image_;
  std::optional<int64_t> clamp_;
  UniqueFd base_fd_;
  std::vector<std::pair<uint64_t, uint32_t>> base_members_;  // offset, size
  uint64_t base_off_ = 0;   // where the base's own tar stands
  size_t chunk_member_ = 0; // the base member the chunk being filled would be
  bool chunk_clean_ = true; // nothing of the base left out of that chunk so far
  bool following_ = false;
  uint64_t reused_members_ = 0;
  bool checked_ = false, ok_ = false;
  bool base_intact_ = true;  // nothing of the base left out so far
  std::optional<image::BodyCheckpoint> last_intact_;
  size_t last_intact_member_ = 0;
};

}  // namespace bale::builder
