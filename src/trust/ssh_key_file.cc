// The unencrypted "openssh-key-v1" private key file (OpenSSH PROTOCOL.key), read and written
// byte for byte as ssh-keygen does, so keys move freely between bale and OpenSSH.
#include <fmt/format.h>
#include <openssl/crypto.h>

#include <cstring>

#include "base/error.h"
#include "base/fs.h"
#include "trust/ed25519.h"
#include "trust/ssh_key.h"
#include "trust/wire.h"

namespace bale::trust {
namespace {

constexpr std::string_view kBegin = "-----BEGIN OPENSSH PRIVATE KEY-----\n";
constexpr std::string_view kEnd = "-----END OPENSSH PRIVATE KEY-----\n";
// The magic includes its terminating NUL.
constexpr std::string_view kMagic{"openssh-key-v1\0", 15};
// Cipher "none" still pads the private section to its 8-byte block size.
constexpr size_t kBlockSize = 8;
constexpr size_t kMaxKeyFile = 1 << 20;

// Decoded key material is wiped once parsed, so a loaded key leaves one copy in memory.
struct Wiped {
  std::string s;
  ~Wiped() { explicit_bzero(s.data(), s.size()); }
};

std::string_view as_chars(const uint8_t* p, size_t n) {
  return {reinterpret_cast<const char*>(p), n};
}

// The base64 body between the BEGIN and END lines, decoded.
void dearmor(std::string_view text, const std::string& path, std::string& out) {
  auto begin = text.find(kBegin.substr(0, kBegin.size() - 1));
  auto end = text.find(kEnd.substr(0, kEnd.size() - 1));
  if (begin == std::string_view::npos || end == std::string_view::npos || end < begin)
    throw Error(
        fmt::format("private key {}: not an OpenSSH private key file (expected a '{}' line)",
                    quote(path), kBegin.substr(0, kBegin.size() - 1)));
  begin += kBegin.size() - 1;
  Wiped body{strip_whitespace(text.substr(begin, end - begin))};
  if (!base64_decode(body.s, out))
    throw Error(fmt::format("private key {}: the key data is not valid base64", quote(path)));
}

void check_padding(WireReader& r) {
  std::string_view pad = r.rest();
  for (size_t i = 0; i < pad.size(); ++i)
    if (static_cast<uint8_t>(pad[i]) != ((i + 1) & 0xff)) r.fail("bad padding after the comment");
}

// The private section: checkint twice, key type, public key, seed||public, comment, padding.
void parse_private_section(std::string_view section, const std::string& prefix, Ed25519Seed& seed,
                           PublicKey& pub) {
  WireReader r(section, prefix);
  // Equal check words are how OpenSSH tells a correct decryption; unencrypted, they just match.
  if (r.u32() != r.u32()) r.fail("the check words differ (corrupt key file)");
  r.expect_string("ssh-ed25519", "the private key type");
  std::string_view raw_pub = r.string();
  std::string_view secret = r.string();
  if (raw_pub.size() != 32 || secret.size() != 64) r.fail("wrong ed25519 key length");
  if (secret.substr(32) != raw_pub) r.fail("the private key does not hold its own public key");
  std::memcpy(seed.data(), secret.data(), seed.size());
  std::memcpy(pub.raw.data(), raw_pub.data(), pub.raw.size());
  pub.comment = std::string(r.string());
  check_padding(r);
}

std::string private_section(const Ed25519Seed& seed, const PublicKey& pub) {
  uint32_t check = 0;
  random_bytes(reinterpret_cast<uint8_t*>(&check), sizeof check);
  std::string out;
  put_u32(out, check);
  put_u32(out, check);
  put_string(out, "ssh-ed25519");
  put_string(out, as_chars(pub.raw.data(), pub.raw.size()));
  std::string secret = std::string(as_chars(seed.data(), seed.size())) +
                       std::string(as_chars(pub.raw.data(), pub.raw.size()));
  put_string(out, secret);
  explicit_bzero(secret.data(), secret.size());
  put_string(out, pub.comment);
  for (uint8_t i = 1; out.size() % kBlockSize != 0; ++i) out += static_cast<char>(i);
  return out;
}

// A key is a regular file: never a FIFO or a device that would block or never end.
std::string read_key_file(const std::string& path) {
  auto text = read_config_file(path, kMaxKeyFile);
  if (!text) throw sys_error("open", path, ENOENT);
  return std::move(*text);
}

}  // namespace

PublicKey PrivateKey::load_public(const std::string& path) {
  Wiped text{read_key_file(path)};
  Wiped blob;
  dearmor(text.s, path, blob.s);
  WireReader r(blob.s, fmt::format("private key {}: malformed", quote(path)));
  if (r.take(kMagic.size()) != kMagic) r.fail("no 'openssh-key-v1' header");
  r.string();  // cipher
  r.string();  // KDF
  r.string();  // KDF options
  if (uint32_t n = r.u32(); n != 1) r.fail(fmt::format("the file holds {} keys, expected 1", n));
  return PublicKey::from_blob(r.string(), fmt::format("private key {}", quote(path)));
}

PrivateKey PrivateKey::load(const std::string& path) {
  Wiped text{read_key_file(path)};
  Wiped blob;
  dearmor(text.s, path, blob.s);
  std::string prefix = fmt::format("private key {}: malformed", quote(path));
  WireReader r(blob.s, prefix);
  if (r.take(kMagic.size()) != kMagic) r.fail("no 'openssh-key-v1' header");
  std::string_view cipher = r.string(), kdf = r.string();
  r.string();  // KDF options: empty for an unencrypted key
  if (cipher != "none" || kdf != "none")
    throw Error(fmt::format("private key {} is passphrase-protected (cipher {}), which bale does "
                            "not support",
                            quote(path), quote(cipher)))
        .with_hint("use a key without a passphrase, e.g. ssh-keygen -t ed25519 -N ''");
  if (uint32_t n = r.u32(); n != 1) r.fail(fmt::format("the file holds {} keys, expected 1", n));
  PublicKey outer = PublicKey::from_blob(r.string(), fmt::format("private key {}", quote(path)));
  std::string_view section = r.string();
  r.expect_end();
  PrivateKey k;
  parse_private_section(section, prefix, k.seed_, k.pub_);
  if (outer != k.pub_ || ed25519_public_from_seed(k.seed_) != k.pub_.raw)
    r.fail("the public key does not belong to the private key");
  return k;
}

std::string PrivateKey::to_openssh_file() const {
  Wiped blob;
  blob.s = kMagic;
  put_string(blob.s, "none");  // cipher
  put_string(blob.s, "none");  // KDF
  put_string(blob.s, "");      // KDF options
  put_u32(blob.s, 1);          // number of keys
  put_string(blob.s, pub_.blob());
  Wiped section{private_section(seed_, pub_)};
  put_string(blob.s, section.s);
  Wiped b64{base64_encode(blob.s)};
  return std::string(kBegin) + wrap_lines(b64.s) + std::string(kEnd);
}

void PrivateKey::save(const std::string& path) const {
  Wiped text{to_openssh_file()};
  write_file_atomic(path, text.s, 0600);
}

}  // namespace bale::trust
