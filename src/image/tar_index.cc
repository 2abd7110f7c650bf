// Indexing a tar stream's entries as it goes by (see tar_index.h).
#include "image/tar_index.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "base/error.h"

namespace bale::image {

namespace {

constexpr size_t kBlock = 512;
constexpr uint64_t kMaxMeta = 1u << 20;  // pax records or a long name: more is not a name

uint64_t padded(uint64_t n) { return (n + kBlock - 1) / kBlock * kBlock; }

// A NUL-terminated field of at most `len` bytes.
std::string field(const char* p, size_t len) { return std::string(p, strnlen(p, len)); }

// A numeric field: octal digits (spaces and NULs around them), or base-256 when the first
// byte's high bit is set. Returns false for anything else.
bool number(const char* p, size_t len, uint64_t& out) {
  auto u = reinterpret_cast<const unsigned char*>(p);
  out = 0;
  if (u[0] & 0x80) {
    if (u[0] != 0x80) return false;  // negative, or too large for 64 bits
    for (size_t i = 1; i < len; i++) {
      if (out >> 56) return false;
      out = out << 8 | u[i];
    }
    return true;
  }
  size_t i = 0;
  while (i < len && (p[i] == ' ' || p[i] == '\0')) i++;
  for (; i < len && p[i] >= '0' && p[i] <= '7'; i++) {
    if (out >> 60) return false;
    out = out << 3 | static_cast<uint64_t>(p[i] - '0');
  }
  for (; i < len; i++)
    if (p[i] != ' ' && p[i] != '\0') return false;
  return true;  // an empty field is 0, as tar readers take it
}

bool checksum_ok(const char* block) {
  uint64_t stored;
  if (!number(block + 148, 8, stored)) return false;
  auto u = reinterpret_cast<const unsigned char*>(block);
  uint64_t sum = 0;
  int64_t ssum = 0;
  for (size_t i = 0; i < kBlock; i++) {
    unsigned char c = (i >= 148 && i < 156) ? ' ' : u[i];
    sum += c;
    ssum += static_cast<signed char>(c);
  }
  return stored == sum || static_cast<int64_t>(stored) == ssum;
}

}  // namespace

void TarIndexer::feed(std::string_view data) {
  while (!data.empty()) {
    if (ended_) {
      pos_ += data.size();
      return;
    }
    size_t n;
    if (skip_ > 0) {
      n = static_cast<size_t>(std::min<uint64_t>(skip_, data.size()));
      skip_ -= n;
    } else if (meta_left_ > 0) {
      n = static_cast<size_t>(std::min<uint64_t>(meta_left_, data.size()));
      meta_.append(data.substr(0, n));
      meta_left_ -= n;
      if (meta_left_ == 0) meta_done();
    } else {
      n = std::min(kBlock - block_.size(), data.size());
      block_.append(data.substr(0, n));
      if (block_.size() == kBlock) {
        pos_ += n;
        data.remove_prefix(n);
        header(block_.data());
        block_.clear();
        continue;
      }
    }
    pos_ += n;
    data.remove_prefix(n);
  }
}

void TarIndexer::header(const char* block) {
  uint64_t at = pos_ - kBlock;
  auto give_up = [&](std::string why) {
    unusual_ = fmt::format("{} at byte {}", why, at);
    ended_ = true;
  };
  if (std::all_of(block, block + kBlock, [](char c) { return c == 0; })) {
    ended_ = true;
    return;
  }
  if (!checksum_ok(block))
    throw Error(fmt::format("{}: damaged tar header at byte {} (its checksum does not match)",
                            quote(source_), at));
  bool pending = !pax_path_.empty() || !pax_link_.empty() || !long_name_.empty() ||
                 !long_link_.empty() || pax_size_ != UINT64_MAX || meta_type_ != 0;
  if (!pending) entry_start_ = at;
  meta_type_ = 0;
  uint64_t size;
  if (!number(block + 124, 12, size))
    throw Error(fmt::format("{}: damaged tar header at byte {} (its size field)", quote(source_), at));
  char type = block[156] ? block[156] : '0';
  if (type == 'x' || type == 'L' || type == 'K') {
    if (size > kMaxMeta) return give_up(fmt::format("a {}-byte '{}' header", size, type));
    meta_type_ = type;
    meta_.clear();
    meta_left_ = size;
    pad_after_meta_ = padded(size) - size;  // passed once the data is in
    if (size == 0) meta_done();
    return;
  }
  if (type == 'g' || type == 'S' || type == 'M' || type == 'V')
    return give_up(fmt::format("a '{}' entry", type));
  if (pax_size_ != UINT64_MAX) size = pax_size_;
  bool has_data = type == '0' || type == '7' || !std::strchr("123456", type);
  if (!has_data && size != 0) return give_up(fmt::format("a '{}' entry with data", type));
  TarIndexEntry e;
  e.type = type;
  std::string name = field(block, 100);
  if (std::memcmp(block + 257, "ustar\0", 6) == 0 && block[345])
    name = field(block + 345, 155) + "/" + name;
  e.name = !pax_path_.empty() ? pax_path_ : !long_name_.empty() ? long_name_ : name;
  e.link = !pax_link_.empty() ? pax_link_ : !long_link_.empty() ? long_link_ : field(block + 157, 100);
  e.start = entry_start_;
  e.end = pos_ + padded(size);
  entries_.push_back(std::move(e));
  pax_path_.clear();
  pax_link_.clear();
  long_name_.clear();
  long_link_.clear();
  pax_size_ = UINT64_MAX;
  skip_ = padded(size);
}

// The data of a pax or long-name header is in meta_.
void TarIndexer::meta_done() {
  skip_ = pad_after_meta_;
  pad_after_meta_ = 0;
  if (meta_type_ == 'L' || meta_type_ == 'K') {
    std::string s = field(meta_.data(), meta_.size());
    (meta_type_ == 'L' ? long_name_ : long_link_) = s;
    return;
  }
  // "LEN key=value\n" records.
  std::string_view rest = meta_;
  while (!rest.empty()) {
    size_t sp = rest.find(' ');
    uint64_t len = 0;
    bool ok = sp != std::string_view::npos && sp > 0 && sp < 20;
    for (size_t i = 0; ok && i < sp; i++) {
      ok = rest[i] >= '0' && rest[i] <= '9';
      len = len * 10 + static_cast<uint64_t>(rest[i] - '0');
    }
    ok = ok && len > sp + 2 && len <= rest.size() && rest[len - 1] == '\n';
    std::string_view rec = ok ? rest.substr(sp + 1, len - sp - 2) : std::string_view{};
    size_t eq = rec.find('=');
    if (!ok || eq == std::string_view::npos) {
      unusual_ = fmt::format("a pax header it cannot read before byte {}", pos_);
      ended_ = true;
      return;
    }
    std::string_view key = rec.substr(0, eq), value = rec.substr(eq + 1);
    if (key == "path") {
      pax_path_ = value;
    } else if (key == "linkpath") {
      pax_link_ = value;
    } else if (key == "size") {
      uint64_t v = 0;
      for (char c : value) {
        if (c < '0' || c > '9' || v > UINT64_MAX / 10 - 10) {
          unusual_ = fmt::format("a pax size {} before byte {}", quote(std::string(value)), pos_);
          ended_ = true;
          return;
        }
        v = v * 10 + static_cast<uint64_t>(c - '0');
      }
      pax_size_ = v;
    } else if (key.starts_with("GNU.sparse")) {
      unusual_ = fmt::format("a sparse file before byte {}", pos_);
      ended_ = true;
      return;
    }
    rest.remove_prefix(len);
  }
}

void TarIndexer::finish() {
  if (ended_) return;
  if (skip_ > 0 || meta_left_ > 0 || !block_.empty() || meta_type_ != 0)
    throw Error(fmt::format("{}: the tar ends inside an entry (after {} bytes)", quote(source_), pos_));
}

}  // namespace bale::image
