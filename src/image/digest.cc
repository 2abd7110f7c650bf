// Digests (see digest.h).
#include "image/digest.h"

#include <cstring>

#include "base/error.h"
#include "base/fs.h"

namespace bale::image {

Digest::Digest(Kind kind) : kind_(kind) {
  int ok = kind == Kind::kSha256 ? SHA256_Init(&sha256_) : SHA512_Init(&sha512_);
  if (ok != 1) throw Error("OpenSSL: cannot start a digest");
}

Digest Digest::sha256() { return Digest(Kind::kSha256); }
Digest Digest::sha512() { return Digest(Kind::kSha512); }

void Digest::update(std::string_view data) {
  if (kind_ == Kind::kSha256)
    SHA256_Update(&sha256_, data.data(), data.size());
  else
    SHA512_Update(&sha512_, data.data(), data.size());
}

void Digest::update_from(int fd, const std::string& name) {
  read_chunks(fd, name, [this](std::string_view d) { update(d); });
}

std::string Digest::bytes() const {
  unsigned char out[SHA512_DIGEST_LENGTH];
  if (kind_ == Kind::kSha256) {
    SHA256_CTX copy = sha256_;
    SHA256_Final(out, &copy);
    return std::string(reinterpret_cast<char*>(out), SHA256_DIGEST_LENGTH);
  }
  SHA512_CTX copy = sha512_;
  SHA512_Final(out, &copy);
  return std::string(reinterpret_cast<char*>(out), SHA512_DIGEST_LENGTH);
}

std::string Digest::state() const {
  std::string out(1, static_cast<char>(kind_));
  if (kind_ == Kind::kSha256)
    out.append(reinterpret_cast<const char*>(&sha256_), sizeof sha256_);
  else
    out.append(reinterpret_cast<const char*>(&sha512_), sizeof sha512_);
  return out;
}

Digest Digest::resume(std::string_view state) {
  if (state.size() == 1 + sizeof(SHA256_CTX) && state[0] == static_cast<char>(Kind::kSha256)) {
    Digest d(Kind::kSha256);
    std::memcpy(&d.sha256_, state.data() + 1, sizeof(SHA256_CTX));
    return d;
  }
  if (state.size() == 1 + sizeof(SHA512_CTX) && state[0] == static_cast<char>(Kind::kSha512)) {
    Digest d(Kind::kSha512);
    std::memcpy(&d.sha512_, state.data() + 1, sizeof(SHA512_CTX));
    return d;
  }
  throw Error("not a saved digest state");
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
