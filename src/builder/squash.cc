// Squashing a stage's layers into one image, resuming from earlier squashes (see squash.h): the
// parts of the tar in order, from records (squash_records), the base's own members
// (squash_base) or the layers' files.
#include "builder/squash.h"

#include <sys/stat.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "builder/run_step.h"
#include "builder/squash_base.h"
#include "builder/squash_layers.h"
#include "builder/squash_records.h"
#include "image/config.h"
#include "image/digest.h"
#include "image/gzip_body.h"
#include "image/image_file.h"
#include "image/tree_tar.h"

namespace bale::builder {

using nlohmann::json;

namespace {

class Squash {
 public:
  Squash(std::vector<std::string> lowers, std::optional<int64_t> clamp, std::string records,
         std::string base_image)
      : layers_(std::move(lowers), clamp), clamp_(clamp), records_(std::move(records)),
        base_(layers_, std::move(base_image), clamp) {}

  // Streams the tar into `body`, resuming after the longest part an earlier squash recorded.
  uint64_t write(image::GzipBodyWriter& body, bool may_resume) {
    const size_t n = layers_.lowers().size();
    size_t start = 0;
    uint64_t entries = 0;
    for (size_t g = may_resume ? n : 0; g-- > 0;) {
      if (auto r = records_.resume(layers_.key(g), body)) {
        start = g + 1;
        entries = r->entries;
        reused_ = r->body_size;
        break;
      }
    }
    image::TarWriter tar({clamp_, std::nullopt}, [&](std::string_view d) { body.write(d); });
    if (start == 0 && may_resume && base_.possible() && base_.nothing_shadowed()) {
      if (auto r = base_.resume_whole(body)) {
        entries = r->entries;
        reused_ = r->body_size;
        checkpoints_.push_back({layers_.key(0), body.checkpoint(), entries});
        start = 1;
      }
    }
    for (size_t g = start; g < n; g++) {
      check_interrupted();
      if (g == 0 && base_.possible()) {
        entries += base_.emit(body);
      } else {
        emit(tar, static_cast<int>(g), "");
        tar.finish_entry();
      }
      image::BodyCheckpoint c = body.checkpoint();
      checkpoints_.push_back({layers_.key(g), c, entries + tar.stats().entries});
    }
    tar.close();
    return entries + tar.stats().entries;
  }

  // Makes the checkpoints of this squash findable, pointing into `image` (kept in the cache).
  void save(const std::string& image) const { records_.save(image, checkpoints_); }

  uint64_t reused_bytes() const { return reused_; }
  uint64_t reused_members() const { return base_.reused_members(); }

 private:
  // Part g of the tar: what layer g provides, in walk order. Layer g provides a path when no
  // layer above has an entry there, and no layer above hides a directory on its way (a
  // whiteout, an opaque directory or a non-directory there).
  void emit(image::TarWriter& tar, int g, const std::string& rel) {
    const std::string& root = layers_.lowers()[g];
    for (const auto& [name, st] : image::read_children(rel.empty() ? root : root + "/" + rel, true)) {
      std::string child = rel.empty() ? name : rel + "/" + name;
      std::string full = root + "/" + child;
      if (is_whiteout(st)) continue;
      if (SquashLayers::above(layers_.entries(), child) <= g) {
        if (S_ISSOCK(st.st_mode)) {
          tar.stats().skipped_sockets++;
        } else {
          tar.add(child, full, st);
        }
      }
      if (S_ISDIR(st.st_mode) && SquashLayers::above(layers_.hiders(), child) <= g)
        emit(tar, g, child);
    }
  }

  SquashLayers layers_;
  std::optional<int64_t> clamp_;
  SquashRecords records_;
  SquashBase base_;
  std::vector<SquashCheckpoint> checkpoints_;
  uint64_t reused_ = 0;
};

}  // namespace

SquashOutcome write_stage_image(const BuildCache& cache, const StageState& stage,
                                const trust::PrivateKey& key, const std::string& output,
                                bool fresh) {
  SquashOutcome out;
  json config = stage.config;
  auto clamp = image::source_date_epoch();
  // Nothing changed since an earlier build with the same config, clock and signer: its image is
  // this one (as Docker hands out the same image ID), and nothing is squashed again.
  std::string image_key = image::sha256_hex(fmt::format(
      "{}\n{}\n{}\n{}", stage.key, image::serialize_config(config),
      clamp ? std::to_string(*clamp) : "now", key.public_key().to_openssh()));
  std::string kept = cache.image_path(image_key);
  if (!fresh && path_exists(kept)) {
    place_file(kept, output);
    out.entries = image::read_image_info(output).trailer->tar.entries;
    out.reused_image = true;
    return out;
  }
  Squash squash(stage.lowers, clamp, cache.squash_dir(), stage.base_image);
  auto written = image::write_image(
      output, key,
      [&](image::GzipBodyWriter& body) { return squash.write(body, !fresh); },
      [&](const std::string& sha) {
        image::finalize_config(config, sha, "bale build");
        return image::serialize_config(config);
      },
      image::kBuildCompressionLevel);
  place_file(output, kept);
  squash.save(kept);
  out.entries = written.tar.entries;
  out.reused_bytes = squash.reused_bytes();
  out.base_members = squash.reused_members();
  return out;
}

}  // namespace bale::builder
