#include "datakernel/report/staged_output.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "datakernel/error.hpp"
#include "io/checked_file.hpp"

namespace dk {

namespace fs = std::filesystem;

namespace {

constexpr const char* kPrevious = ".previous";  // inside the staging directory: the earlier run's files

// A manifest may only name plain files of the directory itself.
bool plain_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

std::vector<std::string> read_manifest(const fs::path& path) {
  std::vector<std::string> names;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (plain_name(line)) names.push_back(line);
  return names;
}

bool exists_no_follow(const fs::path& path) {
  std::error_code ec;
  return fs::symlink_status(path, ec).type() != fs::file_type::not_found && !ec;
}

// Files of `datakernel compare` written before manifests existed: known only by their names, and only where
// summary.json says the directory is datakernel's.
std::vector<std::string> legacy_compare_files(const fs::path& target) {
  std::ifstream in(target / "summary.json");
  if (!in) return {};
  const nlohmann::json summary = nlohmann::json::parse(in, nullptr, false);
  if (!summary.is_object() || summary.value("tool", std::string()) != "datakernel") return {};
  static const std::vector<std::string> known = {"summary.json",  "model_distances.csv", "manifold.csv",
                                                 "datum_shift.csv", "latent_2d.csv",       "annotations.csv",
                                                 "datum_tests.csv", "report.html"};
  static const std::regex kernel(R"(kernel_[0-9]+_.*\.mtx)");
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(target, ec)) {
    const std::string name = entry.path().filename().string();
    if (std::find(known.begin(), known.end(), name) != known.end() || std::regex_match(name, kernel))
      names.push_back(name);
  }
  return names;
}

// What an earlier run of the tool wrote into target (and nothing else).
std::vector<std::string> earlier_run_files(const fs::path& target) {
  if (exists_no_follow(target / StagedOutput::kManifest)) {
    std::vector<std::string> names = read_manifest(target / StagedOutput::kManifest);
    names.push_back(StagedOutput::kManifest);
    return names;
  }
  return legacy_compare_files(target);
}

// Undoes whatever part of a commit into target happened from this staging directory, then removes it.
// Used for a failed commit and for the staging directory of a killed run. If the commit got as far as
// moving the new manifest, it had completed and only the clean-up is left. Returns false (and keeps the
// staging directory, so that a later run can finish the job) if the earlier files could not all be restored.
bool roll_back(const fs::path& target, const fs::path& staging) {
  std::error_code ec;
  bool restored = true;
  const fs::path previous = staging / kPrevious;
  if (fs::is_directory(previous, ec) && exists_no_follow(staging / StagedOutput::kManifest)) {
    for (const std::string& name : read_manifest(staging / StagedOutput::kManifest))
      if (!exists_no_follow(staging / name)) fs::remove(target / name, ec);  // moved in already: take it out
    for (const auto& entry : fs::directory_iterator(previous, ec)) {
      fs::rename(entry.path(), target / entry.path().filename(), ec);
      if (ec) restored = false;
    }
  }
  if (restored) fs::remove_all(staging, ec);
  return restored;
}

}  // namespace

StagedOutput StagedOutput::open(const std::string& target, bool replace_earlier_run) {
  StagedOutput out;
  out.target_ = fs::path(target);
  std::error_code ec;
  if (fs::exists(out.target_, ec) && !fs::is_directory(out.target_, ec))
    throw InputError(target + ": output path exists and is not a directory");
  if (!fs::exists(out.target_, ec)) {
    if (out.target_.has_parent_path()) fs::create_directories(out.target_.parent_path(), ec);
    if (!ec) out.created_target_ = fs::create_directory(out.target_, ec);
    if (ec) throw InputError(target + ": cannot create output directory (" + ec.message() + ")");
  }
  out.lock();

  // We hold the lock, so every staging directory here belongs to a run that was killed.
  for (const auto& entry : fs::directory_iterator(out.target_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kStagingPrefix, 0) != 0) continue;
    out.notes_.push_back(roll_back(out.target_, entry.path())
                             ? target + ": removed " + name + ", left by an interrupted run"
                             : target + ": could not fully restore the files of an interrupted run from " + name);
  }
  if (!replace_earlier_run)
    for (const auto& entry : fs::directory_iterator(out.target_, ec))
      if (entry.path().filename() != kLock)
        throw InputError(target + ": output directory already holds files; use {force} to overwrite them");
  if (replace_earlier_run) out.earlier_ = earlier_run_files(out.target_);

  out.staging_ = out.target_ / (kStagingPrefix + std::to_string(::getpid()));
  fs::create_directory(out.staging_, ec);
  if (ec) throw InputError(target + ": output directory is not writable (" + ec.message() + ")");
  out.active_ = true;
  return out;
}

