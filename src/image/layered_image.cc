// Layers into one signed image (see layered_image.h).
#include "image/layered_image.h"

#include <fcntl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "image/digest.h"
#include "image/body_reader.h"
#include "image/config.h"
#include "image/gzip_file.h"
#include "image/image_file.h"
#include "image/layer_merge.h"
#include "image/tar_index.h"
#include "image/tree_tar.h"
#include "image/unpack.h"

namespace bale::image {

namespace {

constexpr uint64_t kMaxPlainLayer = 1ull << 40;

// A layer's tar, inflated into a file of the work directory, and its index.
struct PlainLayer {
  std::string name, path;
  UniqueFd fd;
  std::vector<TarIndexEntry> entries;
  std::string unusual;
};

// The layer's tar is hashed as it inflates (its diff_id): checked here when the caller knows it.
void check_diff_id(const LayerInput& l, const Digest& sha) {
  std::string got = "sha256:" + sha.hex();
  if (l.diff_id.empty() || got == l.diff_id) return;
  throw Error(fmt::format("{}: inflated, it has digest {}, but the config's rootfs.diff_ids "
                          "gives {}: the image's config does not describe its layers; nothing "
                          "was stored",
                          l.name, got, l.diff_id));
}

PlainLayer inflate_layer(const LayerInput& l, const std::string& path) {
  PlainLayer p{l.name, path, open_file(path, O_RDWR | O_CREAT | O_EXCL, 0600), {}, {}};
  TarIndexer index(l.name);
  Digest sha = Digest::sha256();
  // gzip (what registries serve) with libdeflate; zstd, plain tars and the rest through
  // libarchive's streaming filters.
  auto fed = [&](std::string_view d) {
    index.feed(d);
    sha.update(d);
  };
  if (!inflate_gzip_file(l.fd, l.size, l.name, p.fd.get(), path, kMaxPlainLayer, fed)) {
    index = TarIndexer(l.name);
    sha = Digest::sha256();
    inflate_range(l.fd, 0, l.size, l.name, [&](std::string_view d) {
      fed(d);
      write_all(p.fd.get(), d, path);
    });
  }
  index.finish();
  check_diff_id(l, sha);
  p.entries = index.entries();
  p.unusual = index.why_unusual();
  return p;
}

// Every layer inflated and indexed, two (or as many as there are cores) at a time.
std::vector<PlainLayer> inflate_layers(size_t count, const LayerSource& source, const std::string& dir) {
  std::vector<PlainLayer> out(count);
  std::vector<std::exception_ptr> errors(count);
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next++) < count;) {
      try {
        out[i] = inflate_layer(source(i), dir + "/layer" + std::to_string(i) + ".tar");
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  size_t n = std::min<size_t>(count, std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> threads;
  for (size_t t = 0; t < n; t++) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  return out;
}

// The plan's pieces of the plain layers, then the two zero blocks that end a tar.
uint64_t write_merged(const MergePlan& plan, const std::vector<PlainLayer>& plain, GzipBodyWriter& body) {
  std::string buf;
  for (const auto& p : plan.pieces) {
    const PlainLayer& l = plain[p.layer];
    for (uint64_t at = p.start; at < p.end;) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(p.end - at, kChunkSize));
      buf = pread_exact(l.fd.get(), at, n, l.path);
      body.write(buf);
      at += n;
    }
  }
  body.write(std::string(1024, '\0'));
  return plan.entries;
}

// The slow way: the layers applied into a tree, and the tree written.
uint64_t write_tree(const std::string& rootfs, GzipBodyWriter& body) {
  auto clamp = source_date_epoch();
  return write_tree_tar(rootfs, {clamp, std::nullopt}, [&](std::string_view d) { body.write(d); }).entries;
}

}  // namespace

LayeredResult write_layered_image(const std::vector<LayerInput>& layers, nlohmann::json config,
                                  const std::string& dest, const trust::PrivateKey& key,
                                  const std::string& created_by) {
  return write_layered_image(
      layers.size(), [&](size_t i) { return layers[i]; }, std::move(config), dest, key, created_by);
}

LayeredResult write_layered_image(size_t count, const LayerSource& source, nlohmann::json config,
                                  const std::string& dest, const trust::PrivateKey& key,
                                  const std::string& created_by) {
  auto start = std::chrono::steady_clock::now();
  auto ms = [&] { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count(); };
  TempDir work(dirname_of(dest), ".bale-import-");
  LayeredResult r;
  // First without a tree: every layer inflated once to a plain tar and indexed, the surviving
  // entries copied from those. SOURCE_DATE_EPOCH asks for mtimes the layers' own headers do
  // not have, and a plan may not exist (layer_merge.h): then the tree, applied from the plain
  // tars. The layers are inflated (and their diff_ids checked) either way.
  std::optional<MergePlan> plan;
  std::vector<PlainLayer> plain = inflate_layers(count, source, work.path());
  r.inflated_ms = ms();
  std::string& why = r.tree_because;
  if (source_date_epoch()) {
    why = "SOURCE_DATE_EPOCH is set";
  } else {
    std::vector<std::vector<TarIndexEntry>> index;
    for (auto& p : plain) {
      if (why.empty() && !p.unusual.empty()) why = p.unusual;
      index.push_back(std::move(p.entries));
    }
    if (why.empty()) plan = plan_merge(index, why);
  }
  std::string rootfs = work.path() + "/rootfs";
  if (!plan) {
    mkdir_p(rootfs, 0755);
    for (const PlainLayer& p : plain) {
      ArchiveReader a = open_archive_range(p.fd.get(), 0, file_size(p.fd.get(), p.path), p.name, false);
      r.whiteouts += unpack_tar(a.get(), p.name, rootfs, {.layer = true}).whiteouts;
    }
  } else {
    r.whiteouts = plan->whiteouts;
  }
  auto w = write_image(
      dest, key,
      [&](GzipBodyWriter& body) {
        uint64_t n = plan ? write_merged(*plan, plain, body) : write_tree(rootfs, body);
        r.merged_ms = ms();
        return n;
      },
      [&](const std::string& sha) {
        finalize_config(config, sha, created_by);
        return serialize_config(config);
      },
      kMergeCompressionLevel);
  r.entries = w.tar.entries;
  r.done_ms = ms();
  return r;
}

}  // namespace bale::image
