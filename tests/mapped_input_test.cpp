// Memory-mapped inputs and memory-lean graph building: the mapped .npy reader against the whole-file reader
// (values, conversions in pieces, errors), the mapped .npz reader (a stored member in place), dropping a mapping's
// pages, the pipeline on mapped inputs against the same inputs held in memory, and the direct CSR builder against
// the edge-pair builder.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "datakernel/compare.hpp"
#include "datakernel/error.hpp"
#include "datakernel/io/array_readers.hpp"
#include "datakernel/io/model_input.hpp"
#include "datakernel/kernel/graph_builder.hpp"
#include "datakernel/prepare_input.hpp"
#include "datakernel/runtime/memory_usage.hpp"
#include "io/file_bytes.hpp"
#include "io/mapped_file.hpp"
#include "io/npy_format.hpp"
#include "io/npy_writer.hpp"
#include "runtime/random.hpp"
#include "test_support.hpp"

namespace dk {
namespace {

using test::TempDir;

std::string header(const std::string& descr, bool fortran, std::int64_t n, std::int64_t dim) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': (" +
         std::to_string(n) + ", " + std::to_string(dim) + "), }";
}

// What the whole-file reader (the reader before mapping) gives for a file, or its error message.
std::string whole_file_error(const std::string& path) {
  try {
    parse_npy(read_file_bytes(path), path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

void expect_same_values(const EmbeddingsView& a, const Embeddings& b) {
  ASSERT_EQ(a.n, b.n);
  ASSERT_EQ(a.dim, b.dim);
  for (std::int64_t i = 0; i < a.n; ++i)
    for (std::int64_t c = 0; c < a.dim; ++c) ASSERT_EQ(a.at(i, c), b.values[i * b.dim + c]) << i << "," << c;
}

TEST(MappedNpy, Float32IsUsedInPlaceWithoutACopy) {
  TempDir dir;
  const Embeddings e = test::random_embeddings(300, 17, 1);
  write_npy(e, dir.file("a.npy"));
  const NpyInput input = open_npy(dir.file("a.npy"));
  ASSERT_TRUE(input.mapped.has_value());
  EXPECT_FALSE(input.loaded.has_value());
  const EmbeddingsView v = input.mapped->view;
  // The view points into the mapping, at the header's end.
  EXPECT_EQ(reinterpret_cast<const char*>(v.f32), input.mapped->file->data() + (input.mapped->file->size() - 300 * 17 * 4));
  expect_same_values(v, parse_npy(read_file_bytes(dir.file("a.npy")), "a").embeddings);
  const ModelInput model = load_model(dir.file("a.npy"));
  EXPECT_TRUE(model.mapped.has_value());
  expect_same_values(model.view(), e);
}

// Sizes above the 4 MiB conversion piece, so that a conversion runs in several pieces (rows for C order,
// columns for Fortran order) and each piece lands in the right place.
TEST(MappedNpy, ConversionsInPiecesEqualTheWholeFileReader) {
  TempDir dir;
  const std::int64_t n = 2500, dim = 300;  // float64: 6 MB; Fortran columns of 20 KB
  std::mt19937_64 rng(5);
  std::vector<double> row_major(static_cast<std::size_t>(n * dim)), column_major(row_major.size());
  std::vector<std::uint16_t> halves(row_major.size());
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t c = 0; c < dim; ++c) {
      const double v = rand::standard_normal(rng);
      row_major[i * dim + c] = v;
      column_major[c * n + i] = v;
      halves[i * dim + c] = static_cast<std::uint16_t>(rand::uniform_below(rng, 0x7c00));  // finite float16 bit patterns
    }
  std::string big_endian = test::raw_bytes(row_major);
  for (std::size_t p = 0; p < big_endian.size(); p += 8) std::reverse(big_endian.begin() + p, big_endian.begin() + p + 8);
  struct Case {
    std::string name, image;
  };
  const std::vector<Case> cases = {
      {"f8c.npy", test::npy_bytes(header("<f8", false, n, dim), test::raw_bytes(row_major))},
      {"f8f.npy", test::npy_bytes(header("<f8", true, n, dim), test::raw_bytes(column_major), 2)},
      {"f8be.npy", test::npy_bytes(header(">f8", false, n, dim), big_endian, 3)},
      {"f2.npy", test::npy_bytes(header("<f2", false, n, dim), test::raw_bytes(halves))},
  };
  for (const Case& c : cases) {
    test::write_bytes(dir.file(c.name), c.image);
    const NpyInput input = open_npy(dir.file(c.name));
    ASSERT_TRUE(input.loaded.has_value()) << c.name;
    EXPECT_FALSE(input.mapped.has_value());
    const LoadedEmbeddings whole = parse_npy(c.image, c.name);
    EXPECT_EQ(input.loaded->embeddings.values, whole.embeddings.values) << c.name;
    EXPECT_TRUE(input.loaded->info.converted);
    EXPECT_EQ(input.loaded->info.fortran_order, c.name == "f8f.npy");
  }
  // And against the values themselves (float64 rounded once to float32).
  const NpyInput f = open_npy(dir.file("f8f.npy"));
  for (std::int64_t i = 0; i < n; i += 97)
    for (std::int64_t c = 0; c < dim; c += 13)
      ASSERT_EQ(f.loaded->embeddings.values[i * dim + c], static_cast<float>(row_major[i * dim + c]));
}

// A header whose length leaves the data unaligned for float32: converted (copied), not viewed in place.
TEST(MappedNpy, UnalignedDataAreCopied) {
  TempDir dir;
  const std::vector<float> values = {1.0f, -2.5f, 3.25f, 0.5f, 7.0f, -1.0f};
  std::string dict = header("<f4", false, 3, 2);
  while ((10 + dict.size() + 1) % 4 != 1) dict.push_back(' ');
  dict.push_back('\n');
  std::string image("\x93NUMPY\x01\x00", 8);
  image.push_back(static_cast<char>(dict.size() & 0xff));
  image.push_back(static_cast<char>(dict.size() >> 8));
  image += dict + test::raw_bytes(values);
  test::write_bytes(dir.file("odd.npy"), image);
  const NpyInput input = open_npy(dir.file("odd.npy"));
  ASSERT_TRUE(input.loaded.has_value());
  EXPECT_EQ(input.loaded->embeddings.values, values);
}

TEST(MappedNpy, ErrorsMatchTheWholeFileReader) {
  TempDir dir;
  const std::string good = npy_image(test::random_embeddings(40, 6, 2));
  const std::vector<std::pair<std::string, std::string>> files = {
      {"trunc.npy", good.substr(0, good.size() - 5)},
      {"header.npy", good.substr(0, 20)},
      {"short.npy", good.substr(0, 11)},
      {"huge.npy", test::npy_bytes(header("<f4", false, 1000000000000, 1000000), std::string(16, '\0'))},
      {"int.npy", test::npy_bytes("{'descr': '<i4', 'fortran_order': False, 'shape': (3, 4), }", std::string(48, '\0'))},
      {"version.npy", "\x93NUMPY\x07" + good.substr(7)},
      {"f8trunc.npy", test::npy_bytes(header("<f8", true, 40, 6), std::string(40 * 6 * 8 - 1, '\0'))},
  };
  for (const auto& [name, bytes] : files) {
    test::write_bytes(dir.file(name), bytes);
    const std::string expected = whole_file_error(dir.file(name));
    ASSERT_FALSE(expected.empty()) << name;
    try {
      open_npy(dir.file(name));
      ADD_FAILURE() << name << ": no error";
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()), expected);
    }
  }
  test::write_bytes(dir.file("empty.npy"), "");
  EXPECT_THROW(open_npy(dir.file("empty.npy")), InputError);
  EXPECT_THROW(open_npy(dir.file("missing.npy")), InputError);
}

TEST(MappedNpy, NonFiniteRowsAreNamedAsBefore) {
  TempDir dir;
  Embeddings e = test::random_embeddings(50, 8, 3);
  e.values[37 * 8 + 5] = -std::numeric_limits<float>::infinity();
  write_npy(e, dir.file("inf.npy"));
  try {
    load_model(dir.file("inf.npy"));
    FAIL() << "no error";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("inf.npy: row 37 (0-based) contains Inf at column 5"), std::string::npos)
        << error.what();
  }
  const ModelInput kept = load_model(dir.file("inf.npy"), false);
  EXPECT_TRUE(kept.mapped.has_value());
  EXPECT_TRUE(std::isinf(kept.view().at(37, 5)));
}

