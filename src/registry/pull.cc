// Pulling one image (see pull.h).
#include "registry/pull.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "base/progress_bars.h"
#include "image/config.h"
#include "image/image_file.h"
#include "image/layered_image.h"
#include "registry/client.h"
#include "registry/distribution.h"
#include "registry/manifest.h"
#include "registry/policy.h"

namespace bale::registry {

namespace {

struct Resolved {
  Manifest manifest;     // the image manifest
  Origin origin;
};

std::string mb(uint64_t bytes) { return fmt::format("{:.1f} MB", bytes / 1e6); }

// A manifest by digest: from the store's blob cache when it was fetched before.
FetchedManifest manifest_by_digest(Client& c, const store::Store& s, const std::string& digest) {
  std::string cached = blob_cache_path(s, digest);
  if (auto text = read_file_if_exists(cached, 4u << 20))
    return {*text, "", digest};
  FetchedManifest m = get_manifest(c, digest);
  write_file_atomic(cached, m.bytes, 0644);
  return m;
}

Resolved resolve(Client& c, const store::Store& s, const PullOptions& o) {
  const Reference& ref = c.ref();
  std::string where = quote(ref.str());
  FetchedManifest top = get_manifest(c, ref.manifest_ref());
  Resolved r{parse_manifest(top.bytes, top.content_type, where), {}};
  r.origin.reference = ref.str();
  r.origin.manifest_digest = top.digest;
  if (!r.manifest.is_index) return r;
  Platform want = parse_platform(o.platform.value_or(""));
  auto d = select_platform(r.manifest, want);
  if (!d)
    throw Error(fmt::format("{}: the image has no {} variant; it is made for {}", where, want.str(),
                            offered_platforms(r.manifest)))
        .with_hint("to pull another: --platform OS/ARCH[/VARIANT]");
  FetchedManifest fm = manifest_by_digest(c, s, d->digest);
  r.manifest = parse_manifest(fm.bytes, d->media_type, fmt::format("{} ({})", where, want.str()));
  if (r.manifest.is_index)
    throw Error(fmt::format("{}: the {} entry of the index is another index", where, want.str()));
  r.origin.index_digest = top.digest;
  r.origin.manifest_digest = d->digest;
  r.origin.platform = want.str();
  return r;
}

// Why the reference itself is trusted, or "" when it is not.
std::string trusted_reference(const Reference& ref, const trust::TrustPaths& paths, const PullOptions& o) {
  if (!ref.digest.empty()) return "the pinned digest";
  if (auto e = policy_covers(read_policy(paths.config_dir), ref))
    return fmt::format("trust policy entry {}", quote(*e));
  return o.insecure ? "--insecure" : "";
}

[[noreturn]] void refuse_tag(const Reference& ref, const Resolved& r, const trust::TrustPaths& paths) {
  Reference pinned = ref;
  pinned.tag.clear();
  pinned.digest = r.origin.index_digest.empty() ? r.origin.manifest_digest : r.origin.index_digest;
  throw Error(fmt::format("{}: a tag of a repository that {} does not name: nothing vouches for "
                          "what it points at",
                          quote(ref.str()), quote(policy_path(paths.config_dir))))
      .with_hint(fmt::format("to trust this repository's tags: bale trust registry add {} "
                             "(or pin what it is now: bale pull {}, or --insecure)",
                             ref.name(), pinned.str()));
}

// The blob into the store's cache unless it is there already; its path.
std::string cached_blob(Client& c, const store::Store& s, const Descriptor& d, const std::string& label,
                        PullResult& result) {
  std::string path = blob_cache_path(s, d.digest);
  if (path_exists(path)) return path;
  std::fprintf(stderr, "fetching %s %s (%s)\n", label.c_str(), d.digest.substr(0, 19).c_str(),
               mb(d.size).c_str());
  get_blob(c, d, path, label);
  result.blobs_fetched++;
  result.bytes_fetched += d.size;
  return path;
}

// What the manifest declares is bounded before anything is fetched: a config is read into
// memory (16 MiB at most), no one layer is larger than kMaxLayer, and the layers not yet in the
// cache fit in what the store's file system has free. A registry declaring absurd sizes gets a
// clear refusal, not a disk filled.
constexpr uint64_t kMaxConfig = 16u << 20;
constexpr uint64_t kMaxLayer = 64ull << 30;
std::string gb(uint64_t bytes) { return fmt::format("{:.1f} GB", bytes / 1e9); }
void check_sizes(const Manifest& m, const store::Store& s, const Reference& ref) {
  std::string what = quote(ref.str());
  if (m.config.size > kMaxConfig)
    throw Error(fmt::format("{}: the manifest declares a config of {} bytes, more than the {} a "
                            "config may be; nothing was fetched",
                            what, m.config.size, kMaxConfig));
  uint64_t needed = 0;
  for (size_t i = 0; i < m.layers.size(); i++) {
    if (m.layers[i].size > kMaxLayer)
      throw Error(fmt::format("{}: the manifest declares layer {} ({}) of {}, more than the {} a "
                              "layer may be; nothing was fetched",
                              what, i + 1, m.layers[i].digest.substr(0, 19), gb(m.layers[i].size),
                              gb(kMaxLayer)));
    if (!path_exists(blob_cache_path(s, m.layers[i].digest))) needed += m.layers[i].size;
  }
  struct statvfs fs;
  if (statvfs(s.root().c_str(), &fs) == 0) {
    uint64_t free = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
    if (needed > free)
      throw Error(fmt::format("{}: its layers take {}, and the store {} has {} free; nothing was "
                              "fetched",
                              what, gb(needed), quote(s.root()), gb(free)));
  }
}

// Hears of each layer as soon as its blob is in the cache (or failed to come), from the thread
// that fetched it: layer index and what stopped it (null when it came).
using LayerDone = std::function<void(size_t, std::exception_ptr)>;

// The layers into the cache, up to kParallel at a time (each over a client of its own, which
// starts with the authorization the manifest request earned); their paths, base first. Throws
// the first layer's error unless `done` is given (then it hears of every one).
constexpr size_t kParallel = 4;
std::vector<std::string> cached_layers(const Client& c, const store::Store& s, const Manifest& m,
                                       PullResult& result, const LayerDone& done = {}) {
  std::vector<std::string> paths;
  std::vector<size_t> missing;
  for (size_t i = 0; i < m.layers.size(); i++) {
    paths.push_back(blob_cache_path(s, m.layers[i].digest));
    if (!path_exists(paths.back())) missing.push_back(i);
    else if (done) done(i, nullptr);
  }
  std::vector<std::exception_ptr> errors(missing.size());
  std::atomic<size_t> next{0};
  // A bar per layer on a terminal, redrawn in place at most 10 times a second; the lines
  // printed below are what a log gets.
  std::vector<Bar> bars;
  for (size_t i : missing) {
    Bar b;
    b.label = fmt::format("layer {}/{} {}", i + 1, m.layers.size(), m.layers[i].digest.substr(7, 12));
    b.total = m.layers[i].size;
    bars.push_back(std::move(b));
  }
  ProgressBars progress(std::move(bars));
  auto worker = [&] {
    Client own = c;
    for (size_t k; (k = next++) < missing.size();) {
      const Descriptor& d = m.layers[missing[k]];
      try {
        get_blob(own, d, paths[missing[k]], "", [&progress, k](uint64_t n) { progress.add(k, n); });
      } catch (...) {
        errors[k] = std::current_exception();
      }
      progress.set_state(k, errors[k] ? "failed" : "done");
      if (done) done(missing[k], errors[k]);
    }
  };
  for (size_t i : missing)
    std::fprintf(stderr, "fetching layer %zu/%zu %s (%s)\n", i + 1, m.layers.size(),
                 m.layers[i].digest.substr(0, 19).c_str(), mb(m.layers[i].size).c_str());
  std::vector<std::thread> threads;
  for (size_t t = 0; t < std::min(kParallel, missing.size()); t++) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  progress.finish();
  for (size_t k = 0; k < missing.size(); k++) {
    if (errors[k]) {
      if (done) continue;
      std::rethrow_exception(errors[k]);
    }
    result.blobs_fetched++;
    result.bytes_fetched += m.layers[missing[k]].size;
  }
  return paths;
}

// The layers' arrival, as the threads that inflate them wait for it.
class Arrivals {
 public:
  explicit Arrivals(size_t n) : state_(n) {}
  void done(size_t i, std::exception_ptr e) {
    std::lock_guard<std::mutex> hold(mu_);
    state_[i] = {true, std::move(e)};
    changed_.notify_all();
  }
  // What stopped the fetching before it reached the layers not yet done.
  void fail_rest(std::exception_ptr e) {
    std::lock_guard<std::mutex> hold(mu_);
    for (auto& st : state_)
      if (!st.first) st = {true, e};
    changed_.notify_all();
  }
  void wait(size_t i) {
    std::unique_lock<std::mutex> hold(mu_);
    changed_.wait(hold, [&] { return state_[i].first; });
    if (state_[i].second) std::rethrow_exception(state_[i].second);
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::pair<bool, std::exception_ptr>> state_;
};

// The layer file is a bale image with this very config: the image `bale push` made.
bool is_pushed_bale_image(const std::string& layer, const std::string& config) {
  try {
    image::ImageInfo info = image::read_image_info(layer);
    return info.trailer && info.trailer->config == config;
  } catch (const Error&) {
    return false;  // not even gzip at its end: an ordinary layer (zstd, plain tar)
  }
}

// Verifies a pushed bale image by its own signature; returns who vouches for it.
std::string verify_pushed(const std::string& path, const Reference& ref, const trust::TrustPaths& paths,
                          const PullOptions& o) {
  image::Verification v = image::verify_image(path, paths, o.signer, ref.str());
  if (v.status == image::VerifyStatus::kTrusted)
    return fmt::format("its signer {} ({})", v.sig->key.fingerprint(), v.decision.principal);
  if (!o.insecure || v.status == image::VerifyStatus::kBadSignature) {
    Error e(v.message);
    throw e.with_hint(v.status == image::VerifyStatus::kBadSignature ? v.hint
                      : v.hint.empty() ? "to pull it anyway: --insecure" : v.hint + " (or --insecure)");
  }
  std::fprintf(stderr, "bale: warning: %s; pulling it anyway (--insecure)\n", v.message.c_str());
  return "--insecure";
}

void place_in_store(const std::string& from, const std::string& blob) {
  if (path_exists(blob)) return;  // the same digest: the same image
  place_file(from, blob);
}

// The config's diff_ids, one per layer of the manifest, read before any layer is fetched.
std::vector<std::string> config_diff_ids(const std::string& config_bytes, const Manifest& m,
                                         const Reference& ref) {
  std::string where = fmt::format("{} config", quote(ref.str()));
  return image::layer_diff_ids(image::parse_config(config_bytes, where), m.layers.size(), where);
}

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// The layers fetched (kParallel at a time) while the ones that have come are inflated, and the
// result written as one image signed by the machine key; its path in the scratch directory.
// BALE_PULL_TIMES=1 prints when each phase ended.
std::string build_layered(const Client& c, const store::Store& s, const Manifest& m,
                          const std::string& config_bytes, const store::Scratch& scratch,
                          const PullOptions& o, const trust::TrustPaths& paths, PullResult& result,
                          Clock::time_point start) {
  const Reference& ref = c.ref();
  std::string where = fmt::format("{} config", quote(ref.str()));
  nlohmann::json config = image::sanitize_config(image::parse_config(config_bytes, where), where);
  std::vector<std::string> diff_ids = config_diff_ids(config_bytes, m, ref);
  auto key = trust::load_signing_key(paths, o.key);
  size_t n = m.layers.size();
  Arrivals arrived(n);
  std::vector<std::string> files(n);
  for (size_t i = 0; i < n; i++) files[i] = blob_cache_path(s, m.layers[i].digest);
  double fetched_ms = 0, begun_ms = ms_since(start);
  std::thread fetcher([&] {
    try {
      cached_layers(c, s, m, result, [&](size_t i, std::exception_ptr e) { arrived.done(i, std::move(e)); });
    } catch (...) {
      arrived.fail_rest(std::current_exception());
    }
    fetched_ms = ms_since(start);
  });
  std::vector<UniqueFd> fds(n);
  auto source = [&](size_t i) {
    arrived.wait(i);
    fds[i] = open_file(files[i], O_RDONLY);
    std::string name = fmt::format("{} layer {} ({})", quote(ref.str()), i + 1, m.layers[i].digest.substr(0, 19));
    return image::LayerInput{fds[i].get(), file_size(fds[i].get(), files[i]), name, diff_ids[i]};
  };
  std::string tmp = scratch.path() + "/image.bale";
  image::LayeredResult w;
  try {
    w = image::write_layered_image(n, source, std::move(config), tmp, key, "bale pull " + ref.str());
  } catch (...) {
    fetcher.join();  // what is still coming is kept in the cache for the next pull
    throw;
  }
  fetcher.join();
  std::fprintf(stderr, "applied %zu layers\n", n);
  if (!w.tree_because.empty())
    std::fprintf(stderr, "applied the layers into a tree: %s\n", w.tree_because.c_str());
  if (std::getenv("BALE_PULL_TIMES")) {
    // CPU time beside the wall time: how far the phases kept every core busy.
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    auto sec = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
    std::fprintf(stderr,
                 "pull times (ms from the start): manifest and config %.0f, all layers fetched %.0f, "
                 "all inflated %.0f, merged body handed to the compressors %.0f, compressed and "
                 "signed %.0f; cpu %.2f s user, %.2f s system\n",
                 begun_ms, fetched_ms, begun_ms + w.inflated_ms, begun_ms + w.merged_ms,
                 begun_ms + w.done_ms, sec(ru.ru_utime), sec(ru.ru_stime));
  }
  return tmp;
}

// The manifest was pulled before and its image is still in the store: nothing to fetch, but
// the trust decision is made again (the policy, or the pusher's signer, may be trusted no more).
void reuse(const store::Store& s, const std::string& img, const Resolved& r, const Reference& ref,
           const trust::TrustPaths& paths, const PullOptions& o, PullResult& result) {
  auto known = find_origin(s, img);
  bool pushed = known && known->signed_by_pusher;
  if (pushed) result.trusted_by = verify_pushed(s.blob_path(img), ref, paths, o);
  if (result.trusted_by.empty()) refuse_tag(ref, r, paths);
  result.reused = true;
  result.image_path = s.blob_path(img);
  result.origin.image_digest = img;
  result.origin.signed_by_pusher = pushed;
  if (result.origin.platform.empty() && known) result.origin.platform = known->platform;
}

// Fetches what the cache lacks, then keeps a pushed bale image as is or applies the layers.
void fetch_and_build(Client& c, const store::Store& s, const Resolved& r, const trust::TrustPaths& paths,
                     const PullOptions& o, PullResult& result, Clock::time_point start) {
  const Reference& ref = c.ref();
  bool one_layer = r.manifest.layers.size() == 1;
  // Only a one-layer image can be a pushed bale image, trusted by its signer: refuse the rest
  // before fetching anything.
  if (result.trusted_by.empty() && !one_layer) refuse_tag(ref, r, paths);
  check_sizes(r.manifest, s, ref);
  std::string config = read_file(cached_blob(c, s, r.manifest.config, "config", result), 16u << 20);
  config_diff_ids(config, r.manifest, ref);  // a config that cannot describe the layers: none fetched
  std::vector<std::string> layers;
  if (one_layer) layers = cached_layers(c, s, r.manifest, result);
  if (one_layer && is_pushed_bale_image(layers[0], config)) {
    result.trusted_by = verify_pushed(layers[0], ref, paths, o);
    result.origin.signed_by_pusher = true;
    result.origin.image_digest = image::read_image_info(layers[0]).digest();
    result.image_path = s.blob_path(result.origin.image_digest);
    place_in_store(layers[0], result.image_path);
  } else {
    if (result.trusted_by.empty()) refuse_tag(ref, r, paths);
    store::Scratch scratch(s, "pull.");  // removed with what is left in it
    std::string tmp = build_layered(c, s, r.manifest, config, scratch, o, paths, result, start);
    result.origin.image_digest = image::read_image_info(tmp).digest();
    result.image_path = s.blob_path(result.origin.image_digest);
    if (rename(tmp.c_str(), result.image_path.c_str()) < 0) throw_sys("rename", result.image_path);
  }
  if (result.origin.platform.empty()) {
    nlohmann::json j = nlohmann::json::parse(config, nullptr, false);
    if (j.is_object()) result.origin.platform = j.value("os", "?") + "/" + j.value("architecture", "?");
  }
}

// The registry's mirrors (registries.yaml) are asked first, in order; the first that serves
// the manifest serves the blobs too. Any failure of a mirror falls through to the next, and
// finally to the registry itself. Trust is decided on `ref` alone, wherever the bytes come
// from: they are checked against the digests either way.
std::pair<Client, Resolved> resolve_with_mirrors(const Reference& ref, const store::Store& s,
                                                 const trust::TrustPaths& paths, const PullOptions& o) {
  ClientOptions co{o.tls_verify, false, std::nullopt, paths.config_dir};
  for (const auto& m : mirrors_for(paths.config_dir, ref.registry)) {
    Reference at = ref;
    at.registry = m;
    Client mc(at, co);
    try {
      Resolved r = resolve(mc, s, o);
      r.origin.reference = ref.str();
      r.origin.mirror = m;
      return {std::move(mc), std::move(r)};
    } catch (const Error& e) {
      std::fprintf(stderr, "bale: warning: mirror %s: %s; trying the next\n", quote(m).c_str(), e.what());
    }
  }
  Client c(ref, co);
  Resolved r = resolve(c, s, o);
  return {std::move(c), std::move(r)};
}

}  // namespace

PullResult pull(const Reference& ref, const store::Store& s, const trust::TrustPaths& paths,
                const PullOptions& o) {
  Clock::time_point start = Clock::now();
  UniqueFd cache_in_use = lock_cache(s);
  auto [c, r] = resolve_with_mirrors(ref, s, paths, o);
  PullResult result;
  result.origin = r.origin;
  result.layers = r.manifest.layers.size();
  result.trusted_by = trusted_reference(ref, paths, o);
  if (auto img = image_for_manifest(s, r.origin.manifest_digest))
    reuse(s, *img, r, ref, paths, o, result);
  else
    fetch_and_build(c, s, r, paths, o, result, start);
  result.origin.pulled = static_cast<int64_t>(std::time(nullptr));
  save_origin(s, result.origin);
  return result;
}

}  // namespace bale::registry
