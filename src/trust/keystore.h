// Where this machine's signing key and its trusted signers live, and the operations on them:
// the key created on first use, `bale trust add/list/remove`, and the trust decision itself.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "trust/allowed_signers.h"
#include "trust/ssh_key.h"

namespace bale::trust {

// The SSHSIG namespace of bale image signatures.
inline constexpr std::string_view kImageNamespace = "bale-image";

struct TrustPaths {
  std::string config_dir;                 // where the machine key and the writable list live
  std::string key_path;                   // config_dir + "/id_ed25519" (".pub" beside it)
  std::string writable_signers;           // file that `trust add/remove` edits
  std::vector<std::string> signer_files;  // every allowed_signers file read, in order
                                          // (a directory stands for its files in name order)

  // root: /etc/bale; others: $XDG_CONFIG_HOME/bale (default ~/.config/bale) plus the system
  // files under /etc/bale. $BALE_CONFIG_DIR, when set, replaces both (used by tests).
  static TrustPaths defaults();
  // Everything under one directory: dir/id_ed25519, dir/allowed_signers, dir/allowed_signers.d/*
  static TrustPaths under(const std::string& dir);
};

// Loads the key at `path`, or the machine key (created on first use, 0600, with the .pub
// written beside it) when path is empty.
PrivateKey load_signing_key(const TrustPaths& paths, const std::string& path = "");

struct TrustDecision {
  bool trusted = false;
  std::string principal;  // who the key belongs to ("this machine" for the machine key)
  std::string source;     // where that was decided: "file '...' line N" or the key path
};

// Is `key` trusted to sign in `ns`? The machine's own key (if it exists) is always trusted;
// then each allowed_signers file in order. Malformed files throw bale::Error naming file:line.
TrustDecision decide_trust(const TrustPaths& paths, const PublicKey& key, std::string_view ns);

// Reads a key argument: a path to a .pub file, or an "ssh-ed25519 AAAA..." line.
PublicKey read_public_key_arg(std::string_view arg);

// Appends "NAME namespaces="bale-image" ssh-ed25519 ..." to paths.writable_signers (atomically,
// creating directories as needed). NAME defaults to the key's comment, else its fingerprint.
// Adding a key already listed there throws bale::Error saying so.
SignerEntry trust_add(const TrustPaths& paths, const PublicKey& key, std::string name);
// Removes every line of paths.writable_signers whose key matches a key argument or a
// "SHA256:..." fingerprint; returns the removed entries; none found throws bale::Error.
std::vector<SignerEntry> trust_remove(const TrustPaths& paths, std::string_view key_or_fp);
// Every entry of every file, in order.
std::vector<SignerEntry> trust_list(const TrustPaths& paths);

}  // namespace bale::trust
