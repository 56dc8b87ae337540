// Tests of MappedFile and AtomicFile: contents, error messages, and the all-or-nothing output rule.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/errors.hh"
#include "util/file.hh"
#include "util/temp_folder.hh"
#include "util_test_support.hh"

namespace xc::util {
namespace {

using test::as_bytes;
using test::exists;
using test::read_raw;
using test::TempDir;
using test::throws_exactly;
using test::to_vector;
using test::write_raw;

// Sets the process umask for one test and restores it afterwards.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }

 private:
  mode_t old_;
};

TEST(MappedFile, MapsTheWholeFile) {
  TempDir dir;
  const std::string path = dir.file("in.bin");
  const std::string content("hello\0world\n\xff", 13);
  write_raw(path, content);
  MappedFile file(path);
  EXPECT_EQ(to_vector(file.bytes()), to_vector(content));
  EXPECT_EQ(file.path(), path);
}

TEST(MappedFile, EmptyFileGivesEmptySpan) {
  TempDir dir;
  const std::string path = dir.file("empty");
  write_raw(path, "");
  MappedFile file(path);
  EXPECT_TRUE(file.bytes().empty());
}

TEST(MappedFile, MissingFileIsIoErrorWithPathAndErrnoText) {
  TempDir dir;
  const std::string path = dir.file("missing.ivf");
  EXPECT_TRUE(throws_exactly<IoError>([&] { MappedFile f(path); },
                                      {path + ": ", "No such file or directory"}));
}

TEST(MappedFile, DirectoryIsRejectedClearly) {
  TempDir dir;
  EXPECT_TRUE(throws_exactly<IoError>([&] { MappedFile f(dir.path()); },
                                      {dir.path() + ": ", "is a directory"}));
}

TEST(MappedFile, FifoIsRejectedWithoutBlocking) {
  TempDir dir;
  const std::string path = dir.file("pipe");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  EXPECT_TRUE(
      throws_exactly<IoError>([&] { MappedFile f(path); }, {path + ": ", "not a regular file"}));
}

TEST(MappedFile, MoveTransfersTheMapping) {
  TempDir dir;
  write_raw(dir.file("a"), "first");
  write_raw(dir.file("b"), "second file");
  MappedFile a(dir.file("a"));
  MappedFile moved(std::move(a));
  EXPECT_EQ(to_vector(moved.bytes()), to_vector("first"));
  EXPECT_TRUE(a.bytes().empty());  // NOLINT(bugprone-use-after-move): moved-from state is defined

  MappedFile b(dir.file("b"));
  b = std::move(moved);  // b's own mapping is released, moved's taken over
  EXPECT_EQ(to_vector(b.bytes()), to_vector("first"));
  EXPECT_EQ(b.path(), dir.file("a"));
}

// copy() gives the mapped bytes whether it reads the file (kept open, also after a move) or the mapping.
TEST(MappedFile, CopyGivesTheBytesFromEitherSource) {
  TempDir dir;
  const std::string path = dir.file("in.bin");
  std::string content(100000, '\0');
  std::mt19937 rng(5);
  for (char& c : content) c = char(rng());
  write_raw(path, content);
  for (bool keep_open : {false, true}) {
    MappedFile first(path, keep_open);
    const MappedFile file(std::move(first));
    for (auto [offset, size] : {std::pair<size_t, size_t>{0, 100000}, {12345, 4096}, {99999, 1}, {100000, 0}}) {
      std::vector<uint8_t> out(size, 0xaa);
      file.copy(offset, out);
      EXPECT_EQ(out, std::vector<uint8_t>(file.bytes().begin() + offset, file.bytes().begin() + offset + size))
          << "keep_open " << keep_open << ", offset " << offset;
    }
    std::vector<uint8_t> past(2);
    EXPECT_THROW(file.copy(99999, past), std::out_of_range) << "keep_open " << keep_open;
    EXPECT_THROW(file.copy(100001, std::span<uint8_t>{}), std::out_of_range) << "keep_open " << keep_open;
  }
}

TEST(AtomicFile, TargetAppearsOnlyAtCommit) {
  TempDir dir;
  const std::string path = dir.file("out.bin");
  {
    AtomicFile out(path);
    out.write(as_bytes("payload"));
    EXPECT_FALSE(exists(path));
    const auto entries = dir.entries();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].rfind("out.bin.tmp.", 0), 0u) << entries[0];
    EXPECT_EQ(entries[0].size(), std::string("out.bin.tmp.XXXXXX").size());
    out.commit();
    EXPECT_EQ(read_raw(path), to_vector("payload"));
  }
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.bin"});
}

TEST(AtomicFile, DestructionWithoutCommitLeavesNothing) {
  TempDir dir;
  {
    AtomicFile out(dir.file("out.bin"));
    out.write(as_bytes("partial"));
  }
  EXPECT_TRUE(dir.entries().empty());
}

TEST(AtomicFile, OldContentSurvivesUntilCommit) {
  TempDir dir;
  const std::string path = dir.file("out.bin");
  write_raw(path, "old");
  {
    AtomicFile out(path);
    out.write(as_bytes("new but abandoned"));
  }
  EXPECT_EQ(read_raw(path), to_vector("old"));
  {
    AtomicFile out(path);
    out.write(as_bytes("new"));
    EXPECT_EQ(read_raw(path), to_vector("old"));
    out.commit();
  }
  EXPECT_EQ(read_raw(path), to_vector("new"));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.bin"});
}

