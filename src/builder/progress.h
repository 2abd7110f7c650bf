// Build progress on stderr: one line per step ("[3/9] RUN make", "[3/9] RUN make CACHED",
// "[3/9] DONE 1.20s"), RUN output streamed between them; nothing with --quiet.
#pragma once

#include <chrono>
#include <string>

namespace bale::builder {

class Progress {
 public:
  explicit Progress(bool quiet) : quiet_(quiet) {}
  void set_total(size_t total) { total_ = total; }
  // A new step: shown at once unless `deferred` (an fs step shows it with its cache outcome).
  void begin(const std::string& instruction, bool deferred = false);
  void cached();
  void started();  // a deferred step that is not cached
  void done();
  bool quiet() const { return quiet_; }

 private:
  void line(const std::string& text);
  bool quiet_;
  size_t total_ = 0, n_ = 0;
  std::string text_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace bale::builder
