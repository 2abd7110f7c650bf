// Manifests and blobs over the distribution API (see distribution.h).
#include "registry/distribution.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "base/line_printer.h"
#include "base/progress_bars.h"
#include "image/digest.h"

namespace bale::registry {

namespace {

// A manifest larger than this is no manifest (the spec suggests registries accept 4 MiB).
constexpr size_t kMaxManifest = 4u << 20;

std::string short_digest(const std::string& d) { return d.substr(0, 19); }

// Tries of one blob download, each resuming where the last lost its connection.
constexpr int kBlobAttempts = 4;

// The progress of one blob: a bar that rewrites itself on a terminal, nothing elsewhere (the
// caller prints a line per blob).
struct BlobProgress {
  LinePrinter printer;
  std::string label;
  void show(uint64_t now, uint64_t total) {
    if (label.empty() || !printer.smart() || total == 0) return;
    Bar b;
    b.label = label;
    b.total = total;
    b.done = now;
    printer.status(render_bar(b, 0), now == total);
  }
};

}  // namespace

FetchedManifest get_manifest(Client& c, const std::string& ref) {
  fetch::HttpRequest req;
  req.url = c.repo_url("/manifests/" + ref);
  req.headers.push_back(manifest_accept());
  std::string what = quote(c.ref().name() + (ref.starts_with("sha256:") ? "@" : ":") + ref);
  // Collected as it arrives, so that an endless answer is cut off at the limit.
  std::string body;
  req.sink = [&](std::string_view d) {
    if (body.size() + d.size() > kMaxManifest)
      throw Error(fmt::format("{}: the registry sent more than {} bytes of manifest, more than a "
                              "manifest can be; nothing was written",
                              what, kMaxManifest));
    body.append(d);
  };
  fetch::HttpResponse r = c.send(req);
  if (r.status == 404)
    c.fail(r, fmt::format("{}: no such image in the registry", what));
  if (r.status != 200) c.fail(r, fmt::format("{}: fetching the manifest", what));
  FetchedManifest m{body, r.header("content-type"), "sha256:" + image::sha256_hex(body)};
  if (ref.starts_with("sha256:") && m.digest != ref)
    throw Error(fmt::format("{}: the registry sent a manifest whose digest is {}", what, m.digest));
  return m;
}

namespace {

// A blob's bytes so far, kept across runs in `<dest>.partial` (locked while a pull writes it) so
// that a killed or cut-off pull continues from them; they are hashed again when it starts.
struct Partial {
  std::string path;
  UniqueFd fd;
  uint64_t got = 0;
  bool refused = false;  // the registry sent more than the blob: no try resumes that
  image::Digest sha = image::Digest::sha256();

