// Shared by the fuzz targets: the fuzzer's bytes as a file (the readers take paths), and the rule that
// dk::InputError is the expected way to reject bad input; anything else escapes and is reported.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "datakernel/error.hpp"

namespace dk::fuzz {

inline std::string as_file(const std::uint8_t* data, std::size_t size, const std::string& extension) {
  const std::string path = "/tmp/datakernel-fuzz-" + std::to_string(::getpid()) + extension;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) __builtin_trap();
  if (size > 0) std::fwrite(data, 1, size, f);
  std::fclose(f);
  return path;
}

template <class F>
void accept_input_errors(F&& f) {
  try {
    f();
  } catch (const dk::InputError&) {
    // bad input, rejected with a message: expected
  }
}

}  // namespace dk::fuzz
