// Embeddings used in place from a memory-mapped file (a float32 little-endian C-order .npy): no copy is made;
// the operating system reads pages when they are touched, and release() drops them from the process's
// memory again. The view stays valid for the object's lifetime: a dropped page is read back when touched, so
// a stage can read a model's embeddings, release them, and a later stage read them again (the page cache
// usually still holds them; else they come from the disk). The file must not change while it is mapped.
#pragma once

#include <memory>

#include "datakernel/embeddings.hpp"

namespace dk {

class MappedFile;  // io/mapped_file.hpp (internal)

struct MappedEmbeddings {
  std::shared_ptr<const MappedFile> file;
  EmbeddingsView view;  // f32 into the mapping
  void release() const;  // drops the matrix's pages from memory
};

}  // namespace dk