TEST(AtomicFile, WriteAtOverwritesInsideWrittenBytesOnly) {
  TempDir dir;
  const std::string path = dir.file("out.bin");
  AtomicFile out(path);
  out.write(as_bytes("0123456789"));
  out.write_at(2, as_bytes("XY"));
  out.write_at(8, as_bytes("ab"));
  EXPECT_THROW(out.write_at(9, as_bytes("ab")), std::logic_error);
  EXPECT_THROW(out.write_at(11, as_bytes("")), std::logic_error);
  out.write(as_bytes("!"));
  out.commit();
  EXPECT_EQ(read_raw(path), to_vector("01XY4567ab!"));
  EXPECT_THROW(out.write(as_bytes("late")), std::logic_error);
  EXPECT_THROW(out.commit(), std::logic_error);
}

TEST(AtomicFile, CommittedFileHasNormalPermissions) {
  TempDir dir;
  for (mode_t mask : {mode_t(022), mode_t(027), mode_t(0)}) {
    ScopedUmask scoped(mask);
    const std::string path = dir.file("out" + std::to_string(mask));
    write_file_atomically(path, as_bytes("x"));
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0644 & ~mask) << "umask " << std::oct << mask;
  }
}

TEST(AtomicFile, MissingFolderIsIoErrorNamingTheTarget) {
  TempDir dir;
  const std::string path = dir.file("no/such/folder/out.bin");
  EXPECT_TRUE(throws_exactly<IoError>([&] { AtomicFile out(path); },
                                      {path + ": ", "No such file or directory"}));
}

TEST(AtomicFile, FailedRenameThrowsAndRemovesTheTemporary) {
  TempDir dir;
  // A non-empty folder under the target's name makes rename() fail after everything was written.
  const std::string path = dir.file("target");
  ASSERT_EQ(::mkdir(path.c_str(), 0755), 0);
  write_raw(path + "/keep", "x");
  {
    AtomicFile out(path);
    out.write(as_bytes("data"));
    EXPECT_TRUE(throws_exactly<IoError>([&] { out.commit(); }, {path + ": ", "rename"}));
  }
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"target"});
}

// "" would otherwise be opened as the working folder's file of that name, or a temporary beside it.
TEST(MappedFile, EmptyPathIsAUsageError) {
  EXPECT_TRUE(throws_exactly<UsageError>([] { MappedFile f(""); }, {"input file name is empty"}));
  EXPECT_TRUE(throws_exactly<UsageError>([] { AtomicFile f(""); }, {"output file name is empty"}));
}

// Two outputs of one run: when the second cannot be put in place, the first is removed again.
TEST(AtomicFile, CommitAllLeavesAllOrNone) {
  TempDir dir;
  const std::string first = dir.file("first"), second = dir.file("second");
  ASSERT_EQ(::mkdir(second.c_str(), 0755), 0);
  write_raw(second + "/keep", "x");
  {
    AtomicFile a(first), b(second);
    a.write(as_bytes("a"));
    b.write(as_bytes("b"));
    const auto both = [&] { commit_all({{first, [&] { a.commit(); }}, {second, [&] { b.commit(); }}}); };
    EXPECT_TRUE(throws_exactly<IoError>(both, {second + ": ", "rename"}));
  }
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"second"});

  ASSERT_EQ(::unlink((second + "/keep").c_str()), 0);
  ASSERT_EQ(::rmdir(second.c_str()), 0);
  {
    AtomicFile a(first), b(second);
    a.write(as_bytes("a"));
    b.write(as_bytes("b"));
    commit_all({{first, [&] { a.commit(); }}, {second, [&] { b.commit(); }}});
  }
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(read_raw(first), to_vector(std::string_view("a")));
}

TEST(AtomicFile, LargeWriteRoundTrips) {
  TempDir dir;
  const uint32_t seed = 12345;
  std::mt19937 rng(seed);
  std::vector<uint8_t> data(5 << 20);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  const std::string path = dir.file("big");
  write_file_atomically(path, data);
  EXPECT_EQ(read_raw(path), data) << "seed " << seed;
  MappedFile mapped(path);
  EXPECT_EQ(to_vector(mapped.bytes()), data) << "seed " << seed;
}

}  // namespace
}  // namespace xc::util

namespace {

// util::TempFolder: a fresh folder under the parent, gone with its contents when the object goes;
// a parent that does not exist is an IoError naming the path.
TEST(TempFolder, CreatesAndRemovesItsFolder) {
  xc::test::TempDir parent;
  std::string made;
  {
    const xc::util::TempFolder folder("work-", parent.path());
    made = folder.path();
    EXPECT_TRUE(std::filesystem::is_directory(made));
    EXPECT_EQ(std::filesystem::path(made).parent_path(), std::filesystem::path(parent.path()));
    EXPECT_TRUE(std::filesystem::path(made).filename().string().starts_with("work-"));
    EXPECT_EQ(folder.file("a.ivf"), made + "/a.ivf");
    std::filesystem::create_directory(folder.file("sub"));
    xc::test::write_raw(folder.file("sub/x"), "data");
    const xc::util::TempFolder other("work-", parent.path());
    EXPECT_NE(other.path(), made);
  }
  EXPECT_FALSE(std::filesystem::exists(made));
  EXPECT_TRUE(parent.entries().empty());
  try {
    const xc::util::TempFolder missing("work-", parent.file("absent"));
    ADD_FAILURE() << "no error for a missing parent";
  } catch (const xc::util::IoError& e) {
    EXPECT_NE(std::string(e.what()).find(parent.file("absent") + "/work-"), std::string::npos) << e.what();
  }
}

}  // namespace
