// Progress of long stages. The library reports to a ProgressSink (nullable: nothing is reported); the CLI
// renders it: a bar with ETA when stderr is a terminal, plain periodic lines when it is not, nothing with
// --quiet. advance() may be called from several threads; implementations serialise themselves.
#pragma once

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace dk {

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  // A stage with `total` steps (0: unknown, e.g. an eigen-solve).
  virtual void begin(const std::string& stage, std::int64_t total) = 0;
  virtual void advance(std::int64_t done) = 0;  // steps finished so far
  virtual void end() = 0;
  virtual void message(const std::string& text) = 0;  // a one-off line (warnings, notes)
  // Polled by long loops; returning true stops the run with dk::Cancelled (e.g. Ctrl-C in Python).
  virtual bool cancelled() { return false; }
};

// Scope helper: begin on construction, end on destruction; tolerates a null sink.
class ProgressStage {
 public:
  ProgressStage(ProgressSink* sink, const std::string& stage, std::int64_t total) : sink_(sink) {
    if (sink_) sink_->begin(stage, total);
  }
  ~ProgressStage() {
    if (sink_) sink_->end();
  }
  ProgressStage(const ProgressStage&) = delete;
  ProgressStage& operator=(const ProgressStage&) = delete;
  void advance(std::int64_t done) {
    if (sink_) sink_->advance(done);
  }

 private:
  ProgressSink* sink_;
};

// Renders to a FILE* (stderr): a redrawn bar with percentage, elapsed time and ETA on a terminal; on a
// pipe or file, one line when a stage begins, one per 10% (at most every 2 s) and one when it ends.
class TerminalProgress final : public ProgressSink {
 public:
  // quiet: draw nothing (cancellation still works). stop: a flag set by a signal handler, polled by cancelled().
  TerminalProgress(std::FILE* out, bool terminal, bool quiet = false, const volatile std::sig_atomic_t* stop = nullptr)
      : out_(out), terminal_(terminal), quiet_(quiet), stop_(stop) {}
  void begin(const std::string& stage, std::int64_t total) override;
  void advance(std::int64_t done) override;
  void end() override;
  void message(const std::string& text) override;
  bool cancelled() override { return stop_ != nullptr && *stop_ != 0; }

 private:
  void draw(bool final);
  std::FILE* out_;
  bool terminal_;
  bool quiet_;
  const volatile std::sig_atomic_t* stop_;
  std::mutex mutex_;
  std::string stage_;
  std::int64_t total_ = 0, done_ = 0;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool active_ = false;
};

}  // namespace dk
