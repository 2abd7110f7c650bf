// Streaming SHA-256 and SHA-512 over libcrypto (loaded on first use) whose running state can be
// saved and resumed, and the hex spelling of digests. One place for what image writing, signing, export and the store's
// content checks all compute.
#pragma once

#include <string>
#include <string_view>

#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

namespace bale::image {

class Digest {
 public:
  static Digest sha256();
  static Digest sha512();

  void update(std::string_view data);
  // Reads `fd` to its end into the hash; `name` names it in errors.
  void update_from(int fd, const std::string& name);
  // The digest of everything so far (raw bytes); the running hash can continue.
  std::string bytes() const;
  std::string hex() const;

  // The running hash as bytes, and a hash resumed from them: a long stream hashed once can be
  // continued later from where an earlier, identical prefix ended. Throws bale::Error for
  // bytes that are not a saved state.
  std::string state() const;
  static Digest resume(std::string_view state);

 private:
  enum class Kind : char { kSha256 = '2', kSha512 = '5' };
  explicit Digest(Kind kind);
  Kind kind_;
  SHA256_CTX sha256_{};
  SHA512_CTX sha512_{};
};

std::string hex(std::string_view bytes);
// "sha256:<hex>"-free hex of the sha256 of data.
std::string sha256_hex(std::string_view data);

}  // namespace bale::image
