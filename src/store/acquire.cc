// Fetch, verify (with records), unpack (see acquire.h).
#include "store/acquire.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "base/error.h"
#include "base/fs.h"
#include "fetch/fetch.h"
#include "image/digest.h"
#include "store/names.h"
#include "store/url_index.h"

namespace bale::store {

namespace {

[[noreturn]] void refuse(const image::Verification& v, const AcquireOptions& opts) {
  Error e(v.message);
  // --insecure helps with an unsigned or untrusted image, never with a broken signature.
  if (v.status == image::VerifyStatus::kBadSignature || !opts.offer_insecure)
    e.with_hint(v.hint);
  else
    e.with_hint(v.hint.empty() ? "to run it anyway: --insecure" : v.hint + " (or run with --insecure)");
  throw e;
}

// A download in the store's tmp/: removed unless it was verified and kept.
struct Download {
  std::string path;
  bool keep = false;
  bool fresh = false;  // a new file was fetched (else the store's copy of the URL is used)
  fetch::Validators validators;
  ~Download() {
    if (!path.empty() && !keep) ::unlink(path.c_str());
  }
};

void warn_insecure(const std::string& message) {
  std::fprintf(stderr, "bale: warning: %s; running it anyway (--insecure)\n", message.c_str());
}

std::string file_sha256(int fd, const std::string& path) {
  image::Digest sha = image::Digest::sha256();
  if (lseek(fd, 0, SEEK_SET) < 0) throw_sys("seek", path);
  sha.update_from(fd, path);
  return "sha256:" + sha.hex();
}

// Fast path: a record says this very file (same inode, size and ctime) was verified before,
// so only the trust decision is made again (the trust files may have changed since).
bool trusted_by_record(const image::ImageInfo& info, const VerifiedRecord& rec,
                       const trust::TrustPaths& paths, const AcquireOptions& opts) {
  auto sig = trust::sshsig_parse(info.trailer->signature);
  if (sig.key.to_openssh() != rec.signer_key) return false;
  if (opts.signer) return image::signer_matches(sig.key, *opts.signer);
  return trust::decide_trust(paths, sig.key, trust::kImageNamespace).trusted;
}

// A URL is downloaded unless the store has its file and the server says it has not changed, or
// cannot be reached (then the copy is run, with a warning).
std::string local_path(const std::string& ref, Store& store, Download& dl) {
  if (!fetch::is_url(ref)) return resolve_image_ref(ref, &store);
  std::optional<UrlEntry> known = find_url(store, ref);
  dl.path = fmt::format("{}/tmp/download-{}.bale", store.root(), getpid());
  try {
    fetch::Fetched f = fetch::download(ref, dl.path, known ? known->validators : fetch::Validators{});
    if (f.modified) {
      dl.fresh = true;
      dl.validators = f.validators;
      return dl.path;
    }
  } catch (const Error& e) {
    if (!known || e.err() != ECONNREFUSED) throw;
    char when[32] = "";
    time_t t = static_cast<time_t>(known->fetched);
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
    std::fprintf(stderr, "bale: warning: %s; running the copy fetched at %s (%s)\n", e.what(),
                 when, known->digest.c_str());
  }
  dl.path.clear();
  return store.blob_path(known->digest);
}

}  // namespace

ReadyImage acquire(const std::string& ref, Store& store, const trust::TrustPaths& paths,
                   const AcquireOptions& opts) {
  ReadyImage r;
  Download dl;
  r.path = local_path(ref, store, dl);
  bool downloaded = dl.fresh;
  const std::string shown = fetch::redact(ref);  // never a password in a message
  // Opened once: what is verified, recorded and unpacked is this open file, whatever is renamed
  // over the path meanwhile.
  UniqueFd file = open_file(r.path, O_RDONLY);
  struct stat st;
  if (fstat(file.get(), &st) < 0) throw_sys("stat", r.path);
  image::ImageInfo info = image::read_image_info(file.get(), r.path);
  auto rec = store.find_record(st);
  if (!info.trailer) {
    image::Verification v = image::verdict_without_trailer(info, shown);
    if (!opts.insecure || v.status == image::VerifyStatus::kBadSignature) refuse(v, opts);
    warn_insecure(v.message);
    r.digest = rec && rec->signer_key.empty() ? rec->digest : file_sha256(file.get(), r.path);
    if (!rec) store.save_record(st, {r.digest, ""});
  } else {
    r.config = info.trailer->config;
    // An unchanged file (same inode, size and ctime) keeps the digest recorded for it, which
    // also spares hashing the config: a warm start does no cryptography at all.
    if (rec && !rec->signer_key.empty() && trusted_by_record(info, *rec, paths, opts)) {
      r.digest = rec->digest;
    } else {
      r.digest = info.digest();
      if (downloaded) std::fprintf(stderr, "verifying %s\n", shown.c_str());
      image::Verification v = image::verify_open_image(file.get(), info, paths, opts.signer, shown);
      if (v.status != image::VerifyStatus::kTrusted) {
        // --insecure covers unsigned and untrusted images, never a broken signature.
        if (!opts.insecure || v.status == image::VerifyStatus::kBadSignature) refuse(v, opts);
        warn_insecure(v.message);
      }
      if (v.status == image::VerifyStatus::kTrusted || v.status == image::VerifyStatus::kUntrusted)
        store.save_record(st, {r.digest, v.sig->key.to_openssh()});
    }
  }
  if (downloaded) {
    // Keep what was fetched, verified, under its digest: later runs of the store use it.
    std::string blob = fmt::format("{}/blobs/{}.bale", store.root(), r.digest.substr(7));
    if (rename(r.path.c_str(), blob.c_str()) < 0) throw_sys("rename", blob);
    dl.keep = true;
    save_url(store, ref, {r.digest, dl.validators, static_cast<long long>(std::time(nullptr))});
    r.path = blob;
    info.path = blob;
  }
  // One line per stage of a download (the transfer itself has its progress bar on a terminal).
  if (downloaded && !path_exists(store.rootfs_path(r.digest)))
    std::fprintf(stderr, "unpacking %s into %s\n", r.digest.c_str(), store.root().c_str());
  r.rootfs = store.ensure_unpacked(info, file.get(), r.digest, r.in_use);
  return r;
}

}  // namespace bale::store
