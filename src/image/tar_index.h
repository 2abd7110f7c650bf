// The entries of a plain tar stream and the byte range each takes, found while the stream goes
// by: what merging layers without a tree needs (layer_merge.h) to copy an entry's bytes as they
// are. Only headers are parsed (ustar, pax 'x' records, GNU long names); an entry's range
// includes the pax or long-name blocks before its header. What it cannot place (GNU sparse or
// multi-volume entries, a pax record it cannot read) marks the index `unusual`, not an error:
// the caller then takes the slow way, which reports such input properly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bale::image {

struct TarIndexEntry {
  std::string name;  // as the tar spells it (pax path or GNU long name applied)
  std::string link;  // hardlink or symlink target
  char type = '0';   // the ustar typeflag ('\0' is reported as '0')
  uint64_t start = 0, end = 0;  // [start, end): the entry's blocks, data padding included
};

class TarIndexer {
 public:
  explicit TarIndexer(std::string source) : source_(std::move(source)) {}
  // The next bytes of the stream. Throws bale::Error naming the source for a damaged header.
  void feed(std::string_view data);
  // The stream ended: throws if it ended inside an entry.
  void finish();

  const std::vector<TarIndexEntry>& entries() const { return entries_; }
  bool unusual() const { return !unusual_.empty(); }
  const std::string& why_unusual() const { return unusual_; }

 private:
  void header(const char* block);
  void meta_done();

  std::string source_;
  std::vector<TarIndexEntry> entries_;
  std::string unusual_;
  uint64_t pos_ = 0;          // bytes of the stream seen
  uint64_t entry_start_ = 0;  // where the current entry's first block began
  std::string block_;         // a header block being gathered
  uint64_t skip_ = 0;         // data bytes (with padding) still to pass
  uint64_t meta_left_ = 0;    // pax or long-name data still to gather into meta_
  uint64_t pad_after_meta_ = 0;
  char meta_type_ = 0;
  std::string meta_;
  std::string pax_path_, pax_link_, long_name_, long_link_;
  uint64_t pax_size_ = UINT64_MAX;
  bool ended_ = false;        // a zero block: the end of the archive
};

}  // namespace bale::image
