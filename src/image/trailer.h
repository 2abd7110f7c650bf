// The image trailer: one or more *empty* gzip members after the body whose FEXTRA fields carry
// the config, the tar size, the signature and a fixed-size footer. Decoders must skip FEXTRA
// (RFC 1952 2.3.1.1) and an empty member inflates to nothing, so every tar and gzip tool sees
// only the body. docs/image-format.md is the byte-level description.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bale::image {

// Subfield ids (SI1, SI2).
inline constexpr char kConfigId[2] = {'b', 'c'};
inline constexpr char kTarStatsId[2] = {'b', 'z'};  // tar size, entry count
inline constexpr char kSignatureId[2] = {'b', 's'};
inline constexpr char kFooterId[2] = {'b', 'f'};

// The footer is ASCII so a shell can read it: "bale-image 1 BODY SIGNED SIGLEN\n" with the
// numbers right-aligned in fixed widths (20, 20, 6).
inline constexpr size_t kFooterSize = 62;
// What follows the footer: an empty final deflate block and the member's CRC32 and ISIZE (0).
inline constexpr size_t kMemberTail = 10;
inline constexpr size_t kFooterFromEnd = kFooterSize + kMemberTail;
// Upper bound on everything after the body, so a hostile footer cannot make bale read much.
inline constexpr uint64_t kMaxTrailerSize = 16u << 20;

struct Footer {
  uint64_t body_size = 0;    // where the trailer starts
  uint64_t signed_size = 0;  // bytes covered by the signature: the file up to the signature
  uint32_t sig_size = 0;
};

std::string encode_footer(const Footer& f);
// nullopt when the bytes are not a footer at all (no magic: a plain tar.gz); throws
// bale::Error for a footer that has the magic but is damaged.
std::optional<Footer> decode_footer(std::string_view bytes);
// Does the file end the way every bale image ends (footer magic + empty member tail)?
bool looks_like_footer(std::string_view last_bytes);

// The bytes between the body and the signature: the members carrying the config chunks, then
// the final member's header up to the signature's data. `sig_size` must be known up front
// because the final member's XLEN counts it.
struct TarStats {
  uint64_t size = 0, entries = 0;
};
std::string encode_signed_trailer(std::string_view config, const TarStats& tar, size_t sig_size);
// The bytes after the signature: the footer subfield and the final member's tail.
std::string encode_trailer_end(const Footer& f);

struct Trailer {
  std::string config;
  TarStats tar;
  std::string signature;
  Footer footer;
};

// Parses everything after the body (`bytes` = file[body_size, end)). Throws bale::Error
// ("damaged trailer: ...") on any inconsistency with the footer.
Trailer decode_trailer(std::string_view bytes, const Footer& footer);

}  // namespace bale::image
