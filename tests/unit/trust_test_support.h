// Helpers shared by the trust tests: running the real ssh-keygen as the oracle, small files.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "test_support.h"

namespace bale::trust::testing {

bool have_ssh_keygen();
std::string sh_quote(std::string_view s);
int run(const std::string& cmd);
std::string capture(const std::string& cmd);
// Makes DIR/NAME with ssh-keygen (no passphrase); returns its path.
std::string ssh_keygen_key(const std::string& dir, const std::string& name,
                           const std::string& comment, const std::string& type = "ed25519");
std::array<uint8_t, 64> sha512_of(std::string_view data);
void write_text(const std::string& path, std::string_view text);

using bale::testing::error_of;

}  // namespace bale::trust::testing
