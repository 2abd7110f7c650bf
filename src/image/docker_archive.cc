// docker-archive / OCI layout import and docker-archive export (see docker_archive.h).
#include "image/docker_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <openssl/evp.h>

#include <memory>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "image/body_reader.h"
#include "image/config.h"
#include "image/digest.h"
#include "image/image_file.h"
#include "image/layered_image.h"
#include "image/tree_tar.h"
#include "image/unpack.h"

namespace bale::image {

using nlohmann::json;

namespace {

struct Manifest {
  std::string format;
  std::string config_path;
  std::vector<std::string> layer_paths;
};

// Opens a member of the extracted archive, resolving every symlink inside it: an archive's
// symlink can never make bale read a file of the host.
UniqueFd open_member(int dir_fd, const std::string& rel, const std::string& src) {
  UniqueFd fd(open_in_root(dir_fd, clean_entry_name(rel), O_RDONLY));
  struct stat st;
  if (!fd || fstat(fd.get(), &st) < 0 || !S_ISREG(st.st_mode))
    throw Error(fmt::format("{}: {} is missing from the archive or not a file", quote(src),
                            quote(rel)));
  return fd;
}

json read_json(int dir_fd, const std::string& rel, const std::string& src) {
  UniqueFd fd = open_member(dir_fd, rel, src);
  std::string text = pread_exact(fd.get(), 0, file_size(fd.get(), rel), rel);
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded())
    throw Error(fmt::format("{}: {} is not valid JSON", quote(src), quote(rel)));
  return j;
}

std::string blob_path(const json& descriptor, const std::string& src) {
  std::string digest = descriptor.value("digest", "");
  if (digest.rfind("sha256:", 0) != 0 || digest.size() != 71 ||
      digest.find_first_not_of("0123456789abcdef", 7) != std::string::npos)
    throw Error(fmt::format("{}: bad digest {} in the OCI layout", quote(src), quote(digest)));
  return "blobs/sha256/" + digest.substr(7);
}

Manifest find_manifest(int dir, const std::string& src) {
  Manifest m;
  if (UniqueFd probe(open_in_root(dir, "manifest.json", O_RDONLY)); probe) {
    json j = read_json(dir, "manifest.json", src);
    if (!j.is_array() || j.empty() || !j[0].is_object())
      throw Error(fmt::format("{}: manifest.json is not a list of images", quote(src)));
    if (j.size() > 1)
      throw Error(fmt::format("{}: holds {} images; bale imports one at a time", quote(src),
                              j.size()));
    m.format = "docker-archive";
    m.config_path = j[0].value("Config", "");
    for (const auto& l : j[0].value("Layers", json::array())) m.layer_paths.push_back(l);
    return m;
  }
  if (UniqueFd probe(open_in_root(dir, "index.json", O_RDONLY)); !probe)
    throw Error(fmt::format("{}: neither a docker-archive (manifest.json) nor an OCI image "
                            "layout (index.json)", quote(src)));
  json idx = read_json(dir, "index.json", src);
  // An index may point at a nested index (e.g. per platform); follow the first entry down.
  for (int depth = 0; depth < 4; depth++) {
    auto ms = idx.value("manifests", json::array());
    if (ms.empty()) throw Error(fmt::format("{}: the OCI index lists no manifest", quote(src)));
    json next = read_json(dir, blob_path(ms[0], src), src);
    if (next.contains("layers")) {
      m.format = "oci-layout";
      m.config_path = blob_path(next.value("config", json::object()), src);
      for (const auto& l : next["layers"]) m.layer_paths.push_back(blob_path(l, src));
      return m;
    }
    idx = next;
  }
  throw Error(fmt::format("{}: OCI index nests too deep", quote(src)));
}

}  // namespace

