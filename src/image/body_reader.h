// Reading the body of an image (or any compressed tar) through libarchive, which detects the
// compression and handles concatenated gzip members: as a tar archive, or as raw bytes.
#pragma once

#include <archive.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace bale::image {

struct ArchiveReadFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchiveReader = std::unique_ptr<archive, ArchiveReadFree>;

// An archive reader over bytes [off, off+len) of fd, with every compression filter enabled.
// With `raw`, the "archive" is the single decompressed stream (format raw); otherwise tar.
// The fd must outlive the reader. `path` names the file in errors.
ArchiveReader open_archive_range(int fd, uint64_t off, uint64_t len, const std::string& path,
                                 bool raw);

// Inflates bytes [off, off+len) of fd and feeds the decompressed stream to sink.
void inflate_range(int fd, uint64_t off, uint64_t len, const std::string& path,
                   const std::function<void(std::string_view)>& sink);

// "reading 'x': <libarchive's message>"
[[noreturn]] void throw_archive(archive* a, const std::string& path, std::string_view what = {});

}  // namespace bale::image
