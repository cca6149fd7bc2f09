#include "io/npy_writer.hpp"

#include <fstream>

#include "datakernel/error.hpp"
#include "io/checked_file.hpp"

namespace dk {

std::string npy_image(const Embeddings& e) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(e.n) + ", " +
                       std::to_string(e.dim) + "), }";
  // Pad with spaces so that magic(6) + version(2) + length(2) + header + '\n' is a multiple of 64.
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>((header.size() >> 8) & 0xff));
  out += header;
  out.append(reinterpret_cast<const char*>(e.values.data()), e.values.size() * sizeof(float));
  return out;
}

void write_npy(const Embeddings& e, const std::string& path, const std::string& label) {
  write_file_checked(path, npy_image(e), label);
}

}  // namespace dk
