// A file written with every write checked: a short write, a full disk (ENOSPC), a quota or an I/O error, and a
// failing fsync or close all throw ResourceError naming the file and the system's reason (CLI exit code 3).
// Output goes through a buffer; close() flushes it, fsyncs and closes. A file not closed (an exception
// unwinding past it) is closed by the destructor without checks: the caller is failing anyway.
#pragma once

#include <fmt/format.h>

#include <iterator>
#include <string>
#include <string_view>
#include <utility>

namespace dk {

class CheckedFile {
 public:
  // Creates (or truncates) path; throws ResourceError if it cannot. `label` names the file in messages
  // (default: path), e.g. the final name of a file written into a staging directory.
  explicit CheckedFile(std::string path, std::string label = {});
  CheckedFile(const CheckedFile&) = delete;
  CheckedFile& operator=(const CheckedFile&) = delete;
  ~CheckedFile();

  void write(std::string_view data);
  template <typename... T>
  void print(fmt::format_string<T...> format, T&&... args) {
    fmt::format_to(std::back_inserter(buffer_), format, std::forward<T>(args)...);
    if (buffer_.size() >= kFlushSize) flush();
  }
  // Flushes, fsyncs (where the file supports it) and closes; throws ResourceError on any failure.
  void close();

 private:
  static constexpr std::size_t kFlushSize = 1 << 20;
  void flush();
  [[noreturn]] void fail(const std::string& what, int error);
  std::string path_, label_, buffer_;
  int fd_ = -1;
};

// Checks, before any work, that path can be written: an existing file that is writable, or a missing one in an
// existing writable directory. Throws InputError naming the path and the problem.
void check_writable_path(const std::string& path);
// Writes text to path through a CheckedFile.
void write_file_checked(const std::string& path, std::string_view text, const std::string& label = {});

}  // namespace dk
