// Encoding and decoding of the image trailer (see trailer.h).
#include "image/trailer.h"

#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "base/error.h"

namespace bale::image {

namespace {

constexpr std::string_view kMagic = "bale-image 1 ";
// Config bytes per subfield, keeping each member's FEXTRA (max 65535) comfortably in range.
constexpr size_t kConfigChunk = 60000;
constexpr unsigned char kMemberHeader[] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff};
constexpr unsigned char kEmptyTail[kMemberTail] = {3, 0, 0, 0, 0, 0, 0, 0, 0, 0};

void put_le16(std::string& s, uint16_t v) {
  s += static_cast<char>(v & 0xff);
  s += static_cast<char>(v >> 8);
}

void put_le64(std::string& s, uint64_t v) {
  for (int i = 0; i < 8; i++) s += static_cast<char>((v >> (8 * i)) & 0xff);
}

uint64_t get_le64(std::string_view s, size_t at) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= uint64_t(uint8_t(s[at + i])) << (8 * i);
  return v;
}

uint16_t get_le16(std::string_view s, size_t at) {
  return static_cast<uint8_t>(s[at]) | (static_cast<uint8_t>(s[at + 1]) << 8);
}

void put_subfield_header(std::string& s, const char id[2], size_t len) {
  s += id[0];
  s += id[1];
  put_le16(s, static_cast<uint16_t>(len));
}

std::string member_header(size_t xlen) {
  std::string s(reinterpret_cast<const char*>(kMemberHeader), sizeof kMemberHeader);
  put_le16(s, static_cast<uint16_t>(xlen));
  return s;
}

[[noreturn]] void damaged(std::string_view what) {
  throw Error(fmt::format("damaged trailer: {}", what));
}

uint64_t parse_field(std::string_view f, std::string_view name) {
  while (!f.empty() && f.front() == ' ') f.remove_prefix(1);
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  if (f.empty() || ec != std::errc() || p != f.data() + f.size())
    damaged(fmt::format("footer field {} is not a number", name));
  return v;
}

}  // namespace

std::string encode_footer(const Footer& f) {
  std::string s = fmt::format("{}{:>20} {:>20} {:>6}\n", kMagic, f.body_size, f.signed_size,
                              f.sig_size);
  if (s.size() != kFooterSize) throw Error("internal: footer has the wrong size");
  return s;
}

bool looks_like_footer(std::string_view last) {
  return last.size() == kFooterFromEnd && last.substr(0, kMagic.size()) == kMagic;
}

std::optional<Footer> decode_footer(std::string_view b) {
  if (!looks_like_footer(b)) return std::nullopt;
  if (std::memcmp(b.data() + kFooterSize, kEmptyTail, kMemberTail) != 0)
    damaged("the final gzip member does not end as an empty member");
  if (b[kFooterSize - 1] != '\n' || b[kMagic.size() + 20] != ' ' || b[kMagic.size() + 41] != ' ')
    damaged("footer is malformed");
  Footer f;
  f.body_size = parse_field(b.substr(kMagic.size(), 20), "body");
  f.signed_size = parse_field(b.substr(kMagic.size() + 21, 20), "signed");
  f.sig_size = static_cast<uint32_t>(parse_field(b.substr(kMagic.size() + 42, 6), "siglen"));
  return f;
}

std::string encode_signed_trailer(std::string_view config, const TarStats& tar, size_t sig_size) {
  std::string out;
  // Config chunks that do not fit the final member go into members of their own.
  const size_t final_fixed = 4 + 16 + 4 + sig_size + 4 + kFooterSize;
  while (config.size() + 4 + final_fixed > 65535) {
    std::string_view part = config.substr(0, kConfigChunk);
    config.remove_prefix(part.size());
    out += member_header(4 + part.size());
    put_subfield_header(out, kConfigId, part.size());
    out += part;
    out.append(reinterpret_cast<const char*>(kEmptyTail), kMemberTail);
  }
  out += member_header(4 + config.size() + final_fixed);
  put_subfield_header(out, kConfigId, config.size());
  out += config;
  put_subfield_header(out, kTarStatsId, 16);
  put_le64(out, tar.size);
  put_le64(out, tar.entries);
  put_subfield_header(out, kSignatureId, sig_size);
  return out;
}

std::string encode_trailer_end(const Footer& f) {
  std::string out;
  put_subfield_header(out, kFooterId, kFooterSize);
  out += encode_footer(f);
  out.append(reinterpret_cast<const char*>(kEmptyTail), kMemberTail);
  return out;
}

Trailer decode_trailer(std::string_view bytes, const Footer& footer) {
  Trailer t;
  t.footer = footer;
  const uint64_t sig_at = footer.signed_size - footer.body_size;  // offset within `bytes`
  bool have_size = false, have_sig = false, have_footer = false;
  size_t pos = 0;
  while (pos < bytes.size()) {
    if (have_footer) damaged("bytes after the footer");
    if (bytes.size() - pos < sizeof kMemberHeader + 2 + kMemberTail ||
        std::memcmp(bytes.data() + pos, kMemberHeader, sizeof kMemberHeader) != 0)
      damaged(fmt::format("no gzip member header at byte {}", footer.body_size + pos));
    size_t xlen = get_le16(bytes, pos + sizeof kMemberHeader);
    size_t field = pos + sizeof kMemberHeader + 2, end = field + xlen;
    if (end + kMemberTail > bytes.size()) damaged("an extra field runs past the end of the file");
    while (field < end) {
      if (end - field < 4) damaged("truncated subfield header");
      std::string_view id = bytes.substr(field, 2);
      size_t len = get_le16(bytes, field + 2), data = field + 4;
      if (data + len > end) damaged("a subfield runs past its extra field");
      std::string_view value = bytes.substr(data, len);
      if (have_sig && id != std::string_view(kFooterId, 2)) damaged("subfield after the signature");
      if (id == std::string_view(kConfigId, 2)) {
        if (have_size) damaged("config after the tar size");
        t.config.append(value);
      } else if (id == std::string_view(kTarStatsId, 2)) {
        if (len != 16 || have_size) damaged("bad tar size field");
        t.tar = {get_le64(value, 0), get_le64(value, 8)};
        have_size = true;
      } else if (id == std::string_view(kSignatureId, 2)) {
        if (data != sig_at || len != footer.sig_size || !have_size)
          damaged("signature is not where the footer says");
        t.signature.assign(value);
        have_sig = true;
      } else if (id == std::string_view(kFooterId, 2)) {
        if (!have_sig || len != kFooterSize || data + len != end) damaged("misplaced footer");
        if (decode_footer(bytes.substr(data, kFooterFromEnd)).value().signed_size !=
            footer.signed_size)
          damaged("two different footers");
        have_footer = true;
      } else {
        damaged(fmt::format("unknown subfield at byte {}", footer.body_size + field));
      }
      field = data + len;
    }
    if (std::memcmp(bytes.data() + end, kEmptyTail, kMemberTail) != 0)
      damaged(fmt::format("trailer member at byte {} is not empty", footer.body_size + pos));
    pos = end + kMemberTail;
  }
  if (!have_footer) damaged("no footer");
  return t;
}

}  // namespace bale::image
