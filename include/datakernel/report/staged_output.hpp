// All-or-nothing output: files are written into a hidden staging directory inside the target directory,
// then renamed into place by commit(). Without commit() (an exception, say) the staging directory — and
// the target directory itself, if this object created it — are removed.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dk {

class StagedOutput {
 public:
  // Creates the target (if missing) and the staging directory; throws InputError if it cannot.
  static StagedOutput open(const std::string& target);
  StagedOutput(StagedOutput&& other) noexcept;
  StagedOutput(const StagedOutput&) = delete;
  StagedOutput& operator=(const StagedOutput&) = delete;
  ~StagedOutput();

  // Path to write `name` to (inside the staging directory).
  std::string path(const std::string& name);
  std::string staging_directory() const { return staging_.string(); }
  void commit();

 private:
  StagedOutput() = default;
  std::filesystem::path target_, staging_;
  std::vector<std::string> names_;
  bool created_target_ = false;
  bool active_ = false;
};

}  // namespace dk
