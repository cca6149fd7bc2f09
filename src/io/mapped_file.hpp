// A whole file mapped read-only into memory (mmap). Its pages are read from the file when first touched and
// can be dropped from this process's memory again (release): the mapping stays valid, and a dropped page is
// read back (from the page cache, else the disk) when touched again. This is how a float32 .npy is used in
// place and how a model's embeddings take no memory between the stages that read them.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace dk {

class MappedFile {
 public:
  // Maps `path`; nullptr when it is not a regular non-empty file or cannot be mapped (a pipe, /dev/stdin), for
  // the caller to read it as a stream. Throws InputError("<path>: cannot open file (...)") when it cannot be
  // opened at all.
  static std::shared_ptr<const MappedFile> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const char* data() const { return data_; }
  std::size_t size() const { return size_; }
  const std::string& path() const { return path_; }

  // Drops the whole pages inside [offset, offset + length) from memory (madvise MADV_DONTNEED on a private
  // read-only mapping: nothing is lost, the pages are re-read from the file when touched).
  void release(std::size_t offset, std::size_t length) const;
  void release() const { release(0, size_); }
  // Tells the kernel the range will be read once, front to back (read-ahead; MADV_SEQUENTIAL).
  void advise_sequential() const;

 private:
  MappedFile(std::string path, const char* data, std::size_t size) : path_(std::move(path)), data_(data), size_(size) {}
  std::string path_;
  const char* data_;
  std::size_t size_;
};

}  // namespace dk
