// SSHSIG (OpenSSH PROTOCOL.sshsig) for ed25519 keys over SHA-512 digests, armored exactly as
// `ssh-keygen -Y sign` writes it so `ssh-keygen -Y verify` is an independent check of bale.
#include "trust/sshsig.h"

#include <fmt/format.h>

#include "base/error.h"
#include "trust/wire.h"

namespace bale::trust {
namespace {

constexpr std::string_view kMagic = "SSHSIG";  // six bytes, no length prefix
constexpr uint32_t kVersion = 1;
constexpr std::string_view kHashAlg = "sha512";
constexpr std::string_view kKeyType = "ssh-ed25519";
constexpr std::string_view kBegin = "-----BEGIN SSH SIGNATURE-----\n";
constexpr std::string_view kEnd = "-----END SSH SIGNATURE-----\n";
constexpr size_t kLineWidth = 70;
constexpr size_t kMaxArmored = 64 * 1024;

std::string_view digest_view(const Sha512Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

// What the key actually signs: the magic, then namespace, reserved, hash name and H(message).
std::string signed_data(std::string_view ns, const Sha512Digest& digest) {
  std::string out(kMagic);
  put_string(out, ns);
  put_string(out, "");  // reserved
  put_string(out, kHashAlg);
  put_string(out, digest_view(digest));
  return out;
}

std::string signature_blob(std::string_view sig64) {
  std::string out;
  put_string(out, kKeyType);
  put_string(out, sig64);
  return out;
}

size_t string_size(size_t len) { return 4 + len; }

size_t blob_size(std::string_view ns) {
  size_t pub_blob = string_size(kKeyType.size()) + string_size(32);
  size_t sig_blob = string_size(kKeyType.size()) + string_size(64);
  return kMagic.size() + 4 + string_size(pub_blob) + string_size(ns.size()) + string_size(0) +
         string_size(kHashAlg.size()) + string_size(sig_blob);
}

[[noreturn]] void malformed(std::string_view what) {
  throw Error(fmt::format("malformed signature: {}", what));
}

std::string dearmor(std::string_view armored) {
  if (armored.size() > kMaxArmored) malformed("longer than any SSH signature");
  std::string_view begin_line = kBegin.substr(0, kBegin.size() - 1);
  std::string_view end_line = kEnd.substr(0, kEnd.size() - 1);
  size_t start = armored.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || armored.substr(start, begin_line.size()) != begin_line)
    malformed(fmt::format("it does not start with '{}'", begin_line));
  armored.remove_prefix(start + begin_line.size());
  size_t end = armored.find(end_line);
  if (end == std::string_view::npos) malformed(fmt::format("no '{}' line", end_line));
  if (armored.substr(end + end_line.size()).find_first_not_of(" \t\r\n") != std::string_view::npos)
    malformed(fmt::format("text after the '{}' line", end_line));
  std::string blob;
  if (!base64_decode(strip_whitespace(armored.substr(0, end)), blob))
    malformed("the signature body is not valid base64");
  return blob;
}

std::string parse_signature_blob(std::string_view blob) {
  WireReader r(blob, "malformed signature");
  std::string_view type = r.string();
  if (type != kKeyType)
    malformed(
        fmt::format("signature type {} is not supported (bale uses ssh-ed25519)", quote(type)));
  std::string_view sig = r.string();
  if (sig.size() != 64) malformed(fmt::format("ed25519 signature of {} bytes", sig.size()));
  r.expect_end();
  return std::string(sig);
}

}  // namespace

std::string sshsig_sign(const PrivateKey& key, std::string_view ns, const Sha512Digest& digest) {
  std::string blob(kMagic);
  put_u32(blob, kVersion);
  put_string(blob, key.public_key().blob());
  put_string(blob, ns);
  put_string(blob, "");  // reserved
  put_string(blob, kHashAlg);
  put_string(blob, signature_blob(key.sign(signed_data(ns, digest))));
  return std::string(kBegin) + wrap_lines(base64_encode(blob), kLineWidth) + std::string(kEnd);
}

size_t sshsig_armored_size(std::string_view ns) {
  size_t b64 = (blob_size(ns) + 2) / 3 * 4;
  size_t lines = (b64 + kLineWidth - 1) / kLineWidth;
  return kBegin.size() + b64 + lines + kEnd.size();
}

Sshsig sshsig_parse(std::string_view armored) {
  std::string blob = dearmor(armored);
  WireReader r(blob, "malformed signature");
  if (r.take(kMagic.size()) != kMagic) malformed("no 'SSHSIG' header");
  if (uint32_t v = r.u32(); v != kVersion) malformed(fmt::format("unsupported version {}", v));
  Sshsig sig;
  try {
    sig.key = PublicKey::from_blob(r.string(), "");
  } catch (const Error& e) {
    malformed(e.what());
  }
  sig.ns = std::string(r.string());
  r.string();  // reserved: PROTOCOL.sshsig says verifiers ignore its contents
  sig.hash_alg = std::string(r.string());
  sig.signature = parse_signature_blob(r.string());
  r.expect_end();
  return sig;
}

bool sshsig_verify(const Sshsig& sig, std::string_view ns, const Sha512Digest& digest) {
  if (sig.hash_alg != kHashAlg || sig.ns != ns) return false;
  return ed25519_verify(sig.key, signed_data(ns, digest), sig.signature);
}

}  // namespace bale::trust
