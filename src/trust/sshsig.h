// OpenSSH's SSHSIG signature format (PROTOCOL.sshsig) over SHA-512: the armored
// "-----BEGIN SSH SIGNATURE-----" text that `ssh-keygen -Y sign/verify` reads and writes.
// The caller hashes the message itself (streaming), so large inputs are never held in memory.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "trust/ssh_key.h"

namespace bale::trust {

using Sha512Digest = std::array<uint8_t, 64>;

// Armored SSHSIG of a message whose SHA-512 is `digest`, in namespace `ns`. Deterministic.
std::string sshsig_sign(const PrivateKey& key, std::string_view ns, const Sha512Digest& digest);
// Length in bytes of what sshsig_sign returns for an ed25519 key and this namespace.
size_t sshsig_armored_size(std::string_view ns);

struct Sshsig {
  PublicKey key;
  std::string ns;
  std::string hash_alg;
  std::string signature;  // raw 64-byte ed25519 signature
};

// Parses armored text. Throws bale::Error ("malformed signature: ...") on any defect.
Sshsig sshsig_parse(std::string_view armored);
// True when `sig` is a valid signature by sig.key in namespace `ns` over the message with
// this SHA-512 digest (hash_alg must be "sha512").
bool sshsig_verify(const Sshsig& sig, std::string_view ns, const Sha512Digest& digest);

}  // namespace bale::trust
