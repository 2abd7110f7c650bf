// The privileged mount calls of the runtime, each named and each failing with an error that
// names the operation and the path.
#pragma once

#include <string>

namespace bale::runtime {

void mount_fs(const std::string& source, const std::string& target, const std::string& type,
              unsigned long flags, const std::string& data = "");
void bind_mount(const std::string& source, const std::string& target, bool read_only,
                bool recursive = true);
// Creates `path` as a directory, or as an empty file when `file` is set, if it is missing.
void ensure_mountpoint(const std::string& path, bool file);
// pivot_root into `new_root` and detach the old root (pivot_root(".", ".") idiom).
void pivot_into(const std::string& new_root);

}  // namespace bale::runtime