// A pipe cannot be mapped: MappedFile says so from the path alone, without opening it (opening would take the
// pipe's data from the stream reader that open_npy falls back to).
TEST(MappedNpy, PipesAreNotMapped) {
  TempDir dir;
  const std::string fifo = dir.file("pipe.npy");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int keep = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK);  // so that an open by the code under test cannot block
  ASSERT_GE(keep, 0);
  EXPECT_EQ(MappedFile::open(fifo), nullptr);
  ::close(keep);
  EXPECT_THROW(MappedFile::open(dir.file("missing.npy")), InputError);
}

// Releasing a mapping drops its pages from the resident set; reading them again brings the same values back.
TEST(MappedNpy, ReleasedPagesLeaveTheResidentSetAndComeBack) {
  TempDir dir;
  const Embeddings e = test::random_embeddings(8192, 256, 6);  // 8 MiB
  write_npy(e, dir.file("big.npy"));
  const ModelInput model = load_model(dir.file("big.npy"));  // reads every value (the finite check), then releases
  ASSERT_TRUE(model.mapped.has_value());
  const EmbeddingsView v = model.view();
  const auto touch = [&] {
    double sum = 0;
    for (std::int64_t i = 0; i < v.n; ++i) sum += v.at(i, 0) + v.at(i, v.dim - 1);
    return sum;
  };
  const std::uint64_t before = current_rss_bytes();
  const double first = touch();
  const std::uint64_t touched = current_rss_bytes();
  EXPECT_GT(touched, before + (6u << 20)) << "reading the view should make its pages resident";
  model.release_pages();
  const std::uint64_t released = current_rss_bytes();
  EXPECT_LT(released + (6u << 20), touched) << "release_pages should drop the pages";
  EXPECT_EQ(touch(), first);
  {
    const auto use = model.use();
    EXPECT_EQ(use.view().at(8191, 255), e.values.back());
  }
  EXPECT_LT(current_rss_bytes() + (6u << 20), touched + (1u << 20)) << "use() releases at the end of its scope";
}

