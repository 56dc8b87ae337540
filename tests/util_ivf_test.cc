// Tests of the IVF reader and writer: exact little-endian bytes, round trips, and every rejection.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "util/errors.hh"
#include "util/ivf.hh"
#include "util_test_support.hh"

namespace xc::util {
namespace {

using test::read_raw;
using test::TempDir;
using test::throws_exactly;
using test::to_vector;
using test::write_raw;

// Written out by hand rather than with util/bytes.hh, so the test does not share the code it
// checks.
void append_le(std::vector<uint8_t>& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

void append_frame(std::vector<uint8_t>& out, uint32_t claimed_size, uint64_t pts,
                  std::vector<uint8_t> payload) {
  append_le(out, claimed_size, 4);
  append_le(out, pts, 8);
  out.insert(out.end(), payload.begin(), payload.end());
}

std::vector<uint8_t> header_bytes(const IvfHeader& h) {
  auto a = serialize_ivf_header(h);
  return {a.begin(), a.end()};
}

IvfHeader sample_header() {
  IvfHeader h;
  h.width = 0x1234;
  h.height = 0x0567;
  h.timebase_den = 0x01020304;
  h.timebase_num = 0x0A0B0C0D;
  h.frame_count = 0x11223344;
  h.expected_state_tag = 0xDEADBEEF;
  return h;
}

TEST(IvfHeader, SerializesLittleEndianWhateverTheHost) {
  const std::array<uint8_t, 32> expected = {'D',  'K',  'I',  'F',    // signature
                                            0x00, 0x00, 0x20, 0x00,   // version 0, header size 32
                                            'V',  'P',  '8',  '0',    // fourcc
                                            0x34, 0x12, 0x67, 0x05,   // width, height
                                            0x04, 0x03, 0x02, 0x01,   // timebase denominator
                                            0x0D, 0x0C, 0x0B, 0x0A,   // timebase numerator
                                            0x44, 0x33, 0x22, 0x11,   // frame count
                                            0xEF, 0xBE, 0xAD, 0xDE};  // expected-state tag
  EXPECT_EQ(serialize_ivf_header(sample_header()), expected);
}

TEST(IvfWriter, WritesExactBytesAndPatchesFrameCount) {
  TempDir dir;
  const std::string path = dir.file("out.ivf");
  IvfHeader header = sample_header();
  {
    IvfWriter writer(path, header);
    writer.append(0x0102030405060708, std::vector<uint8_t>{'a', 'b'});
    writer.append(5, {});
    EXPECT_EQ(writer.frames_written(), 2u);
    writer.finish();
  }
  header.frame_count = 2;
  std::vector<uint8_t> expected = header_bytes(header);
  const std::vector<uint8_t> frames = {0x02, 0x00, 0x00, 0x00, 0x08, 0x07, 0x06, 0x05, 0x04,
                                       0x03, 0x02, 0x01, 'a',  'b',  0x00, 0x00, 0x00, 0x00,
                                       0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  expected.insert(expected.end(), frames.begin(), frames.end());
  EXPECT_EQ(read_raw(path), expected);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.ivf"});
}

TEST(IvfWriter, RoundTripsRandomFrames) {
  TempDir dir;
  const std::string path = dir.file("round.ivf");
  const uint32_t seed = 20240601;
  std::mt19937_64 rng(seed);
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> frames(25);
  for (auto& [pts, data] : frames) {
    pts = rng();
    data.resize(rng() % 5000);  // includes the occasional empty frame
    for (auto& b : data) b = static_cast<uint8_t>(rng());
  }
  frames[3].second.clear();

  IvfHeader header;
  header.width = 176;
  header.height = 144;
  header.expected_state_tag = 42;
  {
    IvfWriter writer(path, header);
    for (const auto& [pts, data] : frames) writer.append(pts, data);
    writer.finish();
  }
  header.frame_count = static_cast<uint32_t>(frames.size());

  IvfReader reader(path);
  EXPECT_EQ(reader.path(), path);
  EXPECT_EQ(reader.header(), header);
  ASSERT_EQ(reader.frame_count(), frames.size()) << "seed " << seed;
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(reader.frame(i).pts, frames[i].first) << "frame " << i << " seed " << seed;
    EXPECT_EQ(to_vector(reader.frame(i).data), frames[i].second)
        << "frame " << i << " seed " << seed;
  }
  EXPECT_THROW(reader.frame(frames.size()), std::out_of_range);
}

TEST(IvfWriter, NoFileWithoutFinish) {
  TempDir dir;
  {
    IvfWriter writer(dir.file("out.ivf"), IvfHeader{});
    writer.append(0, std::vector<uint8_t>(100, 7));
  }
  EXPECT_TRUE(dir.entries().empty());
}

TEST(IvfWriter, RefusesFramesTheReaderWouldReject) {
  TempDir dir;
  const std::string path = dir.file("out.ivf");
  IvfWriter writer(path, IvfHeader{});
  const std::vector<uint8_t> huge(size_t(kIvfMaxFrameBytes) + 1);
  EXPECT_TRUE(throws_exactly<Unsupported>([&] { writer.append(0, huge); },
                                          {path + ": ", "frame 0", "64 MiB"}));
}

TEST(IvfReader, CountsFramesByWalkingNotFromTheHeader) {
  TempDir dir;
  const std::string path = dir.file("in.ivf");
  IvfHeader header;
  header.frame_count = 7;  // a writer killed before patching, or a liar
  header.width = 0;        // zero sizes are the decoder's business
  header.height = 0;
  std::vector<uint8_t> file = header_bytes(header);
  append_frame(file, 3, 10, {1, 2, 3});
  append_frame(file, 0, 11, {});
  write_raw(path, file);
  IvfReader reader(path);
  EXPECT_EQ(reader.header(), header);
  ASSERT_EQ(reader.frame_count(), 2u);
  EXPECT_EQ(to_vector(reader.frames()[0].data), (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(reader.frames()[1].pts, 11u);
  EXPECT_TRUE(reader.frames()[1].data.empty());
}

TEST(IvfReader, HeaderOnlyFileHasNoFrames) {
  TempDir dir;
  const std::string path = dir.file("in.ivf");
  write_raw(path, header_bytes(IvfHeader{}));
  EXPECT_EQ(IvfReader(path).frame_count(), 0u);
}

::testing::AssertionResult rejects(const std::vector<uint8_t>& file,
                                   const std::vector<std::string>& parts) {
  return test::reader_rejects<InvalidBitstream, IvfReader>(file, parts);
}

TEST(IvfReader, RejectsBadSignature) {
  std::vector<uint8_t> file = header_bytes(IvfHeader{});
  file[0] = 'R';
  EXPECT_TRUE(rejects(file, {"not an IVF file (bad signature)"}));
  EXPECT_TRUE(rejects({'R', 'I'}, {"not an IVF file (bad signature)"}));
}

TEST(IvfReader, RejectsTruncatedFileHeader) {
  std::vector<uint8_t> file = header_bytes(IvfHeader{});
  file.resize(10);
  EXPECT_TRUE(rejects(file, {"truncated IVF file header (10 of 32 bytes)"}));
  EXPECT_TRUE(rejects({}, {"truncated IVF file header (0 of 32 bytes)"}));
}

TEST(IvfReader, RejectsOtherHeaderSizes) {
  std::vector<uint8_t> file = header_bytes(IvfHeader{});
  file[6] = 64;
  file.resize(64);
  EXPECT_TRUE(rejects(file, {"IVF header size 64, expected 32"}));
}

TEST(IvfReader, RejectsTruncatedFrameHeader) {
  std::vector<uint8_t> file = header_bytes(IvfHeader{});
  append_frame(file, 3, 0, {1, 2, 3});
  file.insert(file.end(), {9, 0, 0, 0, 0});
  EXPECT_TRUE(rejects(file, {"frame 1: truncated frame header (5 of 12 bytes)"}));
}

TEST(IvfReader, RejectsFrameLargerThanTheRest) {
  std::vector<uint8_t> file = header_bytes(IvfHeader{});
  append_frame(file, 2, 0, {1, 2});
  append_frame(file, 100, 1, std::vector<uint8_t>(10));
  EXPECT_TRUE(rejects(file, {"frame 1 claims 100 bytes but only 10 remain"}));
}

TEST(IvfReader, RejectsFramesOver64MiBBeforeLookingAtTheRest) {
  std::vector<uint8_t> file = header_bytes(IvfHeader{});
  append_frame(file, kIvfMaxFrameBytes + 1, 0, {1});
  EXPECT_TRUE(rejects(file, {"frame 0 claims 67108865 bytes, over the 64 MiB frame limit"}));
  // The limit itself is allowed: this one fails only for lack of bytes.
  file = header_bytes(IvfHeader{});
  append_frame(file, kIvfMaxFrameBytes, 0, {1});
  EXPECT_TRUE(rejects(file, {"frame 0 claims 67108864 bytes but only 1 remain"}));
}

TEST(IvfReader, MissingFileIsIoError) {
  TempDir dir;
  const std::string path = dir.file("missing.ivf");
  EXPECT_TRUE(throws_exactly<IoError>([&] { IvfReader r(path); }, {path + ": "}));
}

}  // namespace
}  // namespace xc::util
