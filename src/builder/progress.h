// Build progress on stderr: one line per step ("[3/9] RUN make", "[3/9] RUN make CACHED",
// "[3/9] DONE 1.20s"; "[build 3/9] ..." when the Dockerfile has several stages), RUN output
// streamed between them; nothing with --quiet.
#pragma once

#include <chrono>
#include <string>

namespace bale::builder {

class Progress {
 public:
  // `until_work`: lines are held back until a step actually runs, so a build whose every step
  // is cached prints nothing (project containers are checked this way on every command).
  explicit Progress(bool quiet, bool until_work = false) : quiet_(quiet), holding_(until_work) {}
  void set_total(size_t total) { total_ = total; }
  // The stage whose steps come next, named in their lines ("" for a single-stage Dockerfile).
  void set_stage(std::string name) { step_.stage = std::move(name); }
  // A new step: shown at once unless `deferred` (an fs step shows it with its cache outcome).
  // A step takes its number when its first line is shown, so numbers are shown in order even
  // when another stage is built between a step's begin and its line.
  void begin(const std::string& instruction, bool deferred = false);
  void cached();
  void started();  // a deferred step that is not cached
  void done();
  bool quiet() const { return quiet_; }

  // The step under way, put aside while a stage it needs (COPY --from, RUN --mount=from, FROM
  // stage) is built, and taken up again after; its time does not count that stage's.
  struct Step {
    std::string stage, text;
    size_t number = 0;  // 0 until its first line
    std::chrono::steady_clock::time_point start, suspended;
  };
  Step suspend() const;
  void resume(Step step);

 private:
  void line(const std::string& text);
  bool quiet_;
  bool holding_;      // lines go to held_ until started()
  std::string held_;
  size_t total_ = 0, shown_ = 0;  // shown_: the last number given to a step
  Step step_;
};

}  // namespace bale::builder
