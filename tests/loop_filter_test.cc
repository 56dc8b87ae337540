// The loop filter's strengths (vp8/loop_filter.hh; RFC 6386 §9.3, §9.4, §15.4): the table a frame's
// context holds gives every macroblock the level and limits the spec derives for it, and a frame
// finished with a loop-filter level or sharpness other than the one it was begun with is filtered
// with the final ones, in the single-threaded and the wavefront decoder alike.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "libvpx_helpers.hh"
#include "util/thread_pool.hh"
#include "vp8/decoder.hh"
#include "vp8/frame_writer.hh"
#include "vp8/loop_filter.hh"

namespace {

using namespace xc;
using namespace xc::vp8;

// The level of one macroblock as §9.3 and §9.4 state it, from scratch.
int spec_level(const FrameHeader& h, const SegmentationState& seg, const LoopFilterDeltas& deltas, int segment,
               RefFrame ref, MbMode mode) {
  int level = h.loop_filter_level;
  if (h.segmentation_enabled) {
    level = seg.absolute_values ? seg.loop_filter_level[segment] : level + seg.loop_filter_level[segment];
    level = std::clamp(level, 0, 63);
  }
  if (h.loop_filter_adj_enable) {
    level += deltas.ref[ref];
    // Mode deltas: [0] B_PRED, [1] ZEROMV, [2] NEARESTMV, NEARMV and NEWMV, [3] SPLITMV.
    if (mode == B_PRED) level += deltas.mode[0];
    if (mode == ZEROMV) level += deltas.mode[1];
    if (mode == NEARESTMV || mode == NEARMV || mode == NEWMV) level += deltas.mode[2];
    if (mode == SPLITMV) level += deltas.mode[3];
    level = std::clamp(level, 0, 63);
  }
  return level;
}

// The limits of §15.4 for one level.
FilterStrength spec_strength(int level, int sharpness, bool key_frame) {
  int interior = level;
  if (sharpness) {
    interior >>= sharpness > 4 ? 2 : 1;
    if (interior > 9 - sharpness) interior = 9 - sharpness;
  }
  if (!interior) interior = 1;
  int hev = 0;
  if (level >= 40) {
    hev = key_frame ? 2 : 3;
  } else if (level >= 20) {
    hev = key_frame ? 1 : 2;
  } else if (level >= 15) {
    hev = 1;
  }
  return {uint8_t(level), uint8_t((level + 2) * 2 + interior), uint8_t(level * 2 + interior), uint8_t(interior),
          uint8_t(hev)};
}

TEST(LoopFilterStrengths, GiveEveryMacroblockTheLevelAndLimitsOfTheSpec) {
  std::mt19937 rng(0x10f17e55);
  auto in = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int filtered = 0, unfiltered = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    FrameHeader h;
    h.filter_type = in(0, 1);
    // Level 0 in some trials, the extremes in others.
    h.loop_filter_level = uint8_t(trial % 10 == 0 ? 0 : trial % 10 == 1 ? 63 : in(0, 63));
    h.sharpness_level = uint8_t(in(0, 7));
    h.segmentation_enabled = in(0, 1);
    h.loop_filter_adj_enable = in(0, 1);
    SegmentationState seg;
    seg.absolute_values = in(0, 1);
    for (auto& v : seg.loop_filter_level) v = int8_t(seg.absolute_values ? in(0, 63) : in(-63, 63));
    LoopFilterDeltas deltas;
    for (auto& v : deltas.ref) v = int8_t(in(-63, 63));
    for (auto& v : deltas.mode) v = int8_t(in(-63, 63));
    const bool key = in(0, 1);
    const LoopFilterStrengths strengths(h, seg, deltas, key);
    SCOPED_TRACE("trial " + std::to_string(trial));
    EXPECT_EQ(strengths.simple(), h.filter_type);
    EXPECT_TRUE(strengths.made_for(h));
    bool any = false;
    for (int segment = 0; segment < 4; ++segment) {
      for (int ref = 0; ref < kNumRefFrames; ++ref) {
        // Intra macroblocks have the intra modes, inter ones the inter modes.
        const int first = ref == INTRA_FRAME ? DC_PRED : NEARESTMV;
        const int last = ref == INTRA_FRAME ? B_PRED : SPLITMV;
        for (int mode = first; mode <= last; ++mode) {
          MacroblockInfo mb;
          mb.segment_id = uint8_t(segment);
          mb.ref_frame = RefFrame(ref);
          mb.y_mode = MbMode(mode);
          // Nothing is filtered when the frame's level is 0, whatever the segments and deltas say.
          const int level =
              h.loop_filter_level == 0 ? 0 : spec_level(h, seg, deltas, segment, RefFrame(ref), MbMode(mode));
          const FilterStrength& got = strengths.of(mb);
          ASSERT_EQ(int(got.level), level) << "segment " << segment << " ref " << ref << " mode " << mode;
          if (level > 0) {
            ASSERT_EQ(got, spec_strength(level, h.sharpness_level, key))
                << "segment " << segment << " ref " << ref << " mode " << mode;
          }
          any |= level > 0;
          (level > 0 ? filtered : unfiltered) += 1;
        }
      }
    }
    if (any) {
      EXPECT_TRUE(strengths.filters_anything());
    }
    if (h.loop_filter_level == 0) {
      EXPECT_FALSE(strengths.filters_anything());
    }
  }
  // Both outcomes are common enough to have been checked.
  EXPECT_GT(filtered, 10000);
  EXPECT_GT(unfiltered, 10000);
}

