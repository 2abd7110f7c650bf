// The few OpenSSL 3 calls behind bale's keys: ed25519 from a 32-byte seed, SHA-256, random
// bytes. Private to src/trust; the public verification entry point is in ssh_key.h.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace bale::trust {

using Ed25519Seed = std::array<uint8_t, 32>;
using Ed25519Public = std::array<uint8_t, 32>;

Ed25519Public ed25519_public_from_seed(const Ed25519Seed& seed);
// 64-byte signature; ed25519 is deterministic, so equal inputs give equal signatures.
std::string ed25519_sign(const Ed25519Seed& seed, std::string_view data);
std::string sha256(std::string_view data);
// Cryptographically random bytes; throws bale::Error if the RNG fails.
void random_bytes(uint8_t* out, size_t len);

}  // namespace bale::trust
