// Where trust lives on this machine and how a key is judged: the machine key (made on first
// use), then every allowed_signers file in order. Editing the writable list is in trust_edit.cc.
#include "trust/keystore.h"

#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>

#include "base/error.h"
#include "base/fs.h"
#include "base/identity.h"
#include "trust/keystore_files.h"

namespace bale::trust {
namespace {

constexpr std::string_view kSystemDir = "/etc/bale";

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// $XDG_CONFIG_HOME when absolute (the XDG spec says to ignore relative values), else ~/.config.
std::string user_config_home() {
  if (std::string xdg = env("XDG_CONFIG_HOME"); xdg.starts_with('/')) return xdg;
  std::string home = env("HOME");
  if (home.empty())
    if (const passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_dir) home = pw->pw_dir;
  if (home.empty())
    throw Error(
        "cannot find the configuration directory: neither $XDG_CONFIG_HOME nor $HOME is "
        "set");
  return home + "/.config";
}

std::string hostname() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) < 0 || buf[0] == '\0') return "localhost";
  return buf;
}

// Writes a new machine key. link() refuses to replace an existing name, so when two first runs
// race, both end up using the one key that landed first rather than each signing with its own.
void create_machine_key(const std::string& key_path) {
  mkdir_p(dirname_of(key_path), 0755);
  PrivateKey key = PrivateKey::generate("bale@" + hostname());
  std::string temp = fmt::format("{}.new-{}", key_path, ::getpid());
  key.save(temp);
  int rc = ::link(temp.c_str(), key_path.c_str());
  int err = errno;
  if (rc < 0 && (err == EPERM || err == EOPNOTSUPP)) {
    // No hard links on this file system: fall back to rename, racy but still never torn.
    rc = ::rename(temp.c_str(), key_path.c_str());
    err = errno;
  }
  ::unlink(temp.c_str());
  if (rc < 0 && err == EEXIST) return;
  if (rc < 0) throw sys_error("create", key_path, err);
  write_file_atomic(key_path + ".pub", key.public_key().to_openssh() + "\n", 0644);
}

// The machine key's public half, if there is a machine key. An unreadable private key (another
// user's) is judged by the .pub beside it.
std::optional<PublicKey> read_machine_public_key(const std::string& key_path) {
  if (!path_exists(key_path)) return std::nullopt;
  try {
    return PrivateKey::load_public(key_path);
  } catch (const Error& e) {
    if (e.err() != EACCES) throw;
  }
  std::optional<std::string> pub = read_if_exists(key_path + ".pub");
  if (!pub) return std::nullopt;
  return PublicKey::parse(pub->substr(0, pub->find('\n')),
                          fmt::format("file {} line 1", quote(key_path + ".pub")));
}

// The same, read once per process: an app's launch decides the trust of every image of its stack,
// and the key does not change under a running bale. Only a key that exists is kept, so one
// created later in the same run (load_signing_key) is seen.
std::optional<PublicKey> machine_public_key(const std::string& key_path) {
  static std::mutex mu;
  static std::map<std::string, PublicKey> known;
  std::lock_guard lock(mu);
  if (auto it = known.find(key_path); it != known.end()) return it->second;
  std::optional<PublicKey> key = read_machine_public_key(key_path);
  if (key) known.emplace(key_path, *key);
  return key;
}

// A directory in signer_files stands for the files in it, in name order; dot files are skipped.
std::vector<std::string> files_in_dir(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& d : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = d.path().filename().string();
    if (!name.starts_with('.') && !d.is_directory()) out.push_back(d.path().string());
  }
  if (ec && ec.value() != ENOENT) throw sys_error("read directory", dir, ec.value());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> expand_signer_files(const std::vector<std::string>& listed) {
  std::vector<std::string> out;
  for (const std::string& path : listed) {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      for (std::string& f : files_in_dir(path)) out.push_back(std::move(f));
    } else {
      out.push_back(path);  // missing files are skipped when read
    }
  }
  return out;
}

