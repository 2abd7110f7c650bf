// Whole image files: writing, signing, reading the trailer and verifying (see image_file.h).
#include "image/image_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/fs.h"
#include "image/body_reader.h"
#include "image/config.h"

namespace bale::image {

namespace {

// Writes the trailer after a finished body and signs everything before the signature.
void write_trailer(HashingSink& sink, const trust::PrivateKey& key, std::string_view config,
                   uint64_t body_size, const TarStats& tar) {
  const size_t sig_size = trust::sshsig_armored_size(trust::kImageNamespace);
  std::string trailer = encode_signed_trailer(config, tar, sig_size);
  // Readers refuse a larger trailer (read_image_info): never write an image none can read.
  if (trailer.size() + sig_size + kFooterFromEnd + 4 > kMaxTrailerSize)
    throw Error(fmt::format("the image config is {} bytes: more than an image's trailer holds "
                            "({} MiB)", config.size(), kMaxTrailerSize >> 20));
  sink.write(trailer);
  Footer f{body_size, sink.written(), static_cast<uint32_t>(sig_size)};
  trust::Sha512Digest digest;
  std::string d = sink.digest();
  std::memcpy(digest.data(), d.data(), digest.size());
  std::string sig = trust::sshsig_sign(key, trust::kImageNamespace, digest);
  if (sig.size() != sig_size) throw Error("internal: signature size differs from its estimate");
  sink.write(sig);
  sink.write(encode_trailer_end(f));
}


uint64_t count_tar_entries(int fd, uint64_t len, const std::string& path) {
  ArchiveReader a = open_archive_range(fd, 0, len, path, false);
  archive_entry* e;
  uint64_t n = 0;
  for (int r; (r = archive_read_next_header(a.get(), &e)) != ARCHIVE_EOF; n++)
    if (r < ARCHIVE_WARN) throw_archive(a.get(), path);
  return n;
}

}  // namespace

ImageWriteResult write_image(const std::string& dest, const trust::PrivateKey& key,
                             const std::function<uint64_t(GzipBodyWriter&)>& produce_tar,
                             const std::function<std::string(const std::string&)>& make_config,
                             int level) {
  AtomicFile out(dest, 0644);
  HashingSink sink(out.fd(), out.temp_path());
  ImageWriteResult r;
  std::string tar_sha;
  {
    GzipBodyWriter body(sink, level);
    r.tar.entries = produce_tar(body);
    body.finish();
    r.tar.size = body.tar_size();
    tar_sha = body.tar_sha256_hex();
  }
  uint64_t body_size = sink.written();
  r.config = make_config(tar_sha);
  write_trailer(sink, key, r.config, body_size, r.tar);
  r.file_size = sink.written();
  out.commit();
  return r;
}

void sign_image(const std::string& src, const std::string& dest, const trust::PrivateKey& key,
                const std::function<std::string(const std::string&, std::string_view)>&
                    make_config) {
  ImageInfo info = read_image_info(src);
  UniqueFd in = open_file(src, O_RDONLY);
  std::string config;
  TarStats tar;
  if (info.trailer) {
    config = info.trailer->config;
    single_diff_id(parse_config(config, quote(src)), quote(src));
    tar = info.trailer->tar;
  } else {
    Digest sha = Digest::sha256();
    inflate_range(in.get(), 0, info.file_size, src, [&](std::string_view d) {
      sha.update(d);
      tar.size += d.size();
    });
    tar.entries = count_tar_entries(in.get(), info.file_size, src);
    config = make_config(sha.hex(), "");
  }
  AtomicFile out(dest, 0644);
  HashingSink sink(out.fd(), out.temp_path());
  std::vector<char> buf(1 << 20);
  for (uint64_t off = 0; off < info.body_size();) {
    size_t n = std::min<uint64_t>(buf.size(), info.body_size() - off);
    sink.write(pread_exact(in.get(), off, n, src));
    off += n;
  }
  write_trailer(sink, key, config, info.body_size(), tar);
  out.commit();
}

std::string ImageInfo::digest() const {
  return trailer ? "sha256:" + sha256_hex(trailer->config) : "";
}

namespace {

// A file with no footer at its end: a plain tar.gz, or a bale image that was changed. A footer
// further up (within the last MiB) means bytes were added after the image; a first member with
// bale's 'bl' header but no footer means its end was cut off.
std::string why_no_footer(int fd, uint64_t size, const std::string& path) {
  uint64_t tail_len = std::min<uint64_t>(size, kChunkSize + kFooterFromEnd);
  std::string tail = pread_exact(fd, size - tail_len, static_cast<size_t>(tail_len), path);
  for (size_t at = tail.rfind("bale-image 1 "); at != std::string::npos && at > 0;
       at = tail.rfind("bale-image 1 ", at - 1)) {
    if (at + kFooterFromEnd > tail.size()) continue;
    auto f = decode_footer(std::string_view(tail).substr(at, kFooterFromEnd));
    uint64_t end = size - tail_len + at + kFooterFromEnd;
    if (f && f->signed_size + f->sig_size + 4 + kFooterFromEnd == end)
      return fmt::format("a signed bale image with {} byte{} added after its end", size - end,
                         size - end == 1 ? "" : "s");
  }
  std::string head = pread_exact(fd, 0, std::min<uint64_t>(size, sizeof kMemberHeader), path);
  if (head == std::string_view(reinterpret_cast<const char*>(kMemberHeader), sizeof kMemberHeader))
    return "a bale image whose end is missing (truncated, or its footer overwritten)";
  return "";
}

}  // namespace

Verification verdict_without_trailer(ImageInfo info, const std::string& display) {
  Verification v;
  const std::string name = quote(display.empty() ? info.path : display);
  if (!info.damage.empty()) {
    v.status = VerifyStatus::kBadSignature;
    v.message = fmt::format("{}: damaged: {}", name, info.damage);
    v.hint = "get the image again from where it came from";
  } else {
    v.status = VerifyStatus::kNoSignature;
    v.message = fmt::format("{}: no signature: a plain tar.gz, not a signed bale image", name);
    v.hint = fmt::format("sign it with: bale sign {}", display.empty() ? info.path : display);
  }
  v.info = std::move(info);
  return v;
}

ImageInfo read_image_info(const std::string& path) {
  UniqueFd fd = open_file(path, O_RDONLY);
  return read_image_info(fd.get(), path);
}

ImageInfo read_image_info(int fd, const std::string& path) {
  ImageInfo info;
  info.path = path;
  info.file_size = file_size(fd, path);
  try {
    if (info.file_size < 18 || pread_exact(fd, 0, 2, path) != "\x1f\x8b")
      throw Error("not an image: not gzip data");
    auto footer = info.file_size < kFooterFromEnd
        ? std::nullopt
        : decode_footer(pread_exact(fd, info.file_size - kFooterFromEnd, kFooterFromEnd, path));
    if (!footer) {
      info.damage = why_no_footer(fd, info.file_size, path);
      return info;
    }
    const Footer& f = *footer;
    if (f.body_size < 18 || f.signed_size <= f.body_size ||
        f.signed_size + f.sig_size + 4 + kFooterFromEnd != info.file_size ||
        info.file_size - f.body_size > kMaxTrailerSize)
      throw Error(fmt::format("damaged trailer: the footer's sizes do not fit a file of {} bytes",
                              info.file_size));
    std::string bytes = pread_exact(fd, f.body_size, info.file_size - f.body_size, path);
    info.trailer = decode_trailer(bytes, f);
    info.signed_trailer = bytes.substr(0, f.signed_size - f.body_size);
  } catch (const Error& e) {
    if (e.err()) throw;  // an I/O error already names the path
    throw e.wrap(quote(path));
  }
  return info;
}

trust::Sha512Digest sha512_prefix(int fd, uint64_t len, const std::string& path,
                                  std::string_view tail) {
  const uint64_t tail_at = len - std::min<uint64_t>(tail.size(), len);
  Digest sha = Digest::sha512();
  // pread, not mmap: a file truncated under us must give an error, not SIGBUS.
  std::vector<char> buf(4 << 20);
  posix_fadvise(fd, 0, len, POSIX_FADV_SEQUENTIAL);
  for (uint64_t off = 0; off < len;) {
    ssize_t n = pread(fd, buf.data(), std::min<uint64_t>(buf.size(), len - off), off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_sys("read", path);
    if (n == 0) throw Error(fmt::format("read {}: file ends at byte {} (truncated?)", quote(path), off));
    std::string_view got(buf.data(), n);
    // The part of this piece that falls in the tail must be the bytes the caller holds.
    uint64_t end = off + n;
    if (end > tail_at) {
      uint64_t from = std::max(off, tail_at);
      if (got.substr(from - off) != tail.substr(from - tail_at, end - from))
        throw Error(fmt::format("{}: the file changed while it was read", quote(path)));
    }
    sha.update(got);
    off += n;
  }
  trust::Sha512Digest d;
  std::string raw = sha.bytes();
  std::memcpy(d.data(), raw.data(), d.size());
  return d;
}

}  // namespace bale::image
