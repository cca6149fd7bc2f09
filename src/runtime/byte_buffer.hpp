// Plain values, vectors and strings packed into a byte buffer and read back in the same order: how the ranks of
// a distributed run exchange graphs, neighbour lists and test results (runtime/communicator.hpp). Same machine
// architecture on every rank (little-endian, checked at configure time); no versioning, nothing is stored.
#pragma once

#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "datakernel/runtime/communicator.hpp"

namespace dk {

class ByteWriter {
 public:
  template <typename T>
  void put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    append(&value, sizeof(T));
  }
  template <typename T>
  void put_vector(const std::vector<T>& values) {
    static_assert(std::is_trivially_copyable_v<T>);
    put<std::uint64_t>(values.size());
    append(values.data(), values.size() * sizeof(T));
  }
  void put_bools(const std::vector<bool>& values) {
    put<std::uint64_t>(values.size());
    for (const bool v : values) put<std::uint8_t>(v ? 1 : 0);
  }
  void put_string(const std::string& text) {
    put<std::uint64_t>(text.size());
    append(text.data(), text.size());
  }
  void put_vector(const Eigen::VectorXd& values) {
    put<std::uint64_t>(static_cast<std::uint64_t>(values.size()));
    append(values.data(), static_cast<std::size_t>(values.size()) * sizeof(double));
  }
  Bytes& bytes() { return bytes_; }

 private:
  void append(const void* data, std::size_t size) {
    const std::size_t at = bytes_.size();
    bytes_.resize(at + size);
    if (size > 0) std::memcpy(bytes_.data() + at, data, size);
  }
  Bytes bytes_;
};

class ByteReader {
 public:
  explicit ByteReader(const Bytes& bytes) : bytes_(bytes) {}
  template <typename T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T value;
    take(&value, sizeof(T));
    return value;
  }
  template <typename T>
  std::vector<T> get_vector() {
    std::vector<T> values(get<std::uint64_t>());
    take(values.data(), values.size() * sizeof(T));
    return values;
  }
  std::vector<bool> get_bools() {
    std::vector<bool> values(get<std::uint64_t>());
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = get<std::uint8_t>() != 0;
    return values;
  }
  std::string get_string() {
    std::string text(get<std::uint64_t>(), '\0');
    take(text.data(), text.size());
    return text;
  }
  Eigen::VectorXd get_eigen_vector() {
    Eigen::VectorXd values(static_cast<Eigen::Index>(get<std::uint64_t>()));
    take(values.data(), static_cast<std::size_t>(values.size()) * sizeof(double));
    return values;
  }

 private:
  void take(void* data, std::size_t size) {
    if (size > bytes_.size() - at_) throw std::logic_error("byte buffer: read past its end");
    if (size > 0) std::memcpy(data, bytes_.data() + at_, size);
    at_ += size;
  }
  const Bytes& bytes_;
  std::size_t at_ = 0;
};

}  // namespace dk