TEST(LoopFilterStrengths, KnowTheLevelSharpnessAndTypeTheyWereMadeFor) {
  FrameHeader h;
  h.loop_filter_level = 20;
  h.sharpness_level = 3;
  const LoopFilterStrengths s(h, SegmentationState{}, LoopFilterDeltas{}, false);
  EXPECT_TRUE(s.made_for(h));
  FrameHeader other = h;
  other.loop_filter_level = 21;
  EXPECT_FALSE(s.made_for(other));
  other = h;
  other.sharpness_level = 4;
  EXPECT_FALSE(s.made_for(other));
  other = h;
  other.filter_type = true;
  EXPECT_FALSE(s.made_for(other));
  EXPECT_FALSE(LoopFilterStrengths().filters_anything());
}

TEST(FinishFrame, FiltersWithTheStrengthsOfTheFinalHeader) {
  // What the encoder does: begin a frame, reconstruct it, then choose the loop-filter level and
  // sharpness and finish it. The result must be what decoding the written frame gives. The frame
  // has segments with their own levels and quantizers, and libvpx's reference and mode deltas.
  constexpr int kWidth = 176, kHeight = 144;
  const auto pictures = test::synthetic_sequence(test::Scene::kMoving, kWidth, kHeight, 2, 0x5e9a11);
  test::VpxEncodeJob job;
  job.cfg = test::vpx_default_config(kWidth, kHeight);
  job.cfg.rc_min_quantizer = job.cfg.rc_max_quantizer = 40;
  job.cfg.g_lag_in_frames = 0;
  job.controls = {{VP8E_SET_CPUUSED, 4}};
  const auto packets = test::vpx_encode(job, pictures);
  ASSERT_EQ(packets.size(), 2u);
  const DecoderState state = decode_frame(DecoderState{}, packets[0].data).state;
  ParsedFrame frame = parse_frame(state, packets[1].data);
  ASSERT_FALSE(frame.tag.key_frame);
  ASSERT_TRUE(frame.header.loop_filter_adj_enable) << "libvpx's stream has no loop-filter deltas to check";

  FrameHeader& h = frame.header;
  h.segmentation_enabled = true;
  h.segmentation.update_mb_segmentation_map = true;
  h.segmentation.update_segment_feature_data = true;
  h.segmentation.segment_feature_mode = false;  // deltas
  const int quantizer[4] = {0, -6, 5, 12}, level[4] = {0, -9, 7, 30};
  for (int s = 0; s < 4; ++s) {
    h.segmentation.quantizer_update[s] = SignedField::of(quantizer[s]);
    h.segmentation.loop_filter_update[s] = SignedField::of(level[s]);
  }
  for (size_t i = 0; i < frame.mbs.size(); ++i) frame.mbs[i].segment_id = uint8_t(i * 7 % 4);
  h.loop_filter_level = 28;
  h.sharpness_level = 2;

  // The reconstruction before filtering: the frame at level 0, at which nothing is filtered.
  ParsedFrame unfiltered_frame = frame;
  unfiltered_frame.header.loop_filter_level = 0;
  const RasterRef unfiltered = reconstruct_frame(state, unfiltered_frame).picture;

  const auto bytes = write_frame(state, frame);
  const DecodedFrame decoded = decode_frame(state, bytes);
  util::ThreadPool threads(3);
  const DecodedFrame wavefront = decode_frame(state, bytes, dsp::best_dsp(), nullptr, &threads);
  ASSERT_TRUE(wavefront.picture->same_pixels(*decoded.picture));
  ASSERT_FALSE(unfiltered->same_pixels(*decoded.picture)) << "the filter changed nothing: nothing is checked";

  for (const auto& [begun_level, begun_sharpness] : {std::pair{0, 0}, std::pair{28, 6}, std::pair{50, 2}}) {
    SCOPED_TRACE("begun at level " + std::to_string(begun_level) + " sharpness " + std::to_string(begun_sharpness));
    FrameHeader begun_header = h;
    begun_header.loop_filter_level = uint8_t(begun_level);
    begun_header.sharpness_level = uint8_t(begun_sharpness);
    const FrameContext ctx = begin_frame(state, frame.tag, begun_header);
    EXPECT_FALSE(ctx.filter.made_for(h));
    const DecodedFrame finished = finish_frame(ctx, frame, std::make_shared<Raster>(*unfiltered));
    EXPECT_TRUE(finished.picture->same_pixels(*decoded.picture));
    EXPECT_EQ(finished.state, decoded.state);
  }
}

}  // namespace
