// One progress bar per item (a layer of a pull) on stderr, as docker pull shows them: on a
// terminal the block of bars is redrawn in place, at most ten times a second; in a log nothing
// is drawn (the caller prints the lines a log should keep). Safe to feed from several threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace bale {

struct Bar {
  std::string label;   // "layer 2/6 sha256:ab12cd34ef56"
  uint64_t total = 0;  // bytes expected
  uint64_t done = 0;   // bytes so far
  bool finished = false;
  std::string state;   // what shows after the bar when set: "verified", "failed"
};

// The line a bar shows in `width` columns (0: no limit), e.g.
// "layer 2/6 sha256:ab12cd34 [##########          ]  12.3 / 24.6 MB".
std::string render_bar(const Bar& b, size_t width);

class ProgressBars {
 public:
  explicit ProgressBars(std::vector<Bar> bars);
  ~ProgressBars();  // as finish()
  ProgressBars(const ProgressBars&) = delete;
  ProgressBars& operator=(const ProgressBars&) = delete;

  bool smart() const { return smart_; }
  void add(size_t i, uint64_t bytes);              // bytes of item i arrived
  void set_state(size_t i, const std::string& s);  // item i ended: "done", "failed", ...
  // The bars' last state drawn once more, the cursor left below them.
  void finish();

 private:
  void draw(bool force);  // with mu_ held

  std::mutex mu_;
  std::vector<Bar> bars_;
  bool smart_;
  size_t drawn_lines_ = 0;  // how many lines the last draw wrote (0: none yet)
  bool finished_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace bale
