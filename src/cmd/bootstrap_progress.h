// Where debootstrap is, read from its "I: ..." lines: the stage (resolving, retrieving,
// extracting, unpacking, configuring) and the packages counted in it. Pure: no output.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace bale::cmd {

class DebootstrapProgress {
 public:
  // Takes one line of debootstrap's output (without its newline); true when it began a stage.
  bool feed(std::string_view line);
  // The stage as one log line: "retrieving packages", "extracting 89 packages",
  // "unpacking required packages" (debootstrap's own name for the stages it announces).
  const std::string& stage() const { return stage_; }
  // The stage with its count and the package at hand, for a status line:
  // "retrieving packages: 12 (libc6 2.36-9)", "extracting 12/89 (libc6)".
  std::string status() const;
  size_t retrieved() const { return retrieved_; }

 private:
  bool begin(std::string name);
  std::string stage_, item_;
  bool listed_ = false;  // the package lists are read: what is retrieved now are packages
  size_t retrieved_ = 0, count_ = 0;
};

}  // namespace bale::cmd
