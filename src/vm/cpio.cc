// The newc cpio writer (see cpio.h).
#include "vm/cpio.h"

#include <sys/stat.h>

#include <cstdio>

namespace bale::vm {

namespace {

void hex8(std::string& out, uint32_t v) {
  char b[9];
  std::snprintf(b, sizeof b, "%08X", v);
  out.append(b, 8);
}

void pad4(std::string& out) {
  while (out.size() % 4) out.push_back('\0');
}

}  // namespace

void CpioWriter::entry(std::string_view name, uint32_t mode, std::string_view data,
                       uint32_t rmajor, uint32_t rminor) {
  out_ += "070701";
  hex8(out_, ino_++);
  hex8(out_, mode);
  hex8(out_, 0);  // uid
  hex8(out_, 0);  // gid
  hex8(out_, S_ISDIR(mode) ? 2 : 1);  // nlink
  hex8(out_, 0);  // mtime: fixed, so the same inputs give the same archive
  hex8(out_, static_cast<uint32_t>(data.size()));
  hex8(out_, 0);  // dev major
  hex8(out_, 0);  // dev minor
  hex8(out_, rmajor);
  hex8(out_, rminor);
  hex8(out_, static_cast<uint32_t>(name.size() + 1));
  hex8(out_, 0);  // check: unused by newc
  out_.append(name);
  out_.push_back('\0');
  pad4(out_);  // the 110-byte header and the name are padded together
  out_.append(data);
  pad4(out_);
}

void CpioWriter::add_dir(std::string_view name, uint32_t mode) { entry(name, S_IFDIR | mode, {}); }

void CpioWriter::add_file(std::string_view name, std::string_view data, uint32_t mode) {
  entry(name, S_IFREG | mode, data);
}

void CpioWriter::add_char_device(std::string_view name, uint32_t major, uint32_t minor,
                                 uint32_t mode) {
  entry(name, S_IFCHR | mode, {}, major, minor);
}

std::string CpioWriter::finish() {
  entry("TRAILER!!!", 0, {});
  return std::move(out_);
}

}  // namespace bale::vm
