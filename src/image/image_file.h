// Reading and writing whole image files: body + trailer + signature. Writing is atomic (a temp
// file beside the destination, renamed when complete); reading the trailer costs O(1) bytes;
// verification hashes the stored bytes and never inflates them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "image/gzip_body.h"
#include "image/trailer.h"
#include "trust/keystore.h"
#include "trust/sshsig.h"

namespace bale::image {

// Writes a signed image to `dest`: `produce_tar` streams the root filesystem's tar into the
// body; `make_config` receives the tar's sha256 and returns the config bytes.
// `produce_tar` returns the number of tar entries it wrote.
struct ImageWriteResult {
  uint64_t file_size = 0;
  TarStats tar;
  std::string config;
};
ImageWriteResult write_image(const std::string& dest, const trust::PrivateKey& key,
                             const std::function<uint64_t(GzipBodyWriter&)>& produce_tar,
                             const std::function<std::string(const std::string&)>& make_config,
                             int level = kCompressionLevel);

// Re-signs an existing image, or signs a plain tar.gz (whose body is then the whole file; its
// tar is inflated once for its sha256 and size), writing the result to `dest` (may be `src`).
void sign_image(const std::string& src, const std::string& dest, const trust::PrivateKey& key,
                const std::function<std::string(const std::string&, std::string_view)>&
                    make_config);

struct ImageInfo {
  std::string path;
  uint64_t file_size = 0;
  std::optional<Trailer> trailer;  // nullopt: a plain (unsigned) tar.gz, or damaged
  // The trailer's signed bytes [body_size, signed_size) as read: verification checks that the
  // bytes it hashes are these, so the config used is the config signed.
  std::string signed_trailer;
  // Why a file with no trailer is not a plain tar.gz but a bale image that was changed: bytes
  // added after its footer, or its end cut off. Empty for a plain tar.gz.
  std::string damage;
  uint64_t body_size() const { return trailer ? trailer->footer.body_size : file_size; }
  // "sha256:" + hex of the config bytes: the image's identity (as docker's image ID).
  std::string digest() const;
};

// Reads only the end of the file. Throws bale::Error naming the file for damaged trailers,
// files that are not gzip, and absurd sizes.
ImageInfo read_image_info(const std::string& path);
// The same from an open file; `path` names it in messages.
ImageInfo read_image_info(int fd, const std::string& path);

enum class VerifyStatus { kNoSignature, kBadSignature, kUntrusted, kTrusted };

struct Verification {
  VerifyStatus status = VerifyStatus::kNoSignature;
  std::optional<trust::Sshsig> sig;  // the parsed signature, when there is one
  trust::TrustDecision decision;
  ImageInfo info;
  std::string message;  // one line saying what is wrong (empty when trusted)
  std::string hint;     // what to do about it
};

// Checks the signature over the stored bytes and asks the trust store about the signer.
// `signer` (a key or SHA256 fingerprint), when given, is the only key accepted.
// `display` names the image in messages (a URL for a download); default: the path.
Verification verify_image(const std::string& path, const trust::TrustPaths& paths,
                          const std::optional<std::string>& signer = std::nullopt,
                          const std::string& display = "");
// Verifies what `info` (read from `fd`) says against the bytes of `fd` itself: the file is
// opened once, so a file swapped or rewritten meanwhile can make it fail, never pass.
Verification verify_open_image(int fd, ImageInfo info, const trust::TrustPaths& paths,
                               const std::optional<std::string>& signer, const std::string& display);
// Whether `key` is the one `signer` names (an OpenSSH public key or its SHA256: fingerprint).
bool signer_matches(const trust::PublicKey& key, const std::string& signer);

// The verdict on a file without a trailer: no signature (a plain tar.gz), or, when `info.damage`
// says so, a bad signature (a signed image altered; signing it again would bless the change).
Verification verdict_without_trailer(ImageInfo info, const std::string& display);

// SHA-512 of file bytes [0, len). With `tail`, the last tail.size() bytes hashed must be those
// (throws otherwise: the file changed while it was read).
trust::Sha512Digest sha512_prefix(int fd, uint64_t len, const std::string& path,
                                  std::string_view tail = {});

}  // namespace bale::image