// The same comparison from mapped files and from the same values held in memory: identical results.
TEST(MappedNpy, ComparisonOnMappedInputsEqualsInMemory) {
  TempDir dir;
  CompareInput mapped, owned;
  for (int g = 0; g < 3; ++g) {
    Embeddings e = test::random_embeddings(300, 12 + 4 * g, 10 + g);
    for (std::int64_t i = 0; i < 300; ++i)  // shared structure, so the models are comparable
      for (std::int64_t c = 0; c < e.dim; ++c) e.values[i * e.dim + c] += static_cast<float>((i % 7) == c % 7);
    const std::string path = dir.file("m" + std::to_string(g) + ".npy");
    write_npy(e, path);
    mapped.models.push_back(load_model(path));
    ASSERT_TRUE(mapped.models.back().mapped.has_value());
    ModelInput copy;
    copy.spec = path;
    copy.embeddings = LoadedEmbeddings{e, {}};
    owned.models.push_back(std::move(copy));
    mapped.names.push_back("m" + std::to_string(g));
  }
  owned.names = mapped.names;
  CompareConfig config;
  config.seed = 3;
  const CompareResult a = run_compare(mapped, config), b = run_compare(owned, config);
  EXPECT_EQ(a.distances, b.distances);
  ASSERT_EQ(a.graphs.size(), b.graphs.size());
  for (std::size_t g = 0; g < a.graphs.size(); ++g) EXPECT_EQ(a.graphs[g].columns, b.graphs[g].columns);
  ASSERT_EQ(a.tests.size(), b.tests.size());
  for (std::size_t t = 0; t < a.tests.size(); ++t) {
    EXPECT_EQ(a.tests[t].result.statistic, b.tests[t].result.statistic);
    EXPECT_EQ(a.tests[t].result.p_value, b.tests[t].result.p_value);
    EXPECT_EQ(a.tests[t].rank_change, b.tests[t].rank_change);
  }
  // The memory shape counts the mapped inputs as mapped, and the estimate no longer holds them all.
  const MemoryShape shape_mapped = memory_shape(mapped), shape_owned = memory_shape(owned);
  EXPECT_EQ(shape_mapped.mapped_values, shape_mapped.values);
  EXPECT_EQ(shape_mapped.largest_mapped, 300u * 20u);
  EXPECT_EQ(shape_owned.mapped_values, 0u);
  EXPECT_LT(estimate_peak_bytes(shape_mapped, config), estimate_peak_bytes(shape_owned, config));
  // Every stage recorded the peak resident memory so far, which never falls.
  ASSERT_EQ(a.peak_rss.size(), a.seconds.size());
  for (std::size_t s = 1; s < a.peak_rss.size(); ++s) EXPECT_GE(a.peak_rss[s].second, a.peak_rss[s - 1].second);
  EXPECT_GT(a.peak_rss.front().second, 0u);
}