void StagedOutput::lock() {
  const fs::path path = target_ / kLock;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      const int error = errno;
      std::error_code ec;
      // The run that held the directory finished and removed it (it had created it): create it again.
      if (error == ENOENT && fs::create_directory(target_, ec)) {
        created_target_ = true;
        continue;
      }
      if (error == ENOENT && !ec) continue;
      throw InputError(target_.string() + ": output directory is not writable (" + std::strerror(error) + ")");
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      char owner[32] = {};
      const ssize_t got = ::pread(fd, owner, sizeof owner - 1, 0);
      ::close(fd);
      std::string pid = got > 0 ? std::string(owner, static_cast<std::size_t>(got)) : std::string();
      if (!pid.empty() && pid.find_first_not_of("0123456789") == std::string::npos) pid = fmt::format(" (pid {})", pid);
      else pid.clear();
      if (error == EWOULDBLOCK)
        throw ResourceError(target_.string() + ": output directory is locked by another run of datakernel" + pid +
                            "; wait for it to finish or choose another output directory");
      throw InputError(target_.string() + ": cannot lock output directory (" + std::strerror(error) + ")");
    }
    struct stat held {}, now {};
    if (::fstat(fd, &held) == 0 && ::stat(path.c_str(), &now) == 0 && held.st_dev == now.st_dev &&
        held.st_ino == now.st_ino) {
      const std::string pid = std::to_string(::getpid());
      if (::ftruncate(fd, 0) == 0 && ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
      }  // the pid is only for messages
      lock_fd_ = fd;
      return;
    }
    ::close(fd);  // the run that held it removed the lock file as we opened it: lock the new one
  }
  throw ResourceError(target_.string() + ": cannot lock output directory");
}

void StagedOutput::release() {
  if (lock_fd_ < 0) return;
  std::error_code ec;
  fs::remove(target_ / kLock, ec);  // before unlocking: a run waiting on this file then sees it is stale
  ::close(lock_fd_);
  lock_fd_ = -1;
  if (created_target_) fs::remove(target_, ec);  // only removes it if empty, i.e. nothing was committed
}

StagedOutput::StagedOutput(StagedOutput&& other) noexcept
    : target_(std::move(other.target_)),
      staging_(std::move(other.staging_)),
      names_(std::move(other.names_)),
      earlier_(std::move(other.earlier_)),
      notes_(std::move(other.notes_)),
      lock_fd_(other.lock_fd_),
      created_target_(other.created_target_),
      active_(other.active_) {
  other.lock_fd_ = -1;
  other.created_target_ = false;
  other.active_ = false;
}

StagedOutput::~StagedOutput() {
  if (active_) roll_back(target_, staging_);
  release();
}

std::string StagedOutput::path(const std::string& name) {
  // The tool's own bookkeeping names (manifest, lock, staging, .previous) are not output files.
  if (!plain_name(name) || name.rfind(".datakernel-", 0) == 0 || name == kPrevious)
    throw InputError(name + ": not a valid output file name");
  if (std::find(names_.begin(), names_.end(), name) == names_.end()) names_.push_back(name);
  return (staging_ / name).string();
}

void StagedOutput::commit() {
  if (!active_) throw ResourceError(target_.string() + ": output already committed");
  std::string manifest;
  for (const std::string& name : names_) manifest += name + "\n";
  write_file_checked((staging_ / kManifest).string(), manifest, final_path(kManifest));

  std::error_code ec;
  const fs::path previous = staging_ / kPrevious;
  std::string failed;
  if (!fs::create_directory(previous, ec) || ec) failed = previous.string();
  // The earlier run's files go aside, then the new ones (the manifest last: it marks the commit as done).
  for (const std::string& name : earlier_) {
    if (!failed.empty()) break;
    // Only files: a directory of the same name is not something the tool wrote.
    const fs::file_type type = fs::symlink_status(target_ / name, ec).type();
    if (type == fs::file_type::not_found || type == fs::file_type::directory) {
      ec.clear();
      continue;
    }
    fs::rename(target_ / name, previous / name, ec);
    if (ec) failed = (target_ / name).string();
  }
  std::vector<std::string> moving = names_;
  moving.push_back(kManifest);
  for (const std::string& name : moving) {
    if (!failed.empty()) break;
    fs::rename(staging_ / name, target_ / name, ec);
    if (ec) failed = (target_ / name).string();
  }
  if (!failed.empty()) {
    const std::string reason = ec.message();
    const bool restored = roll_back(target_, staging_);
    active_ = false;
    throw ResourceError(failed + ": cannot move the results into place (" + reason + "); " +
                        (restored ? "the directory is as it was before the run"
                                  : "the next run into it will restore the earlier files from " + staging_.string()));
  }
  fs::remove_all(staging_, ec);
  active_ = false;
}

}  // namespace dk
