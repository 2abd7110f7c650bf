// ed25519 and hashing through OpenSSL 3's EVP interface. ed25519 is a "one-shot" algorithm in
// EVP: EVP_DigestSign/Verify with a NULL digest, over the whole message at once.
#include "trust/ed25519.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

#include "base/error.h"
#include "trust/ssh_key.h"

namespace bale::trust {
namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

PkeyPtr private_pkey(const Ed25519Seed& seed) {
  PkeyPtr p(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()),
            EVP_PKEY_free);
  if (!p) throw Error("OpenSSL could not load an ed25519 private key");
  return p;
}

MdCtxPtr new_md_ctx() {
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx) throw Error("OpenSSL: out of memory allocating a digest context");
  return ctx;
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

Ed25519Public ed25519_public_from_seed(const Ed25519Seed& seed) {
  PkeyPtr p = private_pkey(seed);
  Ed25519Public pub{};
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(p.get(), pub.data(), &len) != 1 || len != pub.size())
    throw Error("OpenSSL could not derive an ed25519 public key");
  return pub;
}

std::string ed25519_sign(const Ed25519Seed& seed, std::string_view data) {
  PkeyPtr p = private_pkey(seed);
  MdCtxPtr ctx = new_md_ctx();
  std::string sig(64, '\0');
  size_t len = sig.size();
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, p.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, bytes(data),
                     data.size()) != 1 ||
      len != sig.size())
    throw Error("OpenSSL could not make an ed25519 signature");
  return sig;
}

bool ed25519_verify(const PublicKey& key, std::string_view data, std::string_view sig64) {
  if (sig64.size() != 64) return false;
  PkeyPtr p(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.raw.data(), key.raw.size()),
            EVP_PKEY_free);
  if (!p) return false;  // not a point on the curve: nothing can verify against it
  MdCtxPtr ctx = new_md_ctx();
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, p.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), bytes(sig64), sig64.size(), bytes(data), data.size()) == 1;
}

std::string sha256(std::string_view data) {
  std::string md(32, '\0');
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(md.data()), &len,
                 EVP_sha256(), nullptr) != 1 ||
      len != md.size())
    throw Error("OpenSSL could not compute SHA-256");
  return md;
}

void random_bytes(uint8_t* out, size_t len) {
  if (RAND_bytes(out, static_cast<int>(len)) != 1)
    throw Error("OpenSSL's random number generator failed");
}

}  // namespace bale::trust
