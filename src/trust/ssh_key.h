// OpenSSH ed25519 keys: the public "ssh-ed25519 AAAA... comment" line, the unencrypted
// "openssh-key-v1" private key file, fingerprints, raw signing and verification.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace bale::trust {

struct PublicKey {
  std::array<uint8_t, 32> raw{};
  std::string comment;

  // SSH wire encoding: string "ssh-ed25519", string raw.
  std::string blob() const;
  // "ssh-ed25519 AAAA...[ comment]"
  std::string to_openssh() const;
  // "SHA256:<unpadded base64 of sha256(blob)>", as ssh-keygen -l prints it.
  std::string fingerprint() const;
  bool operator==(const PublicKey& o) const { return raw == o.raw; }

  // Parses "ssh-ed25519 BASE64 [comment]" (leading/trailing spaces allowed).
  // `where` names the source in errors ("file 'x' line 3"). Throws bale::Error.
  static PublicKey parse(std::string_view line, std::string_view where);
  // Parses a wire-format blob (string keytype, string raw). Throws bale::Error.
  static PublicKey from_blob(std::string_view blob, std::string_view where);
};

class PrivateKey {
 public:
  static PrivateKey generate(std::string comment);
  // Reads an unencrypted openssh-key-v1 ed25519 private key file. An encrypted key gives an
  // error that says so. Throws bale::Error naming the path.
  static PrivateKey load(const std::string& path);
  // Only the public key stored in the file's clear header, without touching the secret part
  // or any cryptography: what a trust decision needs, fast enough for every `bale run`.
  static PublicKey load_public(const std::string& path);
  // The file format ssh-keygen writes; written atomically with mode 0600.
  std::string to_openssh_file() const;
  void save(const std::string& path) const;

  const PublicKey& public_key() const { return pub_; }
  // Raw ed25519 signature (64 bytes) over data.
  std::string sign(std::string_view data) const;

 private:
  std::array<uint8_t, 32> seed_{};
  PublicKey pub_;
};

// Raw ed25519 verification of a 64-byte signature.
bool ed25519_verify(const PublicKey& key, std::string_view data, std::string_view sig64);

// Base64 (standard alphabet, padded) helpers shared by keys and signatures.
std::string base64_encode(std::string_view data);
// Returns false on any character outside the alphabet or bad padding.
bool base64_decode(std::string_view text, std::string& out);

}  // namespace bale::trust
