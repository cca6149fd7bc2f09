// All-or-nothing output: checked writes, the directory lock, --force replacing exactly the earlier run's files,
// and the roll-back of a commit that fails half-way (tests/output_safety_test.sh covers the CLI side).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "datakernel/error.hpp"
#include "io/checked_file.hpp"
#include "datakernel/report/staged_output.hpp"
#include "test_support.hpp"

namespace dk {
namespace {

namespace fs = std::filesystem;

std::set<std::string> listing(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void stage(StagedOutput& out, const std::string& name, const std::string& text) {
  write_file_checked(out.path(name), text, out.final_path(name));
}

TEST(CheckedFile, FullDeviceThrowsResourceErrorNamingTheFile) {
  try {
    CheckedFile file("/dev/full", "results.csv");
    file.write("some data\n");
    file.close();
    FAIL() << "no error on /dev/full";
  } catch (const ResourceError& e) {
    EXPECT_NE(std::string(e.what()).find("results.csv: write failed (No space left on device)"), std::string::npos)
        << e.what();
  }
}

TEST(CheckedFile, CheckWritablePath) {
  test::TempDir dir;
  EXPECT_NO_THROW(check_writable_path(dir.file("new.json")));
  EXPECT_THROW(check_writable_path(dir.file("missing/new.json")), InputError);
  EXPECT_THROW(check_writable_path(dir.path().string()), InputError);
}

TEST(StagedOutput, UncommittedRunLeavesNothing) {
  test::TempDir dir;
  {
    StagedOutput out = StagedOutput::open(dir.file("out"), false);
    stage(out, "a.csv", "1\n");
  }
  EXPECT_FALSE(fs::exists(dir.file("out")));
}

TEST(StagedOutput, SecondOpenIsLockedOut) {
  test::TempDir dir;
  {
    StagedOutput first = StagedOutput::open(dir.file("out"), false);
    try {
      StagedOutput second = StagedOutput::open(dir.file("out"), true);
      FAIL() << "second open was not locked out";
    } catch (const ResourceError& e) {
      EXPECT_NE(std::string(e.what()).find("locked by another run"), std::string::npos) << e.what();
    }
    stage(first, "a.csv", "1\n");
    first.commit();
  }  // the lock file goes with the lock
  EXPECT_EQ(listing(dir.file("out")), (std::set<std::string>{".datakernel-files", "a.csv"}));
}

TEST(StagedOutput, ReplaceRemovesExactlyTheEarlierRunsFiles) {
  test::TempDir dir;
  {
    StagedOutput out = StagedOutput::open(dir.file("out"), false);
    stage(out, "a.csv", "old\n");
    stage(out, "b.csv", "old\n");
    out.commit();
  }
  test::write_bytes(dir.file("out/user.txt"), "mine");
  EXPECT_THROW(StagedOutput::open(dir.file("out"), false), InputError);  // holds files, no --force
  {
    StagedOutput out = StagedOutput::open(dir.file("out"), true);
    stage(out, "a.csv", "new\n");
    out.commit();
  }
  EXPECT_EQ(listing(dir.file("out")), (std::set<std::string>{".datakernel-files", "a.csv", "user.txt"}));
  EXPECT_EQ(slurp(dir.file("out/a.csv")), "new\n");
  EXPECT_EQ(slurp(dir.file("out/.datakernel-files")), "a.csv\n");
}

TEST(StagedOutput, FailedCommitRollsBack) {
  test::TempDir dir;
  {
    StagedOutput out = StagedOutput::open(dir.file("out"), false);
    stage(out, "a.csv", "old\n");
    stage(out, "c.csv", "old\n");
    out.commit();
  }
  fs::create_directories(dir.file("out/z.csv/inside"));  // z.csv cannot be moved into place
  StagedOutput out = StagedOutput::open(dir.file("out"), true);
  stage(out, "a.csv", "new\n");
  stage(out, "b.csv", "new\n");
  stage(out, "z.csv", "new\n");
  EXPECT_THROW(out.commit(), ResourceError);
  EXPECT_EQ(listing(dir.file("out")), (std::set<std::string>{".datakernel-files", ".datakernel-lock", "a.csv", "c.csv",
                                                             "z.csv"}));
  EXPECT_EQ(slurp(dir.file("out/a.csv")), "old\n");
  EXPECT_EQ(slurp(dir.file("out/c.csv")), "old\n");
  EXPECT_TRUE(fs::is_directory(dir.file("out/z.csv/inside")));
}

TEST(StagedOutput, RejectsNamesOutsideTheDirectory) {
  test::TempDir dir;
  StagedOutput out = StagedOutput::open(dir.file("out"), false);
  EXPECT_THROW(out.path("../escape.csv"), InputError);
  EXPECT_THROW(out.path(".datakernel-files"), InputError);
  EXPECT_THROW(out.path(""), InputError);
  EXPECT_THROW(out.path(".previous"), InputError);
  EXPECT_THROW(out.path(".datakernel-lock"), InputError);
}

}  // namespace
}  // namespace dk
