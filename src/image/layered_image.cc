// Layers into one signed image (see layered_image.h).
#include "image/layered_image.h"

#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "image/body_reader.h"
#include "image/config.h"
#include "image/image_file.h"
#include "image/tree_tar.h"
#include "image/unpack.h"

namespace bale::image {

LayeredResult write_layered_image(const std::vector<LayerInput>& layers, nlohmann::json config,
                                  const std::string& dest, const trust::PrivateKey& key,
                                  const std::string& created_by) {
  TempDir work(dirname_of(dest), ".bale-import-");
  std::string rootfs = work.path() + "/rootfs";
  mkdir_p(rootfs, 0755);
  LayeredResult r;
  for (const auto& l : layers) {
    ArchiveReader a = open_archive_range(l.fd, 0, l.size, l.name, false);
    r.whiteouts += unpack_tar(a.get(), l.name, rootfs, {.layer = true}).whiteouts;
  }
  auto clamp = source_date_epoch();
  auto w = write_image(
      dest, key,
      [&](GzipBodyWriter& body) {
        return write_tree_tar(rootfs, {clamp, std::nullopt}, [&](std::string_view d) { body.write(d); }).entries;
      },
      [&](const std::string& sha) {
        finalize_config(config, sha, created_by);
        return serialize_config(config);
      });
  r.entries = w.tar.entries;
  return r;
}

}  // namespace bale::image
