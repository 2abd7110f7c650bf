// ed25519 public keys in OpenSSH's text and wire forms, their fingerprints, base64, and key
// generation and signing. The private key file format is in ssh_key_file.cc.
#include "trust/ssh_key.h"

#include <fmt/format.h>

#include <cstring>

#include "base/error.h"
#include "trust/ed25519.h"
#include "trust/wire.h"

namespace bale::trust {
namespace {

constexpr std::string_view kKeyType = "ssh-ed25519";
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// "where: what", or just "what" when the caller gave no source.
Error key_error(std::string_view where, std::string_view what) {
  if (where.empty()) return Error(std::string(what));
  return Error(fmt::format("{}: {}", where, what));
}

int base64_value(char c) {
  auto pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Splits off the first whitespace-delimited word of `s`, leaving the rest (untrimmed) in `s`.
std::string_view next_word(std::string_view& s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  size_t end = 0;
  while (end < s.size() && !is_space(s[end])) ++end;
  std::string_view word = s.substr(0, end);
  s.remove_prefix(end);
  return word;
}

Error unsupported_type(std::string_view where, std::string_view type) {
  return key_error(
      where, fmt::format("key type {} is not supported (bale uses ssh-ed25519 keys)", quote(type)));
}

}  // namespace

std::string base64_encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  for (size_t i = 0; i < data.size(); i += 3) {
    size_t n = std::min<size_t>(3, data.size() - i);
    uint32_t v = 0;
    for (size_t j = 0; j < 3; ++j) v = v << 8 | (j < n ? static_cast<uint8_t>(data[i + j]) : 0);
    for (size_t j = 0; j < 4; ++j) out += j <= n ? kAlphabet[(v >> (18 - 6 * j)) & 63] : '=';
  }
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 != 0) return false;
  for (size_t i = 0; i < text.size(); i += 4) {
    // '=' may only pad the last group: "xx==" or "xxx=".
    bool last = i + 4 == text.size();
    size_t pad = 0;
    uint32_t v = 0;
    for (size_t j = 0; j < 4; ++j) {
      char c = text[i + j];
      if (c == '=' && last && j >= 2) {
        ++pad;
        v <<= 6;
        continue;
      }
      int d = base64_value(c);
      if (d < 0 || pad > 0) return false;
      v = v << 6 | static_cast<uint32_t>(d);
    }
    out += static_cast<char>(v >> 16);
    if (pad < 2) out += static_cast<char>(v >> 8);
    if (pad < 1) out += static_cast<char>(v);
  }
  return true;
}

std::string PublicKey::blob() const {
  std::string out;
  put_string(out, kKeyType);
  put_string(out, std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
  return out;
}

std::string PublicKey::to_openssh() const {
  std::string line = fmt::format("{} {}", kKeyType, base64_encode(blob()));
  if (!comment.empty()) line += " " + comment;
  return line;
}

std::string PublicKey::fingerprint() const {
  std::string b64 = base64_encode(sha256(blob()));
  // ssh-keygen prints SHA256 fingerprints without base64 padding.
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return "SHA256:" + b64;
}

PublicKey PublicKey::parse(std::string_view line, std::string_view where) {
  std::string_view rest = trim(line);
  std::string_view type = next_word(rest);
  if (type.empty()) throw key_error(where, "expected a key, found nothing");
  if (type != kKeyType) throw unsupported_type(where, type);
  std::string_view data = next_word(rest);
  if (data.empty()) throw key_error(where, "expected base64 key data after 'ssh-ed25519'");
  std::string blob;
  if (!base64_decode(data, blob)) throw key_error(where, "the key data is not valid base64");
  PublicKey key = from_blob(blob, where);
  key.comment = std::string(trim(rest));
  return key;
}

PublicKey PublicKey::from_blob(std::string_view blob, std::string_view where) {
  WireReader r(blob, where.empty() ? "malformed key" : fmt::format("{}: malformed key", where));
  std::string_view type = r.string();
  if (type != kKeyType) throw unsupported_type(where, type);
  std::string_view raw = r.string();
  if (raw.size() != 32)
    r.fail(fmt::format("an ed25519 public key is 32 bytes, this one is {}", raw.size()));
  r.expect_end();
  PublicKey key;
  std::memcpy(key.raw.data(), raw.data(), raw.size());
  return key;
}

PrivateKey PrivateKey::generate(std::string comment) {
  PrivateKey k;
  random_bytes(k.seed_.data(), k.seed_.size());
  k.pub_.raw = ed25519_public_from_seed(k.seed_);
  k.pub_.comment = std::move(comment);
  return k;
}

std::string PrivateKey::sign(std::string_view data) const { return ed25519_sign(seed_, data); }

}  // namespace bale::trust
