// Tests of the WebM writer (util/webm), read back with a reader of its own (webm_test_support.hh): block
// times, key and invisible flags of shown and hidden frames, clusters at key frames and every 5 s, cues,
// the video track's Colour and interlacing fields, same bytes for the same input, and refused inputs
// that leave no file. The frames are arbitrary bytes: the writer does not parse them.
#include "util/webm.hh"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "util/errors.hh"
#include "util_test_support.hh"
#include "webm_test_support.hh"

namespace {

using xc::test::as_bytes;
using xc::util::WebmFrame;
using xc::util::WebmVideo;

// Video and Colour element IDs (Matroska specification).
constexpr uint32_t kPixelWidth = 0xB0, kPixelHeight = 0xBA, kFlagInterlaced = 0x9A;
constexpr uint32_t kMatrixCoefficients = 0x55B1, kRange = 0x55B9, kChromaSitingHorz = 0x55B7,
                   kChromaSitingVert = 0x55B8;

class WebmWriter : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!xc::util::webm_supported()) {
      if (const char* ci = std::getenv("CI"); ci != nullptr && std::string(ci) == "true") {
        FAIL() << "this build has no WebM writer, and CI=true requires it: install libmatroska-dev and libebml-dev";
      }
      GTEST_SKIP() << "this build has no WebM writer: install libmatroska-dev and libebml-dev and reconfigure";
    }
  }

  // Frames whose bytes name them ("frame 3"), so the reader can tell them apart.
  void add(uint64_t pts, bool key, bool shown) {
    payloads_.push_back("frame " + std::to_string(payloads_.size()));
    pts_.push_back(pts), key_.push_back(key), shown_.push_back(shown);
  }

  WebmVideo video(uint32_t num, uint32_t den, uint64_t end_pts) {
    frames_.clear();
    for (size_t i = 0; i < payloads_.size(); ++i) frames_.push_back({as_bytes(payloads_[i]), pts_[i], key_[i], shown_[i]});
    WebmVideo v;
    v.timebase_num = num;
    v.timebase_den = den;
    v.width = 160;
    v.height = 96;
    v.frame_interval = 1;
    v.end_pts = end_pts;
    v.frames = frames_;
    return v;
  }

  xc::test::WebmLayout write_and_read(const WebmVideo& v) {
    const std::string path = dir_.file("out.webm");
    xc::util::write_webm(path, v);
    const auto bytes = xc::test::read_raw(path);
    return xc::test::read_webm_layout(std::string(bytes.begin(), bytes.end()));
  }

  xc::test::TempDir dir_;
  std::vector<std::string> payloads_;
  std::vector<uint64_t> pts_;
  std::vector<bool> key_, shown_;
  std::vector<WebmFrame> frames_;
};

// Milliseconds of `pts` ticks of 1/30 s, rounded.
int64_t ms30(uint64_t pts) { return std::llround(double(pts) * 1000 / 30); }

TEST_F(WebmWriter, HiddenFramesComeJustBeforeTheFrameTheyPrecede) {
  add(0, true, true);
  add(1, false, false);  // an alt-ref frame: shares its timestamp with the next shown frame
  add(1, false, true);
  add(2, false, true);
  add(4, false, false);  // two hidden frames before one shown frame
  add(4, false, false);
  add(4, false, true);
  add(6, true, true);  // a new cluster
  add(7, false, true);
  const auto layout = write_and_read(video(1, 30, 8));

  ASSERT_EQ(layout.blocks.size(), payloads_.size());
  const std::vector<int64_t> times = {0, ms30(1) - 1, ms30(1), ms30(2), ms30(4) - 2, ms30(4) - 1, ms30(4), ms30(6),
                                      ms30(7)};
  for (size_t i = 0; i < payloads_.size(); ++i) {
    const auto& b = layout.blocks[i];
    EXPECT_EQ(b.data, payloads_[i]) << "block " << i;
    EXPECT_EQ(b.time, times[i]) << "block " << i;
    EXPECT_EQ(bool(b.flags & 0x80), bool(key_[i])) << "block " << i << ": key flag";
    EXPECT_EQ(bool(b.flags & 0x08), !shown_[i]) << "block " << i << ": invisible flag";
    EXPECT_EQ(b.cluster, i < 7 ? 0u : 1u) << "block " << i;
  }
  // One cue per key-frame cluster, pointing at it.
  EXPECT_EQ(layout.cluster_times, (std::vector<int64_t>{0, ms30(6)}));
  ASSERT_EQ(layout.cues.size(), 2u);
  for (size_t c = 0; c < 2; ++c) {
    EXPECT_EQ(int64_t(layout.cues[c].time), layout.cluster_times[c]);
    EXPECT_EQ(layout.cues[c].cluster_position, layout.cluster_positions[c]);
  }
}

