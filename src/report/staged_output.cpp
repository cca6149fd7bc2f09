#include "datakernel/report/staged_output.hpp"

#include <unistd.h>

#include "datakernel/error.hpp"

namespace dk {

namespace fs = std::filesystem;

StagedOutput StagedOutput::open(const std::string& target) {
  StagedOutput out;
  out.target_ = fs::path(target);
  std::error_code ec;
  if (fs::exists(out.target_, ec) && !fs::is_directory(out.target_, ec))
    throw InputError(target + ": output path exists and is not a directory");
  if (!fs::exists(out.target_, ec)) {
    fs::create_directories(out.target_, ec);
    if (ec) throw InputError(target + ": cannot create output directory (" + ec.message() + ")");
    out.created_target_ = true;
  }
  out.staging_ = out.target_ / (".datakernel-staging-" + std::to_string(::getpid()));
  fs::create_directory(out.staging_, ec);
  if (ec) {
    if (out.created_target_) fs::remove(out.target_, ec);
    throw InputError(target + ": output directory is not writable (" + ec.message() + ")");
  }
  out.active_ = true;
  return out;
}

StagedOutput::StagedOutput(StagedOutput&& other) noexcept
    : target_(std::move(other.target_)),
      staging_(std::move(other.staging_)),
      names_(std::move(other.names_)),
      created_target_(other.created_target_),
      active_(other.active_) {
  other.active_ = false;
}

StagedOutput::~StagedOutput() {
  if (!active_) return;
  std::error_code ec;
  fs::remove_all(staging_, ec);
  if (created_target_) fs::remove(target_, ec);  // only removes it if empty
}

std::string StagedOutput::path(const std::string& name) {
  names_.push_back(name);
  return (staging_ / name).string();
}

void StagedOutput::commit() {
  std::error_code ec;
  for (const std::string& name : names_) {
    fs::rename(staging_ / name, target_ / name, ec);
    if (ec) throw InputError((target_ / name).string() + ": cannot move result into place (" + ec.message() + ")");
  }
  fs::remove_all(staging_, ec);
  active_ = false;
}

}  // namespace dk
