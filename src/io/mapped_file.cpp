#include "io/mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "datakernel/error.hpp"

namespace dk {

std::shared_ptr<const MappedFile> MappedFile::open(const std::string& path) {
  // Checked before opening: opening a pipe would consume its one reader, which the stream reader needs.
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) throw InputError(path + ": cannot open file (" + std::strerror(errno) + ")");
  if (!S_ISREG(info.st_mode) || info.st_size <= 0) return nullptr;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(path + ": cannot open file (" + std::strerror(errno) + ")");
  void* data = MAP_FAILED;
  std::size_t size = 0;
  if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0) {  // the file opened, not a later one
    size = static_cast<std::size_t>(info.st_size);
    data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  }
  ::close(fd);  // the mapping keeps the file
  if (data == MAP_FAILED) return nullptr;
  return std::shared_ptr<const MappedFile>(new MappedFile(path, static_cast<const char*>(data), size));
}

MappedFile::~MappedFile() { ::munmap(const_cast<char*>(data_), size_); }

void MappedFile::release(std::size_t offset, std::size_t length) const {
  static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  if (offset >= size_) return;
  length = std::min(length, size_ - offset);
  // Only pages wholly inside the range (a neighbouring range may still be in use), except at the file's end.
  std::size_t first = (offset + page - 1) / page * page;
  std::size_t last = offset + length == size_ ? (size_ + page - 1) / page * page : (offset + length) / page * page;
  if (offset == 0) first = 0;
  if (last <= first) return;
  ::madvise(const_cast<char*>(data_) + first, last - first, MADV_DONTNEED);
}

void MappedFile::advise_sequential() const { ::madvise(const_cast<char*>(data_), size_, MADV_SEQUENTIAL); }

}  // namespace dk