TEST_F(WebmWriter, TrackSaysWhatVp8PicturesAre) {
  add(0, true, true);
  const auto layout = write_and_read(video(1, 30, 1));
  EXPECT_EQ(layout.video.at(kPixelWidth), 160u);
  EXPECT_EQ(layout.video.at(kPixelHeight), 96u);
  EXPECT_EQ(layout.video.at(kFlagInterlaced), 2u) << "progressive";
  EXPECT_EQ(layout.video.at(kMatrixCoefficients), 6u) << "BT.601 (SMPTE 170M)";
  EXPECT_EQ(layout.video.at(kRange), 1u) << "broadcast range";
  EXPECT_EQ(layout.video.at(kChromaSitingHorz), 2u) << "half";
  EXPECT_EQ(layout.video.at(kChromaSitingVert), 2u) << "half";
}

TEST_F(WebmWriter, LongStretchesWithoutKeyFramesAreSplitEveryFiveSeconds) {
  add(0, true, true);
  for (uint64_t pts = 1; pts < 400; ++pts) add(pts, false, true);  // 13.3 s at 30 per second
  const auto layout = write_and_read(video(1, 30, 400));
  ASSERT_EQ(layout.blocks.size(), 400u);
  for (size_t i = 0; i < 400; ++i) EXPECT_EQ(layout.blocks[i].time, ms30(i)) << "block " << i;
  ASSERT_EQ(layout.cluster_times.size(), 3u);
  for (size_t c = 1; c < 3; ++c) {
    // A cluster ends before the first frame 5 s or more after its start.
    EXPECT_GE(layout.cluster_times[c] - layout.cluster_times[c - 1], 5000);
    EXPECT_LT(layout.cluster_times[c] - layout.cluster_times[c - 1], 5000 + 34);
  }
  EXPECT_EQ(layout.cues.size(), 1u) << "only the cluster that starts with a key frame is a seek point";
}

TEST_F(WebmWriter, FramesCloserThanAMillisecondStillGetIncreasingTimes) {
  add(0, true, true);
  add(1, false, true);
  add(2, false, true);
  add(30, false, true);
  const auto layout = write_and_read(video(1, 10000, 31));  // 0.1 ms ticks
  ASSERT_EQ(layout.blocks.size(), 4u);
  EXPECT_EQ(layout.blocks[0].time, 0);
  EXPECT_EQ(layout.blocks[1].time, 1);
  EXPECT_EQ(layout.blocks[2].time, 2);
  EXPECT_EQ(layout.blocks[3].time, 3);
}

TEST_F(WebmWriter, SameInputSameBytes) {
  add(0, true, true);
  add(1, false, false);
  add(1, false, true);
  const WebmVideo v = video(1, 30, 2);
  xc::util::write_webm(dir_.file("a.webm"), v);
  xc::util::write_webm(dir_.file("b.webm"), v);
  EXPECT_EQ(xc::test::read_raw(dir_.file("a.webm")), xc::test::read_raw(dir_.file("b.webm")));
}

TEST_F(WebmWriter, RefusesWhatItCannotWriteAndLeavesNoFile) {
  add(0, false, true);
  const std::string path = dir_.file("out.webm");
  EXPECT_TRUE(xc::test::throws_exactly<xc::util::InvalidBitstream>(
      [&] { xc::util::write_webm(path, video(1, 30, 1)); }, {path + ": ", "key frame"}));
  key_[0] = true;
  EXPECT_TRUE(xc::test::throws_exactly<xc::util::Unsupported>([&] { xc::util::write_webm(path, video(0, 30, 1)); },
                                                              {path + ": ", "time base 0/30"}));
  EXPECT_TRUE(xc::test::throws_exactly<xc::util::Unsupported>([&] { xc::util::write_webm(path, video(1, 0, 1)); },
                                                              {path + ": ", "time base 1/0"}));
  WebmVideo empty = video(1, 30, 1);
  empty.frames = {};
  EXPECT_TRUE(xc::test::throws_exactly<xc::util::InvalidBitstream>([&] { xc::util::write_webm(path, empty); },
                                                                   {path + ": "}));
  EXPECT_TRUE(dir_.entries().empty());
}

}  // namespace