// graph_from_lists (straight into CSR) against the edge-pair builder, on lists with repeats, self entries and
// one-sided and mutual pairs, for every symmetrisation rule.
// A .npz is read through a mapping of the archive: a stored member whose float32 data are aligned in the file is
// used in place (no copy), an unaligned one converted from the mapping, a deflated one inflated from it; the same
// values each way, and load_model keeps the in-place one mapped.
TEST(MappedNpz, StoredAlignedMemberIsUsedInPlace) {
  TempDir dir;
  const Embeddings e = test::random_embeddings(50, 7, 3);
  const std::string image = test::npy_bytes(header("<f4", false, 50, 7), test::raw_bytes(e.values));
  // The member's data start at 30 + name length + 128 (local header, name, .npy header): "ab.npy" aligns them.
  test::write_bytes(dir.file("aligned.npz"), test::zip_bytes({{"ab.npy", image}}, false));
  test::write_bytes(dir.file("unaligned.npz"), test::zip_bytes({{"abc.npy", image}}, false));
  test::write_bytes(dir.file("deflated.npz"), test::zip_bytes({{"ab.npy", image}}, true));
  const NpyInput aligned = open_npz(dir.file("aligned.npz"), "");
  ASSERT_TRUE(aligned.mapped.has_value());
  EXPECT_FALSE(aligned.loaded.has_value());
  expect_same_values(aligned.mapped->view, e);
  for (const char* name : {"unaligned.npz", "deflated.npz"}) {
    const NpyInput converted = open_npz(dir.file(name), "");
    EXPECT_FALSE(converted.mapped.has_value()) << name;
    ASSERT_TRUE(converted.loaded.has_value()) << name;
    expect_same_values(converted.loaded->embeddings.view(), e);
    expect_same_values(read_npz(dir.file(name), "").embeddings.view(), e);
  }
  expect_same_values(read_npz(dir.file("aligned.npz"), "ab").embeddings.view(), e);
  const ModelInput model = load_model(dir.file("aligned.npz"));
  EXPECT_TRUE(model.mapped.has_value());
  expect_same_values(model.use().view(), e);
}

TEST(GraphFromLists, EqualsTheEdgePairBuilder) {
  for (std::uint64_t seed : {1u, 2u, 3u, 4u}) {
    std::mt19937_64 rng(seed);
    const std::int64_t n = 200 + static_cast<std::int64_t>(seed) * 37;
    const int k = 3 + static_cast<int>(seed) * 2;
    std::vector<std::int64_t> ids(static_cast<std::size_t>(n * k));
    for (std::int64_t i = 0; i < n; ++i)
      for (int r = 0; r < k; ++r)  // mostly near neighbours (many mutual pairs), some repeats and self entries
        ids[i * k + r] = rand::uniform_below(rng, 10) == 0 ? i : (i + static_cast<std::int64_t>(rand::uniform_below(rng, 12)) - 6 + n) % n;
    for (Symmetrize rule : {Symmetrize::union_of_both, Symmetrize::mutual, Symmetrize::none}) {
      EdgeList edges(n);
      for (std::int64_t i = 0; i < n; ++i)
        for (int r = 0; r < k; ++r) edges.add(i, ids[i * k + r]);
      const Graph expected = edges.build(rule);
      const Graph got = graph_from_lists(n, k, ids.data(), rule);
      EXPECT_EQ(got.n, expected.n);
      EXPECT_EQ(got.row_offsets, expected.row_offsets) << "seed " << seed;
      EXPECT_EQ(got.columns, expected.columns) << "seed " << seed;
      EXPECT_EQ(got.columns.capacity(), got.columns.size());  // no spare capacity kept
    }
  }
}

}  // namespace
}  // namespace dk
