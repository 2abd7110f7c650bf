// File helpers shared by the keystore's readers (keystore.cc) and editors (trust_edit.cc).
// Private to src/trust.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace bale::trust {

// A limit on the trust files bale reads: they are small, and a huge one is a mistake.
inline constexpr size_t kMaxTrustFile = 4u << 20;

// The whole file, or nothing if it does not exist; other failures throw naming the path.
std::optional<std::string> read_if_exists(const std::string& path);
// The permission bits of `path`, or `fallback` when it does not exist.
mode_t mode_or(const std::string& path, mode_t fallback);

}  // namespace bale::trust
