// Writes a row-major float32 matrix (the data contract) as a .npy file, format version 1.0.
#pragma once

#include <string>

#include "datakernel/embeddings.hpp"

namespace dk {

// The complete .npy image of `e` (header + data), e.g. for embedding into an .npz.
std::string npy_image(const Embeddings& e);
// Every write checked (io/checked_file.hpp); label names the file in messages (default: path).
void write_npy(const Embeddings& e, const std::string& path, const std::string& label = {});

}  // namespace dk