PublicKey read_public_key_file(const std::string& path) {
  auto file = read_config_file(path, kMaxTrustFile);
  if (!file) throw sys_error("open", path, ENOENT);
  std::string& text = *file;
  if (text.find("PRIVATE KEY-----") != std::string::npos)
    throw Error(fmt::format("file {} is a private key; give its public key ({}.pub) instead",
                            quote(path), path));
  size_t line_no = 0;
  for (std::string_view rest = text; !rest.empty();) {
    std::string_view line = rest.substr(0, rest.find('\n'));
    rest.remove_prefix(std::min(line.size() + 1, rest.size()));
    ++line_no;
    size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string_view::npos || line[start] == '#') continue;
    return PublicKey::parse(line, fmt::format("file {} line {}", quote(path), line_no));
  }
  throw Error(fmt::format("file {} holds no public key", quote(path)));
}

}  // namespace

std::optional<std::string> read_if_exists(const std::string& path) {
  return read_config_file(path, kMaxTrustFile);
}

mode_t mode_or(const std::string& path, mode_t fallback) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : fallback;
}

TrustPaths TrustPaths::defaults() {
  if (std::string dir = env("BALE_CONFIG_DIR"); !dir.empty()) return under(dir);
  if (invoked_as_root()) return under(std::string(kSystemDir));
  TrustPaths p = under(user_config_home() + "/bale");
  // The system-wide lists come first, then the user's own.
  std::string system(kSystemDir);
  p.signer_files = {system + "/allowed_signers", system + "/allowed_signers.d", p.writable_signers};
  return p;
}

TrustPaths TrustPaths::under(const std::string& dir) {
  TrustPaths p;
  p.config_dir = dir;
  p.key_path = dir + "/id_ed25519";
  p.writable_signers = dir + "/allowed_signers";
  p.signer_files = {p.writable_signers, dir + "/allowed_signers.d"};
  return p;
}

PrivateKey load_signing_key(const TrustPaths& paths, const std::string& path) {
  if (!path.empty()) return PrivateKey::load(path);
  if (!path_exists(paths.key_path)) create_machine_key(paths.key_path);
  return PrivateKey::load(paths.key_path);
}

TrustDecision decide_trust(const TrustPaths& paths, const PublicKey& key, std::string_view ns) {
  if (std::optional<PublicKey> mine = machine_public_key(paths.key_path); mine && *mine == key)
    return {true, "this machine", paths.key_path};
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (const SignerEntry& e : trust_list(paths))
    if (entry_allows(e, key, ns, now)) return {true, e.principals, e.source};
  return {};
}

PublicKey read_public_key_arg(std::string_view arg) {
  std::string_view t = arg.substr(std::min(arg.find_first_not_of(" \t"), arg.size()));
  // "ssh-ed25519 AAAA..." given inline; anything else names a file.
  bool inline_key = (t.starts_with("ssh-") || t.starts_with("ecdsa-") || t.starts_with("sk-")) &&
                    t.find_first_of(" \t") != std::string_view::npos;
  if (inline_key) return PublicKey::parse(t, "key argument");
  // A word that names no file and looks like no path was most likely meant as a key line.
  bool looks_like_path = arg.find('/') != std::string_view::npos || arg.ends_with(".pub");
  if (!looks_like_path && !path_exists(std::string(arg)))
    throw Error(fmt::format("key {}: no such file, and not an 'ssh-ed25519 AAAA...' line",
                            quote(arg)));
  return read_public_key_file(std::string(arg));
}

std::vector<SignerEntry> trust_list(const TrustPaths& paths) {
  std::vector<SignerEntry> out;
  for (const std::string& file : expand_signer_files(paths.signer_files)) {
    std::optional<std::string> text = read_if_exists(file);
    if (!text) continue;
    for (SignerEntry& e : parse_allowed_signers(*text, file)) out.push_back(std::move(e));
  }
  return out;
}

}  // namespace bale::trust
