// Readers: round trips of files written here, and every malformed case giving its error.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <cstring>
#include <limits>

#include "datakernel/error.hpp"
#include "datakernel/compare.hpp"
#include "datakernel/io/array_readers.hpp"
#include "io/csv.hpp"
#include "io/matrix_market.hpp"
#include "datakernel/io/model_input.hpp"
#include "io/npy_writer.hpp"
#include "datakernel/io/text_lists.hpp"
#include "report/results_reader.hpp"
#include "datakernel/kernel/knn.hpp"
#include "test_support.hpp"

namespace dk {
namespace {

using test::TempDir;

// 3×4 matrix with distinct values.
Embeddings sample() {
  Embeddings e;
  e.n = 3;
  e.dim = 4;
  for (int i = 0; i < 12; ++i) e.values.push_back(0.5f * static_cast<float>(i) - 1.25f);
  return e;
}

void expect_equal(const Embeddings& a, const Embeddings& b) {
  ASSERT_EQ(a.n, b.n);
  ASSERT_EQ(a.dim, b.dim);
  for (std::size_t i = 0; i < a.values.size(); ++i) EXPECT_EQ(a.values[i], b.values[i]) << "value " << i;
}

// Expects InputError whose message contains every fragment.
template <class F>
void expect_input_error(F&& f, std::initializer_list<std::string> fragments) {
  try {
    f();
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    for (const auto& fragment : fragments)
      EXPECT_NE(dk::render_option_names(e.what(), dk::OptionStyle::cli).find(fragment), std::string::npos) << "message: " << e.what();
  }
}

std::string f4_header(const std::string& order, bool fortran, const std::string& shape) {
  return "{'descr': '" + order + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
}

TEST(Npy, RoundTripFloat32) {
  TempDir dir;
  write_npy(sample(), dir.file("a.npy"));
  const auto loaded = read_npy(dir.file("a.npy"));
  expect_equal(loaded.embeddings, sample());
  EXPECT_FALSE(loaded.info.converted);
}

TEST(Npy, Float64FortranOrderAllVersions) {
  const Embeddings e = sample();
  std::vector<double> column_major;
  for (int c = 0; c < 4; ++c)
    for (int r = 0; r < 3; ++r) column_major.push_back(e.values[r * 4 + c]);
  for (int version : {1, 2, 3}) {
    TempDir dir;
    test::write_bytes(dir.file("f.npy"),
                      test::npy_bytes(f4_header("<f8", true, "(3, 4)"), test::raw_bytes(column_major), version));
    const auto loaded = read_npy(dir.file("f.npy"));
    expect_equal(loaded.embeddings, e);
    EXPECT_TRUE(loaded.info.fortran_order);
    EXPECT_EQ(loaded.info.source_dtype, "float64");
  }
}

TEST(Npy, BigEndianAndFloat16) {
  TempDir dir;
  // big-endian float32 1.5, -2.0
  std::string be;
  for (float v : {1.5f, -2.0f}) {
    char b[4];
    std::memcpy(b, &v, 4);
    for (int i = 3; i >= 0; --i) be.push_back(b[i]);
  }
  test::write_bytes(dir.file("be.npy"), test::npy_bytes(f4_header(">f4", false, "(1, 2)"), be));
  auto loaded = read_npy(dir.file("be.npy"));
  EXPECT_EQ(loaded.embeddings.values, (std::vector<float>{1.5f, -2.0f}));
  // float16: 1.0 = 0x3c00, -0.5 = 0xb800, 65504 = 0x7bff, smallest subnormal 2^-24 = 0x0001
  std::vector<std::uint16_t> halves = {0x3c00, 0xb800, 0x7bff, 0x0001};
  test::write_bytes(dir.file("h.npy"), test::npy_bytes(f4_header("<f2", false, "(2, 2)"), test::raw_bytes(halves)));
  loaded = read_npy(dir.file("h.npy"));
  EXPECT_EQ(loaded.embeddings.values, (std::vector<float>{1.0f, -0.5f, 65504.0f, std::ldexp(1.0f, -24)}));
}

TEST(Npy, MalformedFiles) {
  TempDir dir;
  const std::string good = npy_image(sample());
  test::write_bytes(dir.file("trunc.npy"), good.substr(0, good.size() - 5));
  expect_input_error([&] { read_npy(dir.file("trunc.npy")); }, {"trunc.npy", "truncated"});
  test::write_bytes(dir.file("magic.npy"), "NOTNUMPY" + good.substr(8));
  expect_input_error([&] { read_npy(dir.file("magic.npy")); }, {"magic.npy", "not a .npy"});
  test::write_bytes(dir.file("int.npy"), test::npy_bytes(f4_header("<i4", false, "(3, 4)"), std::string(48, '\0')));
  expect_input_error([&] { read_npy(dir.file("int.npy")); }, {"int.npy", "unsupported dtype", "<i4"});
  test::write_bytes(dir.file("3d.npy"), test::npy_bytes(f4_header("<f4", false, "(2, 2, 3)"), std::string(48, '\0')));
  expect_input_error([&] { read_npy(dir.file("3d.npy")); }, {"3d.npy", "2-D"});
  // A header claiming a huge shape is rejected before allocating.
  test::write_bytes(dir.file("huge.npy"),
                    test::npy_bytes(f4_header("<f4", false, "(1000000000000, 1000000)"), std::string(16, '\0')));
  expect_input_error([&] { read_npy(dir.file("huge.npy")); }, {"huge.npy", "truncated"});
  test::write_bytes(dir.file("header.npy"), good.substr(0, 20));
  expect_input_error([&] { read_npy(dir.file("header.npy")); }, {"header.npy", "truncated"});
  expect_input_error([&] { read_npy(dir.file("missing.npy")); }, {"missing.npy", "cannot open"});
}

TEST(Npy, NonFiniteValuesNameTheRow) {
  TempDir dir;
  Embeddings e = sample();
  e.values[2 * 4 + 1] = std::numeric_limits<float>::quiet_NaN();
  write_npy(e, dir.file("nan.npy"));
  expect_input_error([&] { load_model(dir.file("nan.npy")); }, {"nan.npy", "row 2", "NaN"});
  EXPECT_TRUE(std::isnan(load_model(dir.file("nan.npy"), false).view().at(2, 1)));
  e = sample();
  e.values[1 * 4 + 3] = std::numeric_limits<float>::infinity();
  write_npy(e, dir.file("inf.npy"));
  expect_input_error([&] { load_model(dir.file("inf.npy")); }, {"inf.npy", "row 1", "Inf"});
}

TEST(Npz, StoredAndDeflatedMembers) {
  const Embeddings a = sample();
  Embeddings b = test::random_embeddings(50, 7, 3);
  for (bool deflate : {false, true}) {
    for (bool zip64 : {false, true}) {
      TempDir dir;
      test::write_bytes(dir.file("x.npz"),
                        test::zip_bytes({{"a.npy", npy_image(a)}, {"b.npy", npy_image(b)}}, deflate, zip64));
      expect_equal(read_npz(dir.file("x.npz"), "a").embeddings, a);
      expect_equal(read_npz(dir.file("x.npz"), "b.npy").embeddings, b);
      expect_equal(load_model(dir.file("x.npz") + ":b").embeddings->embeddings, b);
      expect_input_error([&] { read_npz(dir.file("x.npz"), ""); }, {"several arrays", "a, b"});
      expect_input_error([&] { read_npz(dir.file("x.npz"), "c"); }, {"no array 'c'"});
    }
  }
  TempDir dir;
  test::write_bytes(dir.file("one.npz"), test::zip_bytes({{"only.npy", npy_image(a)}}, true));
  expect_equal(read_npz(dir.file("one.npz"), "").embeddings, a);
}

TEST(Npz, MalformedArchives) {
  TempDir dir;
  const std::string good = test::zip_bytes({{"a.npy", npy_image(test::random_embeddings(40, 8, 1))}}, true);
  test::write_bytes(dir.file("cut.npz"), good.substr(0, good.size() / 2));
  expect_input_error([&] { read_npz(dir.file("cut.npz"), ""); }, {"cut.npz"});
  std::string corrupt = good;
  for (std::size_t i = 40; i < 80; ++i) corrupt[i] = static_cast<char>(0xAA);
  test::write_bytes(dir.file("corrupt.npz"), corrupt);
  expect_input_error([&] { read_npz(dir.file("corrupt.npz"), ""); }, {"corrupt.npz"});
  test::write_bytes(dir.file("junk.npz"), std::string(100, 'x'));
  expect_input_error([&] { read_npz(dir.file("junk.npz"), ""); }, {"junk.npz", "not a .npz"});
}

std::string safetensors_bytes(const std::string& header, const std::string& data) {
  std::string out;
  std::uint64_t len = header.size();
  out.append(reinterpret_cast<const char*>(&len), 8);
  return out + header + data;
}

TEST(Safetensors, RoundTripAndSelection) {
  TempDir dir;
  const Embeddings e = sample();
  std::vector<double> doubles(e.values.begin(), e.values.end());
  const std::string data = test::raw_bytes(e.values) + test::raw_bytes(doubles);
  const std::string header =
      R"({"__metadata__":{"format":"pt"},"f32":{"dtype":"F32","shape":[3,4],"data_offsets":[0,48]},)"
      R"("f64":{"dtype":"F64","shape":[3,4],"data_offsets":[48,144]}})";
  test::write_bytes(dir.file("m.safetensors"), safetensors_bytes(header, data));
  expect_equal(read_safetensors(dir.file("m.safetensors"), "f32").embeddings, e);
  expect_equal(read_safetensors(dir.file("m.safetensors"), "f64").embeddings, e);
  expect_equal(load_model(dir.file("m.safetensors") + ":f64").embeddings->embeddings, e);
  expect_input_error([&] { read_safetensors(dir.file("m.safetensors"), ""); }, {"several tensors"});
  expect_input_error([&] { read_safetensors(dir.file("m.safetensors"), "zz"); }, {"no tensor 'zz'"});
  // bf16: 1.0 = 0x3f80, -2.0 = 0xc000
  std::vector<std::uint16_t> bf = {0x3f80, 0xc000};
  test::write_bytes(dir.file("b.safetensors"),
                    safetensors_bytes(R"({"t":{"dtype":"BF16","shape":[1,2],"data_offsets":[0,4]}})", test::raw_bytes(bf)));
  EXPECT_EQ(read_safetensors(dir.file("b.safetensors"), "").embeddings.values, (std::vector<float>{1.0f, -2.0f}));
}

TEST(Safetensors, MalformedFiles) {
  TempDir dir;
  test::write_bytes(dir.file("t.safetensors"),
                    safetensors_bytes(R"({"t":{"dtype":"F32","shape":[3,4],"data_offsets":[0,48]}})", std::string(20, '\0')));
  expect_input_error([&] { read_safetensors(dir.file("t.safetensors"), ""); }, {"t.safetensors", "truncated"});
  test::write_bytes(dir.file("i.safetensors"),
                    safetensors_bytes(R"({"t":{"dtype":"I64","shape":[1,1],"data_offsets":[0,8]}})", std::string(8, '\0')));
  expect_input_error([&] { read_safetensors(dir.file("i.safetensors"), ""); }, {"unsupported dtype 'I64'"});
  test::write_bytes(dir.file("j.safetensors"), safetensors_bytes("{not json", ""));
  expect_input_error([&] { read_safetensors(dir.file("j.safetensors"), ""); }, {"j.safetensors", "malformed"});
  test::write_bytes(dir.file("s.safetensors"),
                    safetensors_bytes(R"({"t":{"dtype":"F32","shape":[2,4],"data_offsets":[0,48]}})", std::string(48, '\0')));
  expect_input_error([&] { read_safetensors(dir.file("s.safetensors"), ""); }, {"shape does not match"});
  std::string huge(8, '\xff');
  test::write_bytes(dir.file("h.safetensors"), huge);
  expect_input_error([&] { read_safetensors(dir.file("h.safetensors"), ""); }, {"truncated .safetensors header"});
}

// Header-only shapes agree with the full readers, for every format that has a header, without inflating.
TEST(ArrayShape, PeekedShapesMatchTheReaders) {
  TempDir dir;
  const Embeddings a = sample();
  const Embeddings b = test::random_embeddings(700, 9, 3);  // deflated member larger than the 64 KiB peeked
  write_npy(b, dir.file("b.npy"));
  auto expect_shape = [&](const std::string& path, const std::string& format, const std::string& member,
                          const Embeddings& e) {
    const auto shape = peek_array_shape(path, format, member);
    ASSERT_TRUE(shape.has_value()) << path;
    EXPECT_EQ(shape->n, e.n) << path;
    EXPECT_EQ(shape->dim, e.dim) << path;
    EXPECT_EQ(shape->file_bytes, static_cast<std::uint64_t>(std::filesystem::file_size(path))) << path;
  };
  expect_shape(dir.file("b.npy"), "npy", "", b);
  for (bool deflate : {false, true})
    for (bool zip64 : {false, true}) {
      const std::string path = dir.file(std::string("x") + (deflate ? "d" : "s") + (zip64 ? "64" : "") + ".npz");
      test::write_bytes(path, test::zip_bytes({{"a.npy", npy_image(a)}, {"b.npy", npy_image(b)}}, deflate, zip64));
      expect_shape(path, "npz", "a", a);
      expect_shape(path, "npz", "b.npy", b);
      expect_input_error([&] { peek_array_shape(path, "npz", "c"); }, {"no array 'c'"});
    }
  test::write_bytes(dir.file("m.safetensors"),
                    safetensors_bytes(R"({"t":{"dtype":"F32","shape":[3,4],"data_offsets":[0,48]}})",
                                      test::raw_bytes(a.values)));
  expect_shape(dir.file("m.safetensors"), "safetensors", "", a);
  std::string fvecs;
  for (int i = 0; i < 3; ++i) {
    std::int32_t d = 4;
    fvecs.append(reinterpret_cast<const char*>(&d), 4);
    fvecs.append(reinterpret_cast<const char*>(a.row(i)), 16);
  }
  test::write_bytes(dir.file("v.fvecs"), fvecs);
  expect_shape(dir.file("v.fvecs"), "fvecs", "", a);
  EXPECT_FALSE(peek_array_shape(dir.file("v.fvecs"), "csv", "").has_value());
  // Magic bytes are checked from the first bytes, with the readers' messages.
  test::write_bytes(dir.file("text.npy"), std::string(100000, 'x'));
  expect_input_error([&] { peek_array_shape(dir.file("text.npy"), "npy", ""); }, {"text.npy", "bad magic bytes"});
  expect_input_error([&] { read_npy(dir.file("text.npy")); }, {"text.npy", "bad magic bytes"});
  test::write_bytes(dir.file("text.npz"), std::string(100000, 'x'));
  expect_input_error([&] { peek_array_shape(dir.file("text.npz"), "npz", ""); }, {"text.npz", "no zip signature"});
  expect_input_error([&] { read_npz(dir.file("text.npz"), ""); }, {"text.npz", "no zip signature"});
}

TEST(Fvecs, RoundTripAndTruncation) {
  TempDir dir;
  const Embeddings e = sample();
  std::string bytes;
  for (int i = 0; i < 3; ++i) {
    std::int32_t d = 4;
    bytes.append(reinterpret_cast<const char*>(&d), 4);
    bytes.append(reinterpret_cast<const char*>(e.row(i)), 16);
  }
  test::write_bytes(dir.file("v.fvecs"), bytes);
  expect_equal(read_fvecs(dir.file("v.fvecs")).embeddings, e);
  test::write_bytes(dir.file("t.fvecs"), bytes.substr(0, bytes.size() - 3));
  expect_input_error([&] { read_fvecs(dir.file("t.fvecs")); }, {"t.fvecs", "truncated"});
  std::string ragged = bytes;
  ragged[20] = 5;  // second row claims dimension 5
  test::write_bytes(dir.file("r.fvecs"), ragged);
  expect_input_error([&] { read_fvecs(dir.file("r.fvecs")); }, {"r.fvecs", "row 1", "dimension 5"});
}

TEST(Delimited, CsvWithHeaderAndTsvWithout) {
  TempDir dir;
  test::write_bytes(dir.file("a.csv"), "x,y,z\n1,2,3\n-4.5,5e-1,6\n");
  const auto csv = read_delimited(dir.file("a.csv"), ',');
  EXPECT_EQ(csv.embeddings.n, 2);
  EXPECT_EQ(csv.embeddings.values, (std::vector<float>{1, 2, 3, -4.5f, 0.5f, 6}));
  test::write_bytes(dir.file("b.tsv"), "1\t2\r\n3\t4\r\n");
  const auto tsv = load_model(dir.file("b.tsv")).embeddings->embeddings;
  EXPECT_EQ(tsv.values, (std::vector<float>{1, 2, 3, 4}));
  test::write_bytes(dir.file("ragged.csv"), "1,2,3\n4,5\n");
  expect_input_error([&] { read_delimited(dir.file("ragged.csv"), ','); }, {"ragged.csv", "line 2", "expected 3"});
  test::write_bytes(dir.file("word.csv"), "1,2\n3,abc\n");
  expect_input_error([&] { read_delimited(dir.file("word.csv"), ','); }, {"word.csv", "line 2, field 2", "not a number"});
  test::write_bytes(dir.file("nan.csv"), "1,2\n3,nan\n");
  expect_input_error([&] { load_model(dir.file("nan.csv")); }, {"nan.csv", "row 1", "NaN"});
  test::write_bytes(dir.file("empty.csv"), "a,b\n");
  expect_input_error([&] { read_delimited(dir.file("empty.csv"), ','); }, {"empty.csv", "no numeric rows"});
}

TEST(MatrixMarket, RoundTripAndMalformed) {
  TempDir dir;
  test::write_bytes(dir.file("g.mtx"),
                    "%%MatrixMarket matrix coordinate pattern symmetric\n% comment\n4 4 3\n2 1\n3 2\n4 1\n");
  const Graph g = read_matrix_market_graph(dir.file("g.mtx"));
  EXPECT_EQ(g.n, 4);
  EXPECT_EQ(g.edge_count(), 3);
  EXPECT_TRUE(g.has_edge(0, 1) && g.has_edge(1, 0) && g.has_edge(0, 3) && g.has_edge(2, 1));
  EXPECT_FALSE(g.has_edge(0, 2));
  write_matrix_market_graph(g, dir.file("h.mtx"));
  const Graph h = read_matrix_market_graph(dir.file("h.mtx"));
  EXPECT_EQ(h.columns, g.columns);
  EXPECT_EQ(h.row_offsets, g.row_offsets);
  test::write_bytes(dir.file("general.mtx"), "%%MatrixMarket matrix coordinate integer general\n3 3 2\n1 2 1\n2 1 1\n");
  EXPECT_EQ(read_matrix_market_graph(dir.file("general.mtx")).edge_count(), 1);
  test::write_bytes(dir.file("asym.mtx"), "%%MatrixMarket matrix coordinate pattern general\n3 3 1\n1 2\n");
  expect_input_error([&] { read_matrix_market_graph(dir.file("asym.mtx")); }, {"asym.mtx", "not symmetric"});
  test::write_bytes(dir.file("loop.mtx"), "%%MatrixMarket matrix coordinate pattern symmetric\n3 3 1\n2 2\n");
  expect_input_error([&] { read_matrix_market_graph(dir.file("loop.mtx")); }, {"loop.mtx", "self loop"});
  test::write_bytes(dir.file("w.mtx"), "%%MatrixMarket matrix coordinate real symmetric\n3 3 1\n2 1 0.5\n");
  expect_input_error([&] { read_matrix_market_graph(dir.file("w.mtx")); }, {"w.mtx", "not 0/1"});
  test::write_bytes(dir.file("rect.mtx"), "%%MatrixMarket matrix coordinate pattern general\n3 4 0\n");
  expect_input_error([&] { read_matrix_market_graph(dir.file("rect.mtx")); }, {"rect.mtx", "square"});
  test::write_bytes(dir.file("short.mtx"), "%%MatrixMarket matrix coordinate pattern symmetric\n3 3 2\n2 1\n");
  expect_input_error([&] { read_matrix_market_graph(dir.file("short.mtx")); }, {"short.mtx", "truncated"});
}

TEST(ModelSpec, ExtensionsAndMembers) {
  EXPECT_EQ(parse_model_spec("dir/a.npz:emb").member, "emb");
  EXPECT_EQ(parse_model_spec("dir/a.npz:emb").path, "dir/a.npz");
  EXPECT_EQ(default_model_name(parse_model_spec("dir/model_x.npy")), "model_x");
  EXPECT_EQ(parse_model_spec("k.MTX").format, "mtx");
  expect_input_error([] { parse_model_spec("a.parquet"); }, {"a.parquet", "unknown file type"});
}

TEST(TextLists, IdsAndMetrics) {
  TempDir dir;
  test::write_bytes(dir.file("ids.txt"), "a\nb\nc\n");
  EXPECT_EQ(read_ids(dir.file("ids.txt"), 3), (std::vector<std::string>{"a", "b", "c"}));
  expect_input_error([&] { read_ids(dir.file("ids.txt"), 4); }, {"ids.txt", "3 ids", "n = 4"});
  test::write_bytes(dir.file("dup.txt"), "a\nb\na\n");
  expect_input_error([&] { read_ids(dir.file("dup.txt"), 3); }, {"dup.txt", "duplicate id 'a'", "line 3"});
  test::write_bytes(dir.file("m.csv"), "model,acc,ppl\nB,0.5,10\nA,0.7,12\n");
  const MetricsTable t = read_metrics(dir.file("m.csv"), {"A", "B"});
  EXPECT_EQ(t.metric_names, (std::vector<std::string>{"acc", "ppl"}));
  EXPECT_EQ(t.values[0], (std::vector<double>{0.7, 0.5}));
  EXPECT_EQ(t.values[1], (std::vector<double>{12, 10}));
  expect_input_error([&] { read_metrics(dir.file("m.csv"), {"A", "C"}); }, {"m.csv", "unknown model 'B'"});
  expect_input_error([&] { read_metrics(dir.file("m.csv"), {"A", "B", "C"}); }, {"m.csv", "no row for model 'C'"});
}

// ---- Input read as the user meant, or refused (issue 10) -------------------------------------------------

// One .csv/.tsv case: the file, the --header rule, and either the values read (dim columns) or the error
// fragments expected.
struct DelimitedCase {
  const char* name;
  std::string content;
  HeaderMode header;
  std::int64_t dim;                            // 0: an error is expected
  std::vector<float> values;                   // when dim > 0
  std::vector<std::string> fragments;          // when dim == 0
  char delimiter = ',';
};

const HeaderMode kAuto = HeaderMode::automatic, kYes = HeaderMode::yes, kNo = HeaderMode::no;

TEST(DelimitedStrict, EveryCase) {
  const std::string bom = "\xEF\xBB\xBF";
  const std::vector<DelimitedCase> cases = {
      // read as meant
      {"bom_header", bom + "x,y\n1,2\n3,4\n", kAuto, 2, {1, 2, 3, 4}, {}},
      {"bom_data", bom + "1,2\n3,4\n5,6\n", kAuto, 2, {1, 2, 3, 4, 5, 6}, {}},
      {"quoted_numbers", "\"1\",\" 2\"\n3,4\n", kAuto, 2, {1, 2, 3, 4}, {}},
      {"crlf", "a,b\r\n1,2\r\n3,4\r\n", kAuto, 2, {1, 2, 3, 4}, {}},
      {"quoted_header_comma", "\"a,b\",c\n1,2\n", kAuto, 2, {1, 2}, {}},
      {"quoted_header_doubled_quote", "\"say \"\"hi\"\"\",x\n1,2\n", kAuto, 2, {1, 2}, {}},
      {"quoted_header_line_break", "\"two\nlines\",x\n1,2\n", kAuto, 2, {1, 2}, {}},
      {"spaces_around_numbers", "1, 2\n 3 ,4\n", kAuto, 2, {1, 2, 3, 4}, {}},
      {"plus_sign", "+1,-2\n3,+4e0\n", kAuto, 2, {1, -2, 3, 4}, {}},
      {"header_yes_numeric_first_line", "1,2\n3,4\n", kYes, 2, {3, 4}, {}},
      {"header_no", "1,2\n3,4\n", kNo, 2, {1, 2, 3, 4}, {}},
      {"blank_lines_skipped", "1,2\n\n3,4\n\r\n", kAuto, 2, {1, 2, 3, 4}, {}},
      {"no_final_line_break", "1,2\n3,4", kAuto, 2, {1, 2, 3, 4}, {}},
      {"float_max", "3.4028235e38,1\n1,1\n", kAuto, 2, {3.4028235e38f, 1, 1, 1}, {}},
      {"underflow_rounds_to_zero", "1e-400,1\n1,1\n", kAuto, 2, {0, 1, 1, 1}, {}},
      {"tsv_quoted_tab_header", "\"a\tb\"\tc\n1\t2\n", kAuto, 2, {1, 2}, {}, '\t'},
      {"small_first_row_1_2_is_data", "1,2\n3,4\n", kAuto, 2, {1, 2, 3, 4}, {}},
      // refused, with line and field
      {"typo_in_first_line", "1,2x,3\n4,5,6\n", kAuto, 0, {}, {"line 1, field 2", "'2x' is not a number", "--header yes"}},
      {"empty_field_in_first_line", "1,,3\n4,5,6\n", kAuto, 0, {}, {"line 1, field 2", "field is empty"}},
      {"overflow_in_first_line", "1,2,1e400\n4,5,6\n", kAuto, 0, {}, {"line 1, field 3", "'1e400'", "float32 range"}},
      {"float_overflow_in_data", "1,2\n1e39,4\n", kAuto, 0, {}, {"line 2, field 1", "'1e39'", "float32 range"}},
      {"quoted_comma_not_split", "1,2\n\"3,4\",5\n", kAuto, 0, {}, {"line 2, field 1", "'3,4' is not a number"}},
      {"unbalanced_quote", "1,2\n\"3,4\n5,6\n", kAuto, 0, {}, {"line 2, field 1", "unbalanced quote"}},
      {"trailing_comma_first_line", "1,2,\n3,4,\n", kAuto, 0, {}, {"line 1, field 3", "field is empty"}},
      {"trailing_comma_header_no", "1,2,\n3,4,\n", kNo, 0, {}, {"line 1, field 3", "empty field"}},
      {"trailing_comma_later_line", "1,2\n3,4,\n", kAuto, 0, {}, {"line 2 has 3 fields, expected 2 (as on line 1)"}},
      {"quote_inside_unquoted_field", "1,2\"\n3,4\n", kAuto, 0, {}, {"line 1, field 2", "quote inside an unquoted field"}},
      {"text_after_closing_quote", "\"1\"x,2\n3,4\n", kAuto, 0, {}, {"line 1, field 1", "after a closing quote"}},
      {"bare_carriage_return", "1,2\r3,4\n", kAuto, 0, {}, {"line 1, field 2", "carriage return"}},
      {"header_no_with_header", "x,y\n1,2\n", kNo, 0, {}, {"line 1, field 1", "'x' is not a number", "--header no"}},
      {"header_yes_wrong_width", "a,b,c\n1,2\n", kYes, 0, {}, {"line 2 has 2 fields, expected 3 (as on line 1)"}},
      {"column_numbers_ambiguous", "0,1,2,3,4,5,6,7\n1,2,3,4,5,6,7,8\n", kAuto, 0, {}, {"line 1", "column numbers", "--header"}},
      {"header_only", "a,b\n", kAuto, 0, {}, {"no numeric rows"}},
      {"double_plus", "1,2\n++3,4\n", kAuto, 0, {}, {"line 2, field 1", "'++3' is not a number"}},
      {"plus_minus", "1,2\n+-3,4\n", kAuto, 0, {}, {"line 2, field 1", "not a number"}},
      {"hex_is_not_decimal", "1,2\n0x10,4\n", kAuto, 0, {}, {"line 2, field 1", "'0x10' is not a number"}},
      {"bom_in_later_line", "1,2\n" + bom + "3,4\n", kAuto, 0, {}, {"line 2, field 1", "not a number"}},
      {"all_empty_first_line", ",,\n1,2,3\n", kAuto, 0, {}, {"line 1: every field is empty"}},
      {"unbalanced_quote_in_header", "\"a,b\n1,2\n", kAuto, 0, {}, {"line 1, field 1", "unbalanced quote"}},
  };
  TempDir dir;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = dir.file(std::string(c.name) + (c.delimiter == ',' ? ".csv" : ".tsv"));
    test::write_bytes(path, c.content);
    if (c.dim > 0) {
      LoadedEmbeddings read;
      ASSERT_NO_THROW(read = read_delimited(path, c.delimiter, c.header));
      EXPECT_EQ(read.embeddings.dim, c.dim);
      EXPECT_EQ(read.embeddings.values, c.values);
    } else {
      std::vector<std::string> fragments = c.fragments;
      fragments.push_back(path);
      try {
        read_delimited(path, c.delimiter, c.header);
        ADD_FAILURE() << "expected InputError";
      } catch (const InputError& e) {
        for (const auto& fragment : fragments)
          EXPECT_NE(dk::render_option_names(e.what(), dk::OptionStyle::cli).find(fragment), std::string::npos) << "message: " << e.what();
      }
    }
  }
}

TEST(DelimitedStrict, AutoSaysWhatItDecided) {
  TempDir dir;
  test::write_bytes(dir.file("h.csv"), "x,y\n1,2\n3,4\n");
  EXPECT_NE(read_delimited(dir.file("h.csv"), ',').info.header.find("line 1 read as a header"), std::string::npos);
  test::write_bytes(dir.file("d.csv"), "1,2\n3,4\n");
  EXPECT_NE(read_delimited(dir.file("d.csv"), ',').info.header.find("line 1 read as data"), std::string::npos);
  EXPECT_EQ(read_delimited(dir.file("d.csv"), ',', kNo).info.header, "");
  EXPECT_EQ(parse_header_mode("yes"), kYes);
  expect_input_error([] { parse_header_mode("maybe"); }, {"--header", "'maybe'"});
}

TEST(CsvParser, FieldsAndLines) {
  CsvParser parser("a,\"b\"\"c\",\"d\ne\"\r\n\n,x,\n", ',', "t.csv");
  CsvRecord record;
  ASSERT_TRUE(parser.next(record));
  EXPECT_EQ(record.fields, (std::vector<std::string>{"a", "b\"c", "d\ne"}));
  EXPECT_EQ(record.quoted, (std::vector<bool>{false, true, true}));
  EXPECT_EQ(record.line, 1);
  ASSERT_TRUE(parser.next(record));
  EXPECT_EQ(record.fields, (std::vector<std::string>{"", "x", ""}));
  EXPECT_EQ(record.line, 4);
  EXPECT_FALSE(parser.next(record));
  EXPECT_EQ(split_csv_line("\"a,b\",c"), (std::vector<std::string>{"a,b", "c"}));
}

TEST(TextListsStrict, BomControlCharactersAndQuotedMetrics) {
  TempDir dir;
  const std::string bom = "\xEF\xBB\xBF";
  test::write_bytes(dir.file("bom_ids.txt"), bom + "a\r\nb\r\nc\r\n");
  EXPECT_EQ(read_ids(dir.file("bom_ids.txt"), 3), (std::vector<std::string>{"a", "b", "c"}));
  test::write_bytes(dir.file("bom_text.txt"), bom + "first\tcolumn\nsecond\n");
  EXPECT_EQ(read_lines(dir.file("bom_text.txt"), 2, "text"), (std::vector<std::string>{"first\tcolumn", "second"}));
  test::write_bytes(dir.file("cr_ids.txt"), "a\nb\rc\nd\n");
  expect_input_error([&] { read_ids(dir.file("cr_ids.txt"), 3); }, {"cr_ids.txt", "line 2", "carriage return"});
  test::write_bytes(dir.file("ctl_labels.txt"), "x\ny\nz\x01\n");
  expect_input_error([&] { read_lines(dir.file("ctl_labels.txt"), 3, "labels"); },
                     {"ctl_labels.txt", "line 3", "0x01", "labels"});
  test::write_bytes(dir.file("nul_text.txt"), std::string("x\ny\0z\n", 7));
  expect_input_error([&] { read_lines(dir.file("nul_text.txt"), 2, "text"); }, {"nul_text.txt", "line 2", "0x00"});
  test::write_bytes(dir.file("del_ids.txt"), "a\x7F\nb\n");
  expect_input_error([&] { read_ids(dir.file("del_ids.txt"), 2); }, {"del_ids.txt", "line 1", "0x7F"});
  EXPECT_EQ(control_character_problem("fine\ttab"), "");
  EXPECT_NE(control_character_problem("a\nb").find("line feed"), std::string::npos);

  test::write_bytes(dir.file("bom_m.csv"), bom + "model,acc\r\nA,0.5\r\nB,0.7\r\n");
  EXPECT_EQ(read_metrics(dir.file("bom_m.csv"), {"A", "B"}).values[0], (std::vector<double>{0.5, 0.7}));
  test::write_bytes(dir.file("quoted_m.csv"), "model,\"acc, top-1\"\n\"a,b\",0.5\nB,0.7\n");
  const MetricsTable quoted = read_metrics(dir.file("quoted_m.csv"), {"a,b", "B"});
  EXPECT_EQ(quoted.metric_names, (std::vector<std::string>{"acc, top-1"}));
  EXPECT_EQ(quoted.values[0], (std::vector<double>{0.5, 0.7}));
  test::write_bytes(dir.file("open_m.csv"), "model,acc\n\"A,0.5\nB,0.7\n");
  expect_input_error([&] { read_metrics(dir.file("open_m.csv"), {"A", "B"}); }, {"open_m.csv", "line 2", "unbalanced quote"});
  test::write_bytes(dir.file("empty_m.csv"), "model,acc\nA,\nB,0.7\n");
  expect_input_error([&] { read_metrics(dir.file("empty_m.csv"), {"A", "B"}); }, {"empty_m.csv", "line 2, field 2", "not a finite number"});
}

TEST(MatrixMarketStrict, TrailingTextAndIsolatedData) {
  TempDir dir;
  const std::string head = "%%MatrixMarket matrix coordinate pattern symmetric\n";
  test::write_bytes(dir.file("junk.mtx"), head + "3 3 2\n2 1\n3 2 x\n");
  expect_input_error([&] { read_matrix_market_graph(dir.file("junk.mtx")); }, {"junk.mtx", "line 4", "unexpected text"});
  test::write_bytes(dir.file("junk_real.mtx"), "%%MatrixMarket matrix coordinate real symmetric\n3 3 1\n2 1 1 5\n");
  expect_input_error([&] { read_matrix_market_graph(dir.file("junk_real.mtx")); }, {"junk_real.mtx", "line 3", "I J VALUE"});
  test::write_bytes(dir.file("junk_size.mtx"), head + "3 3 1 7\n2 1\n");
  expect_input_error([&] { read_matrix_market_graph(dir.file("junk_size.mtx")); }, {"junk_size.mtx", "malformed size line 2"});
  test::write_bytes(dir.file("trailing_space.mtx"), head + "3 3 2 \n2 1 \r\n3 2\t\n");
  EXPECT_EQ(read_matrix_market_graph(dir.file("trailing_space.mtx")).edge_count(), 2);
  std::string isolated = head + "100 100 10\n";
  for (int i = 0; i < 10; ++i) isolated += std::to_string(2 * i + 2) + " " + std::to_string(2 * i + 1) + "\n";
  test::write_bytes(dir.file("isolated.mtx"), isolated);  // 80 of 100 data without a neighbour
  expect_input_error([&] { read_matrix_market_graph(dir.file("isolated.mtx")); },
                     {"isolated.mtx", "80 of n = 100 data have no neighbour", "datum 21"});
}

TEST(SafetensorsStrict, ShapeAndOffsetsAreIntegers) {
  TempDir dir;
  const std::string data(4 * 6, '\0');
  auto file = [&](const std::string& name, const std::string& entry) {
    const std::string header = "{\"e\":" + entry + "}";
    std::string bytes(8, '\0');
    const std::uint64_t len = header.size();
    std::memcpy(bytes.data(), &len, 8);
    test::write_bytes(dir.file(name), bytes + header + data);
    return dir.file(name);
  };
  EXPECT_EQ(read_safetensors(file("ok.safetensors", R"({"dtype":"F32","shape":[3,2],"data_offsets":[0,24]})"), "")
                .embeddings.n, 3);
  expect_input_error([&] { read_safetensors(file("frac.safetensors", R"({"dtype":"F32","shape":[3.9,2.2],"data_offsets":[0,24]})"), ""); },
                     {"frac.safetensors:e", "'shape' must hold non-negative integers", "3.9"});
  expect_input_error([&] { read_safetensors(file("neg.safetensors", R"({"dtype":"F32","shape":[-3,-2],"data_offsets":[0,24]})"), ""); },
                     {"neg.safetensors:e", "'shape'"});
  expect_input_error([&] { read_safetensors(file("off.safetensors", R"({"dtype":"F32","shape":[3,2],"data_offsets":[0,24.5]})"), ""); },
                     {"off.safetensors:e", "'data_offsets'"});
  expect_input_error([&] { read_safetensors(file("str.safetensors", R"({"dtype":"F32","shape":"3x2","data_offsets":[0,24]})"), ""); },
                     {"str.safetensors:e", "'shape' must be a list"});
}

TEST(KnnMagnitudes, DotAndEuclideanRefuseOverflowAndUnderflow) {
  auto matrix = [](float scale) {
    Embeddings e;
    e.n = 6;
    e.dim = 3;
    for (int i = 0; i < 18; ++i) e.values.push_back(scale * static_cast<float>((i * 7) % 5 + 1));
    return e;
  };
  KnnConfig config;
  config.k = 2;
  for (Metric metric : {Metric::dot, Metric::euclidean}) {
    SCOPED_TRACE(metric_name(metric));
    config.metric = metric;
    const Embeddings big = matrix(1e19f), small = matrix(1e-22f), fine_big = matrix(1e17f), fine_small = matrix(1e-14f);
    expect_input_error([&] { validate_for_knn(big.view(), config, "big.npy"); }, {"big.npy", "too large", "--metric cosine"});
    expect_input_error([&] { validate_for_knn(small.view(), config, "small.npy"); }, {"small.npy", "too small", "power of two"});
    EXPECT_NO_THROW(validate_for_knn(fine_big.view(), config, "x"));
    EXPECT_NO_THROW(validate_for_knn(fine_small.view(), config, "x"));
    // float64 data are searched in float64: the same values are fine there.
    std::vector<double> wide(big.values.begin(), big.values.end());
    EmbeddingsView view{big.n, big.dim, nullptr, wide.data()};
    EXPECT_NO_THROW(validate_for_knn(view, config, "x"));
  }
  config.metric = Metric::cosine;
  EXPECT_NO_THROW(validate_for_knn(matrix(1e19f).view(), config, "x"));
  EXPECT_NO_THROW(validate_for_knn(matrix(1e-22f).view(), config, "x"));
}

TEST(CompareInputStrict, ControlCharactersInNamesIdsLabelsTexts) {
  auto input = [] {
    CompareInput in;
    for (int g = 0; g < 2; ++g) {
      Embeddings e;
      e.n = 4;
      e.dim = 2;
      e.values = {1, 0, 0, 1, 1, 1, 2, 1};
      ModelInput model;
      model.spec = "m" + std::to_string(g);
      model.embeddings = LoadedEmbeddings{std::move(e), {}};
      in.models.push_back(std::move(model));
      in.names.push_back("m" + std::to_string(g));
    }
    return in;
  };
  CompareConfig config;
  config.knn.k = 2;
  EXPECT_NO_THROW(validate_compare_input(input(), config));
  CompareInput a = input();
  a.names[1] = "new\nline";
  expect_input_error([&] { validate_compare_input(a, config); }, {"model name 2", "line feed"});
  CompareInput b = input();
  b.ids = {"a", "b", "c\rd", "e"};
  expect_input_error([&] { validate_compare_input(b, config); }, {"id 3", "carriage return"});
  CompareInput c = input();
  c.labels = {"a", "b\x1b[31m", "c", "d"};
  expect_input_error([&] { validate_compare_input(c, config); }, {"label 2", "0x1B"});
  CompareInput d = input();
  d.texts = {"a", "b", "c", "two\nlines"};
  expect_input_error([&] { validate_compare_input(d, config); }, {"text 4", "line feed"});
}

}  // namespace
}  // namespace dk
