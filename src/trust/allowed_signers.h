// OpenSSH allowed_signers files (ssh-keygen(1) "ALLOWED SIGNERS"): who may sign, for which
// namespaces. bale reads /etc/bale/allowed_signers, /etc/bale/allowed_signers.d/*, and the
// user's own $XDG_CONFIG_HOME/bale/allowed_signers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trust/ssh_key.h"

namespace bale::trust {

struct SignerEntry {
  std::string principals;                 // as written: comma-separated patterns
  std::optional<std::string> namespaces;  // the namespaces="..." option, if present
  bool cert_authority = false;            // such lines are kept but never match a plain key
  std::optional<int64_t> valid_after, valid_before;  // seconds since the epoch (UTC)
  PublicKey key;
  std::string source;  // "file '/etc/bale/allowed_signers' line 3"
};

// Parses one file. Comments (#) and blank lines are skipped. A malformed line throws bale::Error
// naming the file and the line and what is wrong. Key types other than ssh-ed25519 are skipped.
std::vector<SignerEntry> parse_allowed_signers(std::string_view text, const std::string& path);
// One line of such a file (without its newline); nothing for comments, blank lines and key
// types other than ssh-ed25519. `line_no` counts from 1.
std::optional<SignerEntry> parse_allowed_signers_line(std::string_view line,
                                                      const std::string& path, size_t line_no);

// Does this entry allow `key` to sign in `ns` at time `now`? Honours namespaces= (comma-
// separated patterns with * and ?, a leading ! negates), valid-after/valid-before.
bool entry_allows(const SignerEntry& e, const PublicKey& key, std::string_view ns, int64_t now);

// OpenSSH-style pattern list match ("a*,b?,!c").
bool match_pattern_list(std::string_view text, std::string_view patterns);

}  // namespace bale::trust
