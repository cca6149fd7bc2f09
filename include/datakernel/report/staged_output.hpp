// All-or-nothing output into a directory, safe against concurrent runs, earlier runs and killed runs.
//
// open() creates the target directory if missing and locks it (flock on TARGET/.datakernel-lock, held for the
// whole run and released by the kernel if the process dies): a second run into the same directory fails at
// once with ResourceError. Holding the lock, it rolls back and removes staging directories of killed runs
// (TARGET/.datakernel-staging-*), then checks that the directory is empty unless replace_earlier_run (--force).
// Files are written into TARGET/.datakernel-staging-<pid>; commit() moves the files of the earlier run of the
// tool (listed in TARGET/.datakernel-files, the manifest every run writes) aside, moves the new files and the
// new manifest into place, and on any failure moves everything back, so the directory holds either the whole
// earlier run or the whole new one, never a mix; files the tool did not write are never touched. Without
// commit() (an exception, say) the staging directory is removed, the lock released, and the target directory
// removed if this object created it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dk {

class StagedOutput {
 public:
  // Throws InputError if the target is not a directory, cannot be created or written, or (without
  // replace_earlier_run) already holds files; ResourceError if another run holds its lock.
  static StagedOutput open(const std::string& target, bool replace_earlier_run);
  StagedOutput(StagedOutput&& other) noexcept;
  StagedOutput(const StagedOutput&) = delete;
  StagedOutput& operator=(const StagedOutput&) = delete;
  StagedOutput& operator=(StagedOutput&&) = delete;
  ~StagedOutput();

  // Path to write `name` (a plain file name) to, inside the staging directory; records it for commit().
  std::string path(const std::string& name);
  // Where `name` will be once committed (for messages).
  std::string final_path(const std::string& name) const { return (target_ / name).string(); }
  std::string staging_directory() const { return staging_.string(); }
  // Notes for the user, e.g. that a killed run's staging directory was cleaned up.
  const std::vector<std::string>& notes() const { return notes_; }
  // Throws ResourceError (after rolling back) if the files cannot be moved into place.
  void commit();

  static constexpr const char* kManifest = ".datakernel-files";
  static constexpr const char* kLock = ".datakernel-lock";
  static constexpr const char* kStagingPrefix = ".datakernel-staging-";

 private:
  StagedOutput() = default;
  void lock();
  void release();
  std::filesystem::path target_, staging_;
  std::vector<std::string> names_, earlier_, notes_;
  int lock_fd_ = -1;
  bool created_target_ = false;
  bool active_ = false;
};

}  // namespace dk
