// Damaged streams against libvpx: single bits flipped in the first frames of conformance vectors,
// each damaged stream decoded by both decoders (tests/libvpx_compare.hh). Wherever libvpx decodes a
// frame cleanly, our pictures and all three references must equal its; the first frame libvpx
// refuses or flags as corrupt (VP8D_GET_FRAME_CORRUPTED, what vpxdec warns about) ends the
// comparison, and so does a frame whose libvpx result is no reference (libvpx_result_undefined:
// copying reference buffer "3", or first_part_size 0). Our decoder refuses all three kinds of frame
// (it throws util::InvalidBitstream) in every case seen so far; the test demands that only for the
// last kind and prints the counts of the others, since a refused or corrupt frame has no reference
// result. Streams the fuzzers found (fuzz/) are rebuilt here from data/ and the vectors.
//
// By default about 300 bits evenly spaced over the frame are flipped (a deterministic
// sample that keeps the test within seconds); XC_BITFLIP_STRIDE=1 flips every bit (minutes), any
// other value every so many bits.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "libvpx_compare.hh"
#include "vector_test_support.hh"
#include "vp8/frame_writer.hh"

namespace xc::test {
namespace {

// The stream with bit `bit` (0 = least significant) of byte `byte` of frame `frame` flipped.
std::vector<std::vector<uint8_t>> flipped(std::vector<std::vector<uint8_t>> frames, size_t frame, size_t byte,
                                          int bit) {
  frames.at(frame).at(byte) ^= uint8_t(1u << bit);
  return frames;
}

std::vector<std::span<const uint8_t>> spans(const std::vector<std::vector<uint8_t>>& frames, size_t count) {
  std::vector<std::span<const uint8_t>> out;
  for (size_t i = 0; i < std::min(count, frames.size()); ++i) out.emplace_back(frames[i]);
  return out;
}

// The first divergence found: vp80-03-segmentation-01, byte 98 of the file (byte 54 of the only
// frame) XOR 0x40. The damaged tokens give a luma coefficient of -1109 at quantizer index 126, whose
// dequantized value wraps in 16 bits; libvpx's inverse DCT then keeps its row sums in 16 bits
// (rounding term included) where the RFC's code forms them in int. Before the fix our picture
// differed in 1757 luma pixels.
TEST(LibvpxBitflip, Segmentation01Byte98Bit6) {
  XC_REQUIRE_VECTORS();
  const auto frames = flipped(read_frames(vector_path("vp80-03-segmentation-01")), 0, 54, 6);
  const StreamComparison c = compare_stream_with_libvpx(spans(frames, frames.size()));
  EXPECT_EQ(c.stop, StreamComparison::Stop::kNone) << c.detail;
  EXPECT_EQ(c.frames, 1);
}

// The first fuzzer finding (libvpx_diff): a frame with more token partitions than macroblock rows
// whose data ends before the partitions no row reads. libvpx splits the partitions only while bytes
// remain and leaves the rest empty; it decodes such a frame cleanly, where ours refused it ("token
// partition 8 claims 0 bytes"). Rebuilt from data/sample.ivf (160x96: 6 macroblock rows): the key
// frame rewritten with 8 partitions, then cut after partition 6, or after partition 5 (a row then
// reads an empty partition: libvpx flags the frame as corrupt, which for a stream's first key frame
// is an error; ours refuses it).
TEST(LibvpxDamaged, FrameEndsBeforePartitionsNoRowReads) {
  const util::IvfReader ivf(std::string(XC_SOURCE_DIR) + "/data/sample.ivf");
  std::vector<std::vector<uint8_t>> frames;
  for (size_t i = 0; i < 4; ++i) frames.emplace_back(ivf.frame(i).data.begin(), ivf.frame(i).data.end());
  vp8::ParsedFrame key = vp8::parse_frame({}, frames[0]);
  ASSERT_EQ(key.tag.height, 96);  // 6 macroblock rows
  key.header.log2_nbr_of_dct_partitions = 3;
  const std::vector<uint8_t> eight = vp8::write_frame({}, key);
  // Partition sizes from the table behind the first partition (§9.5).
  const vp8::FrameTag tag = vp8::parse_frame_tag(eight);
  const size_t table = tag.size() + tag.first_part_size;
  auto end_of_partition = [&](int last) {  // bytes up to the end of partition `last` (0-based)
    size_t end = table + 3 * 7;
    for (int i = 0; i <= last; ++i) end += eight[table + 3 * i] | (eight[table + 3 * i + 1] << 8) | (eight[table + 3 * i + 2] << 16);
    return end;
  };
  {
    SCOPED_TRACE("cut after partition 6: partitions 7 and 8 missing, read by no row");
    std::vector<std::vector<uint8_t>> stream = frames;
    stream[0].assign(eight.begin(), eight.begin() + ptrdiff_t(end_of_partition(5)));
    const StreamComparison c = compare_stream_with_libvpx(spans(stream, stream.size()));
    EXPECT_EQ(c.stop, StreamComparison::Stop::kNone) << c.detail;
    EXPECT_EQ(c.frames, 4);
  }
  {
    SCOPED_TRACE("cut after partition 5: partition 6, read by row 5, missing");
    std::vector<std::vector<uint8_t>> stream = frames;
    stream[0].assign(eight.begin(), eight.begin() + ptrdiff_t(end_of_partition(4)));
    const StreamComparison c = compare_stream_with_libvpx(spans(stream, stream.size()));
    // A corrupt first key frame is an error in libvpx ("A stream must start with a complete key frame").
    EXPECT_EQ(c.stop, StreamComparison::Stop::kLibvpxRefused) << c.detail;
    EXPECT_TRUE(c.ours_refused) << c.detail;
  }
}

struct Case {
  std::string vector;
  size_t frame;         // the frame whose bits are flipped
  size_t after;         // frames decoded after it (damage carries on through the references)
  size_t flips = 300;   // about this many bits, evenly spaced
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.vector << " frame " << c.frame; }

class LibvpxBitflip : public ::testing::TestWithParam<Case> {};

TEST_P(LibvpxBitflip, SameWhereLibvpxDecodesCleanly) {
  XC_REQUIRE_VECTORS();
  const Case& c = GetParam();
  const auto frames = read_frames(vector_path(c.vector));
  ASSERT_LT(c.frame, frames.size());
  const size_t bits = frames[c.frame].size() * 8;
  // Odd, so that the sample visits every bit position within a byte.
  size_t stride = std::max<size_t>(1, bits / c.flips) | 1;
  if (const char* s = std::getenv("XC_BITFLIP_STRIDE"); s != nullptr && *s != '\0') stride = std::stoul(s);
  ASSERT_GE(stride, 1u);
  int streams = 0, clean = 0, refused_both = 0, refused_libvpx_only = 0, corrupt_ours_refused = 0,
      corrupt_ours_decoded = 0, undefined = 0, divergences = 0;
  for (size_t b = 0; b < bits; b += stride) {
    const auto damaged = flipped(frames, c.frame, b / 8, int(b % 8));
    const StreamComparison r = compare_stream_with_libvpx(spans(damaged, c.frame + 1 + c.after));
    ++streams;
    switch (r.stop) {
      case StreamComparison::Stop::kNone:
        ++clean;
        break;
      case StreamComparison::Stop::kLibvpxRefused:
        ++(r.ours_refused ? refused_both : refused_libvpx_only);
        break;
      case StreamComparison::Stop::kLibvpxCorrupt:
        ++(r.ours_refused ? corrupt_ours_refused : corrupt_ours_decoded);
        break;
      case StreamComparison::Stop::kLibvpxUndefined:
        ++undefined;
        EXPECT_TRUE(r.ours_refused) << c.vector << " frame " << c.frame << " byte " << b / 8 << " bit " << b % 8
                                    << ": " << r.detail;
        break;
      case StreamComparison::Stop::kDivergence:
        if (++divergences <= 5) {
          ADD_FAILURE() << c.vector << " frame " << c.frame << " byte " << b / 8 << " bit " << b % 8 << ": "
                        << r.detail;
        }
        break;
    }
  }
  const std::string summary =
      std::to_string(streams) + " damaged streams: " + std::to_string(clean) + " decoded cleanly by libvpx and equal, " +
      std::to_string(refused_both) + " refused by both, " + std::to_string(refused_libvpx_only) +
      " refused by libvpx only, " + std::to_string(corrupt_ours_refused) + " flagged corrupt by libvpx and refused by ours, " +
      std::to_string(corrupt_ours_decoded) + " flagged corrupt by libvpx and decoded by ours, " +
      std::to_string(undefined) + " with no libvpx reference (refused by ours), " +
      std::to_string(divergences) + " divergences";
  RecordProperty("summary", summary);
  std::printf("%s frame %zu: %s\n", c.vector.c_str(), c.frame, summary.c_str());
  EXPECT_EQ(divergences, 0) << summary;
  // The sample must reach the comparison, not only refusals.
  EXPECT_GT(clean, 0) << summary;
}

std::vector<Case> cases() {
  return {
      {"vp80-03-segmentation-01", 0, 0},   {"vp80-03-segmentation-02", 0, 0},
      {"vp80-03-segmentation-03", 0, 0},   {"vp80-03-segmentation-04", 0, 0, 30},
      {"vp80-00-comprehensive-001", 0, 2}, {"vp80-00-comprehensive-001", 1, 2},
      {"vp80-00-comprehensive-007", 1, 2}, {"vp80-03-segmentation-1437", 1, 2},
      {"vp80-04-partitions-1405", 1, 2},   {"vp80-05-sharpness-1430", 0, 2},
      {"vp80-00-comprehensive-016", 0, 2},
  };
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.vector + "_frame" + std::to_string(info.param.frame);
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Vectors, LibvpxBitflip, ::testing::ValuesIn(cases()), case_name);

}  // namespace
}  // namespace xc::test
