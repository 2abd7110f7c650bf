// `bale pack DIR -o IMAGE`: a directory tree and a config into one signed image file.
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "cmd/commands.h"
#include "image/image_file.h"
#include "image/tree_tar.h"
#include "store/names.h"
#include "trust/keystore.h"

namespace bale::cmd {

std::vector<std::string> parse_command_form(const std::string& value, const std::string& flag) {
  if (!value.empty() && value[0] == '[') {
    auto j = nlohmann::json::parse(value, nullptr, false);
    if (j.is_discarded() || !j.is_array())
      throw Error(fmt::format("{} {}: not a JSON array of strings", flag, quote(value)), 0, 2);
    std::vector<std::string> out;
    for (const auto& e : j) {
      if (!e.is_string())
        throw Error(fmt::format("{} {}: not a JSON array of strings", flag, quote(value)), 0, 2);
      out.push_back(e);
    }
    return out;
  }
  return {"/bin/sh", "-c", value};
}

int pack(PackOptions o) {
  for (const auto& t : o.tags) store::normalize_name(t);  // refuse a bad name before any work
  for (const auto& kv : o.labels) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error(fmt::format("--label {}: expected KEY=VALUE", quote(kv)), 0, 2);
    o.edits.labels.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  if (o.entrypoint) o.edits.entrypoint = parse_command_form(*o.entrypoint, "--entrypoint");
  if (o.cmd) o.edits.cmd = parse_command_form(*o.cmd, "--cmd");
  nlohmann::json config = o.config_file.empty()
                              ? image::new_config()
                              : image::sanitize_config(image::parse_config(read_file(o.config_file),
                                                                           quote(o.config_file)),
                                                       quote(o.config_file));
  image::apply_edits(config, o.edits);
  auto clamp = image::source_date_epoch();
  auto key = trust::load_signing_key(trust::TrustPaths::defaults(), o.key);
  image::TreeTarStats stats;
  auto r = image::write_image(
      o.output, key,
      [&](image::GzipBodyWriter& body) {
        stats = image::write_tree_tar(o.dir, {clamp, image::file_id(body.output_fd())},
                                      [&](std::string_view d) { body.write(d); });
        return stats.entries;
      },
      [&](const std::string& sha) {
        image::finalize_config(config, sha, fmt::format("bale pack {}", basename_of(o.dir)));
        return image::serialize_config(config);
      });
  if (stats.skipped_sockets)
    std::fprintf(stderr, "bale: %s: %llu sockets left out (a tar cannot hold them)\n",
                 quote(o.dir).c_str(), static_cast<unsigned long long>(stats.skipped_sockets));
  tag_in_store(o.output, o.tags);
  std::fprintf(stderr, "packed %s: %llu entries, %llu bytes of tar into %llu bytes\n",
               quote(o.output).c_str(), static_cast<unsigned long long>(r.tar.entries),
               static_cast<unsigned long long>(r.tar.size),
               static_cast<unsigned long long>(r.file_size));
  return 0;
}

}  // namespace bale::cmd