ImportResult import_archive(const std::string& src, const std::string& dest,
                            const trust::PrivateKey& key) {
  TempDir work(dirname_of(dest), ".bale-import-");
  std::string outer = work.path() + "/archive";
  mkdir_p(outer, 0700);
  {
    UniqueFd fd = open_file(src, O_RDONLY);
    ArchiveReader a = open_archive_range(fd.get(), 0, file_size(fd.get(), src), src, false);
    unpack_tar(a.get(), src, outer);
  }
  UniqueFd outer_fd = open_file(outer, O_RDONLY | O_DIRECTORY);
  Manifest m = find_manifest(outer_fd.get(), src);
  json config = sanitize_config(read_json(outer_fd.get(), m.config_path, src),
                                fmt::format("{}:{}", src, m.config_path));
  ImportResult r{m.format, m.layer_paths.size()};
  std::vector<UniqueFd> fds;
  std::vector<LayerInput> layers;
  for (const auto& l : m.layer_paths) {
    fds.push_back(open_member(outer_fd.get(), l, src));
    std::string name = fmt::format("{}:{}", src, l);  // errors name the user's archive
    layers.push_back({fds.back().get(), file_size(fds.back().get(), name), name, ""});
  }
  auto w = write_layered_image(layers, std::move(config), dest, key,
                               fmt::format("bale import {}", basename_of(src)));
  r.whiteouts = w.whiteouts;
  r.entries = w.entries;
  return r;
}

namespace {

struct ArchiveWriteFree {
  void operator()(archive* a) const { archive_write_free(a); }
};

void add_file(archive* a, const std::string& name, uint64_t size,
              const std::function<void(const std::function<void(std::string_view)>&)>& data,
              const std::string& dest) {
  std::unique_ptr<archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(),
                                                                  archive_entry_free);
  archive_entry_set_pathname(e.get(), name.c_str());
  archive_entry_set_filetype(e.get(), AE_IFREG);
  archive_entry_set_perm(e.get(), 0644);
  archive_entry_set_size(e.get(), size);
  if (archive_write_header(a, e.get()) != ARCHIVE_OK)
    throw Error(fmt::format("writing {}: {}", quote(dest), archive_error_string(a)));
  uint64_t written = 0;
  data([&](std::string_view d) {
    if (archive_write_data(a, d.data(), d.size()) < 0)
      throw Error(fmt::format("writing {}: {}", quote(dest), archive_error_string(a)));
    written += d.size();
  });
  if (written != size)
    throw Error(fmt::format("writing {}: {} has {} bytes, not the {} its image declares",
                            quote(dest), name, written, size));
}

}  // namespace

void export_docker_archive(const std::string& image, const std::string& dest,
                           const std::optional<std::string>& tag) {
  ImageInfo info = read_image_info(image);
  UniqueFd in = open_file(image, O_RDONLY);
  uint64_t tar_size = info.trailer ? info.trailer->tar.size : 0;
  std::string config_bytes;
  if (info.trailer) {
    config_bytes = info.trailer->config;
  } else {
    // A plain tar.gz (exported only with --insecure): an empty config around its tar, whose
    // sha256 and size take one pass over it.
    Digest sha = Digest::sha256();
    inflate_range(in.get(), 0, info.file_size, image, [&](std::string_view d) {
      sha.update(d);
      tar_size += d.size();
    });
    json c = new_config();
    finalize_config(c, sha.hex(),
                    fmt::format("bale export {}", basename_of(image)));
    config_bytes = serialize_config(c);
  }
  json config = parse_config(config_bytes, quote(image));
  std::string diff_id = single_diff_id(config, quote(image)).substr(7);
  std::string config_name = sha256_hex(config_bytes) + ".json";
  std::string layer_name = diff_id + "/layer.tar";
  json manifest = json::array({json{{"Config", config_name},
                                    {"RepoTags", tag ? json::array({*tag}) : json(nullptr)},
                                    {"Layers", json::array({layer_name})}}});
  std::string manifest_bytes = manifest.dump();

  AtomicFile out(dest, 0644);
  std::unique_ptr<archive, ArchiveWriteFree> a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  if (archive_write_open_fd(a.get(), out.fd()) != ARCHIVE_OK)
    throw Error(fmt::format("writing {}: {}", quote(dest), archive_error_string(a.get())));
  auto bytes = [](const std::string& s) {
    return [&s](const std::function<void(std::string_view)>& sink) { sink(s); };
  };
  add_file(a.get(), config_name, config_bytes.size(), bytes(config_bytes), dest);
  add_file(a.get(), layer_name, tar_size,
           [&](const std::function<void(std::string_view)>& sink) {
             inflate_range(in.get(), 0, info.body_size(), image, sink);
           },
           dest);
  add_file(a.get(), "manifest.json", manifest_bytes.size(), bytes(manifest_bytes), dest);
  if (archive_write_close(a.get()) != ARCHIVE_OK)
    throw Error(fmt::format("writing {}: {}", quote(dest), archive_error_string(a.get())));
  out.commit();
}

}  // namespace bale::image
