// OpenSSL's libcrypto entry points, loaded on first use (see base/lazy_lib.h). libcrypto runs
// CPU feature probes (cpuid, slow under virtualization) and builds its tables at load time; a
// warm `bale run` needs none of it.
// The SHA256_/SHA512_ calls are deprecated in OpenSSL 3 but kept: their contexts are plain
// structs, so a running hash can be saved and resumed (the build's squash needs that).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "base/lazy_lib.h"

namespace {
constexpr const char* kLib = "libcrypto.so.3";
}

BALE_LAZY(kLib, int, EVP_Digest,
          (const void* d, size_t n, unsigned char* md, unsigned int* len, const EVP_MD* t,
           ENGINE* e),
          (d, n, md, len, t, e))
BALE_LAZY(kLib, int, EVP_DigestFinal_ex, (EVP_MD_CTX * c, unsigned char* md, unsigned int* s),
          (c, md, s))
BALE_LAZY(kLib, int, EVP_DigestInit_ex, (EVP_MD_CTX * c, const EVP_MD* t, ENGINE* e), (c, t, e))
BALE_LAZY(kLib, int, EVP_DigestUpdate, (EVP_MD_CTX * c, const void* d, size_t n), (c, d, n))
BALE_LAZY(kLib, int, EVP_DigestSign,
          (EVP_MD_CTX * c, unsigned char* sig, size_t* siglen, const unsigned char* tbs,
           size_t tbslen),
          (c, sig, siglen, tbs, tbslen))
BALE_LAZY(kLib, int, EVP_DigestSignInit,
          (EVP_MD_CTX * c, EVP_PKEY_CTX** pctx, const EVP_MD* t, ENGINE* e, EVP_PKEY* k),
          (c, pctx, t, e, k))
BALE_LAZY(kLib, int, EVP_DigestVerify,
          (EVP_MD_CTX * c, const unsigned char* sig, size_t siglen, const unsigned char* tbs,
           size_t tbslen),
          (c, sig, siglen, tbs, tbslen))
BALE_LAZY(kLib, int, EVP_DigestVerifyInit,
          (EVP_MD_CTX * c, EVP_PKEY_CTX** pctx, const EVP_MD* t, ENGINE* e, EVP_PKEY* k),
          (c, pctx, t, e, k))
BALE_LAZY(kLib, int, EVP_MD_CTX_copy_ex, (EVP_MD_CTX * out, const EVP_MD_CTX* in), (out, in))
BALE_LAZY(kLib, void, EVP_MD_CTX_free, (EVP_MD_CTX * c), (c))
BALE_LAZY(kLib, EVP_MD_CTX*, EVP_MD_CTX_new, (void), ())
BALE_LAZY(kLib, void, EVP_PKEY_free, (EVP_PKEY * k), (k))
BALE_LAZY(kLib, int, EVP_PKEY_get_raw_public_key,
          (const EVP_PKEY* k, unsigned char* pub, size_t* len), (k, pub, len))
BALE_LAZY(kLib, EVP_PKEY*, EVP_PKEY_new_raw_private_key,
          (int type, ENGINE* e, const unsigned char* key, size_t len), (type, e, key, len))
BALE_LAZY(kLib, EVP_PKEY*, EVP_PKEY_new_raw_public_key,
          (int type, ENGINE* e, const unsigned char* key, size_t len), (type, e, key, len))
BALE_LAZY(kLib, const EVP_MD*, EVP_sha256, (void), ())
BALE_LAZY(kLib, const EVP_MD*, EVP_sha512, (void), ())
BALE_LAZY(kLib, int, RAND_bytes, (unsigned char* buf, int n), (buf, n))
BALE_LAZY(kLib, int, SHA256_Init, (SHA256_CTX * c), (c))
BALE_LAZY(kLib, int, SHA256_Update, (SHA256_CTX * c, const void* d, size_t n), (c, d, n))
BALE_LAZY(kLib, int, SHA256_Final, (unsigned char* md, SHA256_CTX* c), (md, c))
BALE_LAZY(kLib, int, SHA512_Init, (SHA512_CTX * c), (c))
BALE_LAZY(kLib, int, SHA512_Update, (SHA512_CTX * c, const void* d, size_t n), (c, d, n))
BALE_LAZY(kLib, int, SHA512_Final, (unsigned char* md, SHA512_CTX* c), (md, c))