  void restart() {
    if (ftruncate(fd.get(), 0) < 0 || lseek(fd.get(), 0, SEEK_SET) < 0) throw_sys("truncate", path);
    sha = image::Digest::sha256();
    got = 0;
  }
  void discard() { ::unlink(path.c_str()); }
};

// Opens (and locks) the partial, hashing what it holds; a partial longer than the blob is no
// part of it.
Partial open_partial(const std::string& dest, uint64_t size) {
  Partial p{dest + ".partial", open_file(dest + ".partial", O_RDWR | O_CREAT | O_CLOEXEC, 0644)};
  while (flock(p.fd.get(), LOCK_EX) < 0)
    if (errno != EINTR) throw_sys("lock", p.path);
  p.got = file_size(p.fd.get(), p.path);
  if (p.got > size) p.restart();
  if (p.got > 0) p.sha.update_from(p.fd.get(), p.path);
  return p;
}

// One GET of the rest of the blob (from p.got), with up to kBlobAttempts tries while each gets
// further. Throws what ended the last try; the partial keeps what arrived.
fetch::HttpResponse fetch_rest(Client& c, const Descriptor& d, Partial& p, const std::string& what,
                               const std::string& label, const std::function<void(uint64_t)>& counted) {
  BlobProgress progress{LinePrinter(), label};
  fetch::HttpRequest req;
  req.url = c.repo_url("/blobs/" + d.digest);
  req.sink = [&](std::string_view data) {
    if (p.got + data.size() > d.size) {
      p.discard();
      p.refused = true;
      throw Error(fmt::format("{}: the registry sent more than the {} bytes the manifest gives", what, d.size));
    }
    p.got += data.size();
    p.sha.update(data);
    write_all(p.fd.get(), data, p.path);
    if (counted) counted(data.size());
  };
  // A resumed request answered with the whole blob (200) starts it again; a 206 must start
  // where the bytes stopped.
  req.on_status = [&](long status, const fetch::HttpResponse& r) {
    if (p.got == 0) return;
    if (status == 206) {
      std::string range = r.header("content-range");
      if (!range.starts_with(fmt::format("bytes {}-", p.got)))
        throw Error(fmt::format("{}: asked for the bytes from {}, the registry sent {}", what, p.got,
                                quote(range)));
      return;
    }
    std::fprintf(stderr, "%s: the registry sent the whole blob (HTTP %ld), not the bytes from %llu; "
                 "starting it again\n", what.c_str(), status, static_cast<unsigned long long>(p.got));
    if (counted) counted(0 - p.got);  // counted again as they come
    p.restart();
  };
  // What has arrived of the whole blob, over every try.
  req.progress = [&](uint64_t, uint64_t) { progress.show(p.got, d.size); };
  for (int attempt = 1;; attempt++) {
    uint64_t before = p.got;
    req.headers.clear();
    if (p.got > 0) req.headers.push_back(fmt::format("Range: bytes={}-", p.got));
    try {
      fetch::HttpResponse r = c.send(req);
      progress.printer.finish();
      return r;
    } catch (const Error& e) {
      progress.printer.finish();
      // A connection lost midway is resumed where it stopped, while each try gets further.
      if (attempt < kBlobAttempts && !p.refused && p.got > before && p.got < d.size) {
        std::fprintf(stderr, "%s: %s; resuming at byte %llu\n", what.c_str(), e.what(),
                     static_cast<unsigned long long>(p.got));
        continue;
      }
      if (std::string_view(e.what()).starts_with(what)) throw;
      throw e.wrap(what);  // a connection lost midway: name the blob, not only the URL
    }
  }
}

}  // namespace

void get_blob(Client& c, const Descriptor& d, const std::string& dest, const std::string& label,
              const std::function<void(uint64_t)>& counted) {
  std::string what = fmt::format("{} blob {}", quote(c.ref().name()), d.digest);
  Partial p = open_partial(dest, d.size);
  if (path_exists(dest)) {  // another pull finished it while this one waited
    if (p.got == 0) p.discard();  // the empty one this open made
    return;
  }
  bool resumed = p.got > 0;
  if (resumed) {
    std::fprintf(stderr, "%s: continuing from the %llu bytes an earlier pull fetched\n", what.c_str(),
                 static_cast<unsigned long long>(p.got));
    if (counted) counted(p.got);
  }
  if (p.got < d.size) {
    fetch::HttpResponse r = fetch_rest(c, d, p, what, label, counted);
    if (r.status == 404) c.fail(r, fmt::format("{}: not in the registry", what));
    if (r.status != 200 && r.status != 206) c.fail(r, fmt::format("{}: fetching it", what));
    if (p.got != d.size)
      throw Error(fmt::format("{}: the registry sent {} bytes, not the {} the manifest gives", what, p.got, d.size));
  }
  if ("sha256:" + p.sha.hex() != d.digest) {
    p.discard();
    if (resumed) {
      // The bytes kept from before were not this blob's (or the registry's changed): once more
      // from the start, with nothing kept.
      std::fprintf(stderr, "%s: the bytes kept from an earlier pull do not make the blob; fetching it again\n",
                   what.c_str());
      if (counted) counted(0 - p.got);
      return get_blob(c, d, dest, label, counted);
    }
    throw Error(fmt::format("{}: the bytes received have digest sha256:{}: the registry (or something "
                            "between) changed them", what, p.sha.hex()));
  }
  if (fdatasync(p.fd.get()) < 0) throw_sys("fdatasync", p.path);
  if (rename(p.path.c_str(), dest.c_str()) < 0) throw_sys("rename", dest);
}

bool has_blob(Client& c, const std::string& digest) {
  fetch::HttpRequest req;
  req.method = "HEAD";
  req.url = c.repo_url("/blobs/" + digest);
  fetch::HttpResponse r = c.send(req);
  if (r.status == 200) return true;
  if (r.status == 404) return false;
  c.fail(r, fmt::format("{}: asking for blob {}", quote(c.ref().name()), short_digest(digest)));
}

void put_blob(Client& c, const std::string& digest, int fd, uint64_t size, const std::string& bytes,
              const std::string& label) {
  std::string what = fmt::format("{}: uploading blob {}", quote(c.ref().name()), short_digest(digest));
  fetch::HttpRequest start;
  start.method = "POST";
  start.url = c.repo_url("/blobs/uploads/");
  fetch::HttpResponse r = c.send(start);
  if (r.status != 202) c.fail(r, what);
  std::string location = r.header("location");
  if (location.empty()) throw Error(what + ": the registry gave no upload location");
  fetch::HttpRequest put;
  put.method = "PUT";
  put.url = location + (location.find('?') == std::string::npos ? "?" : "&") + "digest=" + digest;
  put.headers.push_back("Content-Type: application/octet-stream");
  if (fd >= 0) {
    put.body_fd = fd;
    put.body_size = size;
  } else {
    put.body = bytes;
  }
  BlobProgress progress{LinePrinter(), label};
  put.upload_progress = [&](uint64_t now, uint64_t total) { progress.show(now, total); };
  try {
    r = c.send(put);
  } catch (const Error&) {
    progress.printer.finish();
    throw;
  }
  progress.printer.finish();
  if (r.status != 201) c.fail(r, what);
}

std::string put_manifest(Client& c, const std::string& tag, const std::string& media_type,
                         const std::string& bytes) {
  fetch::HttpRequest req;
  req.method = "PUT";
  req.url = c.repo_url("/manifests/" + tag);
  req.headers.push_back("Content-Type: " + media_type);
  req.body = bytes;
  fetch::HttpResponse r = c.send(req);
  if (r.status != 201)
    c.fail(r, fmt::format("{}: putting the manifest", quote(c.ref().name() + ":" + tag)));
  std::string d = r.header("docker-content-digest");
  return d.empty() ? "sha256:" + image::sha256_hex(bytes) : d;
}

}  // namespace bale::registry
