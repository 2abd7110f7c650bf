// The SSH wire encoding (RFC 4251 section 5) shared by keys and signatures: big-endian uint32
// and length-prefixed strings. Private to src/trust.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace bale::trust {

inline void put_u32(std::string& out, uint32_t v) {
  out += static_cast<char>(v >> 24);
  out += static_cast<char>(v >> 16);
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v);
}

inline void put_string(std::string& out, std::string_view s) {
  put_u32(out, static_cast<uint32_t>(s.size()));
  out += s;
}

// Reads fields front to back. Every defect throws bale::Error("<prefix>: <what>"), so callers
// decide how a truncated key or signature is described.
class WireReader {
 public:
  WireReader(std::string_view data, std::string prefix) : data_(data), prefix_(std::move(prefix)) {}

  uint32_t u32() {
    std::string_view b = take(4);
    auto u = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(b[i])); };
    return u(0) << 24 | u(1) << 16 | u(2) << 8 | u(3);
  }
  std::string_view string() { return take(u32()); }
  // A string field that must hold exactly `expected`; `field` names it in the error.
  void expect_string(std::string_view expected, std::string_view field) {
    std::string_view got = string();
    if (got != expected)
      fail(std::string(field) + " is " + quote(got) + ", expected " + quote(expected));
  }
  std::string_view take(size_t n) {
    if (n > data_.size()) fail("truncated data");
    std::string_view out = data_.substr(0, n);
    data_.remove_prefix(n);
    return out;
  }
  std::string_view rest() const { return data_; }
  bool empty() const { return data_.empty(); }
  void expect_end() {
    if (!data_.empty()) fail("unexpected data after the last field");
  }
  [[noreturn]] void fail(std::string_view what) const {
    throw Error(prefix_ + ": " + std::string(what));
  }

 private:
  std::string_view data_;
  std::string prefix_;
};

// Base64 text broken into lines of `width` characters, each ending in '\n', as OpenSSH's
// sshbuf_dtob64(..., wrap=1) writes it inside armored keys and signatures.
inline std::string wrap_lines(std::string_view text, size_t width = 70) {
  std::string out;
  out.reserve(text.size() + text.size() / width + 1);
  for (size_t i = 0; i < text.size(); i += width) {
    out += text.substr(i, width);
    out += '\n';
  }
  return out;
}

// Copy of `text` without spaces, tabs and line breaks: armored bodies are base64 over lines.
inline std::string strip_whitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') out += c;
  return out;
}

}  // namespace bale::trust
