// Streaming SHA-256 and SHA-512 over OpenSSL's EVP (libcrypto is loaded on first use), and the
// hex spelling of digests. One place for what image writing, signing, export and the store's
// content checks all compute.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <openssl/evp.h>

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

 private:
  explicit Digest(const EVP_MD* md);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

std::string hex(std::string_view bytes);
// "sha256:<hex>"-free hex of the sha256 of data.
std::string sha256_hex(std::string_view data);

}  // namespace bale::image
