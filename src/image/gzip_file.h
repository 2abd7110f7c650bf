// A whole gzip file (one member or several) inflated at once with libdeflate, about three times
// as fast as zlib's streaming inflate: the input is mapped, and the output is written through a
// map of the file it goes to, so nothing is copied in between.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace bale::image {

// Inflates bytes [0, size) of `in_fd` (named `in_name` in errors) into `out_fd`, an empty file
// named `out_path`, handing `seen` the output as each member is done. Returns false, leaving
// `out_fd` empty, when the input is not gzip or inflates to more than `max_out` bytes; throws
// bale::Error for a damaged stream.
bool inflate_gzip_file(int in_fd, uint64_t size, const std::string& in_name, int out_fd,
                       const std::string& out_path, uint64_t max_out,
                       const std::function<void(std::string_view)>& seen);

}  // namespace bale::image
