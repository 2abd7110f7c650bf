// Layers into one signed image (see layered_image.h).
#include "image/layered_image.h"

#include <fcntl.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/fs.h"
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
  std::string path;
  UniqueFd fd;
  std::vector<TarIndexEntry> entries;
  std::string unusual;
};

PlainLayer inflate_layer(const LayerInput& l, const std::string& path) {
  PlainLayer p{path, open_file(path, O_RDWR | O_CREAT | O_EXCL, 0600), {}, {}};
  TarIndexer index(l.name);
  // gzip (what registries serve) with libdeflate; zstd, plain tars and the rest through
  // libarchive's streaming filters.
  auto fed = [&](std::string_view d) { index.feed(d); };
  if (!inflate_gzip_file(l.fd, l.size, l.name, p.fd.get(), path, kMaxPlainLayer, fed)) {
    index = TarIndexer(l.name);
    inflate_range(l.fd, 0, l.size, l.name, [&](std::string_view d) {
      index.feed(d);
      write_all(p.fd.get(), d, path);
    });
  }
  index.finish();
  p.entries = index.entries();
  p.unusual = index.why_unusual();
  return p;
}

// Every layer inflated and indexed, two (or as many as there are cores) at a time.
std::vector<PlainLayer> inflate_layers(const std::vector<LayerInput>& layers, const std::string& dir) {
  std::vector<PlainLayer> out(layers.size());
  std::vector<std::exception_ptr> errors(layers.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next++) < layers.size();) {
      try {
        out[i] = inflate_layer(layers[i], dir + "/layer" + std::to_string(i) + ".tar");
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  size_t n = std::min<size_t>(layers.size(), std::max(1u, std::thread::hardware_concurrency()));
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
  TempDir work(dirname_of(dest), ".bale-import-");
  LayeredResult r;
  // First without a tree: every layer inflated once to a plain tar and indexed, the surviving
  // entries copied from those. SOURCE_DATE_EPOCH asks for mtimes the layers' own headers do
  // not have, and a plan may not exist (layer_merge.h): then the tree.
  std::optional<MergePlan> plan;
  std::vector<PlainLayer> plain;
  std::string& why = r.tree_because;
  if (source_date_epoch()) {
    why = "SOURCE_DATE_EPOCH is set";
  } else {
    plain = inflate_layers(layers, work.path());
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
    for (const auto& l : layers) {
      ArchiveReader a = open_archive_range(l.fd, 0, l.size, l.name, false);
      r.whiteouts += unpack_tar(a.get(), l.name, rootfs, {.layer = true}).whiteouts;
    }
  } else {
    r.whiteouts = plan->whiteouts;
  }
  auto w = write_image(
      dest, key,
      [&](GzipBodyWriter& body) {
        return plan ? write_merged(*plan, plain, body) : write_tree(rootfs, body);
      },
      [&](const std::string& sha) {
        finalize_config(config, sha, created_by);
        return serialize_config(config);
      },
      kMergeCompressionLevel);
  r.entries = w.tar.entries;
  return r;
}

}  // namespace bale::image
