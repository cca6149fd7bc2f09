#include "io/checked_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "datakernel/error.hpp"

namespace dk {

CheckedFile::CheckedFile(std::string path, std::string label)
    : path_(std::move(path)), label_(label.empty() ? path_ : std::move(label)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) fail("cannot create file", errno);
}

CheckedFile::~CheckedFile() {
  if (fd_ >= 0) ::close(fd_);
}

void CheckedFile::fail(const std::string& what, int error) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
  throw ResourceError(label_ + ": " + what + " (" + std::strerror(error) + ")");
}

void CheckedFile::write(std::string_view data) {
  buffer_.append(data);
  if (buffer_.size() >= kFlushSize) flush();
}

void CheckedFile::flush() {
  if (fd_ < 0) throw ResourceError(label_ + ": write after close");
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t wrote = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      fail("write failed", errno);
    }
    if (wrote == 0) fail("write failed", ENOSPC);  // no progress: treat as a full device
    done += static_cast<std::size_t>(wrote);       // a short write is retried with the rest
  }
  buffer_.clear();
}

void CheckedFile::close() {
  flush();
  // fsync makes the data durable before the file is renamed into place, and reports delayed write errors;
  // devices and pipes that cannot be synced (EINVAL, EROFS) are fine.
  if (::fsync(fd_) != 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP) fail("write failed", errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0 && errno != EINTR) fail("cannot close file", errno);
}

void check_writable_path(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw InputError(path + ": is a directory, not a file");
    if (::access(path.c_str(), W_OK) != 0) throw InputError(path + ": cannot write file (" + std::strerror(errno) + ")");
    return;
  }
  if (errno != ENOENT) throw InputError(path + ": cannot write file (" + std::strerror(errno) + ")");
  // Constructed, not assigned "." afterwards: GCC 12 reports a bogus -Wrestrict on an inlined std::string
  // assignment from a short literal (GCC bug 105329).
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const std::string parent = dir.empty() ? std::string(".") : dir;
  if (::stat(parent.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw InputError(path + ": cannot write file (directory " + parent + " does not exist)");
  if (::access(parent.c_str(), W_OK | X_OK) != 0)
    throw InputError(path + ": cannot write file (directory " + parent + ": " + std::strerror(errno) + ")");
}

void write_file_checked(const std::string& path, std::string_view text, const std::string& label) {
  CheckedFile file(path, label);
  file.write(text);
  file.close();
}

}  // namespace dk
