// Digests (see digest.h).
#include "image/digest.h"

#include <unistd.h>

#include <cerrno>

#include "base/error.h"

namespace bale::image {

Digest::Digest(const EVP_MD* md) : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), md, nullptr) != 1)
    throw Error("OpenSSL: cannot start a digest");
}

Digest Digest::sha256() { return Digest(EVP_sha256()); }
Digest Digest::sha512() { return Digest(EVP_sha512()); }

void Digest::update(std::string_view data) { EVP_DigestUpdate(ctx_.get(), data.data(), data.size()); }

void Digest::update_from(int fd, const std::string& name) {
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_sys("read", name);
    if (n == 0) return;
    update(std::string_view(buf, static_cast<size_t>(n)));
  }
}

std::string Digest::bytes() const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> copy(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!copy || EVP_MD_CTX_copy_ex(copy.get(), ctx_.get()) != 1 ||
      EVP_DigestFinal_ex(copy.get(), out, &len) != 1)
    throw Error("OpenSSL: cannot finish a digest");
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Digest::hex() const { return image::hex(bytes()); }

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  Digest d = Digest::sha256();
  d.update(data);
  return d.hex();
}

}  // namespace bale::image
