// The encoder's loop-filter search (encoder/frame_encoder.hh, RFC 6386 §9.6, §15): the level and
// sharpness it picks from bands of macroblock rows must filter the whole frame almost as well as the
// best level (at that sharpness) found by filtering the whole frame at every level, no worse than the
// neighbouring sharpness values, and rebased frames must still decode to the encoder's
// reconstruction, in libvpx too whatever the sharpness.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "libvpx_helpers.hh"
#include "vp8/decoder.hh"
#include "vp8/encoder/frame_encoder.hh"
#include "vp8/encoder/residual.hh"
#include "vp8/frame_writer.hh"
#include "vp8/loop_filter.hh"
#include "vp8/picture.hh"

namespace {

using namespace xc;
using namespace xc::vp8;

constexpr uint32_t kSeed = 0x1f5ea7c4;

struct Clip {
  std::vector<util::Image> pictures;
  std::vector<test::VpxPacket> packets;
};

// A libvpx encode of synthetic content at a quantizer that makes the loop filter matter.
Clip make_clip(test::Scene scene, int width, int height, int count) {
  Clip clip;
  clip.pictures = test::synthetic_sequence(scene, width, height, count, kSeed);
  test::VpxEncodeJob job;
  job.cfg = test::vpx_default_config(width, height);
  job.cfg.rc_min_quantizer = job.cfg.rc_max_quantizer = 40;
  job.cfg.g_lag_in_frames = 0;
  job.controls = {{VP8E_SET_CPUUSED, 4}};
  clip.packets = test::vpx_encode(job, clip.pictures);
  return clip;
}

struct LevelErrors {
  std::vector<int64_t> by_level;  // whole-frame squared error at each level 0..63
  int best = 0;
};

LevelErrors whole_frame_errors(const DecoderState& begun, const ParsedFrame& f, const Raster& unfiltered,
                               const util::Image& target, int sharpness) {
  std::vector<uint8_t> no_coeffs(f.mbs.size(), 1);
  for (size_t i = 0; i < f.mbs.size(); ++i)
    if (!f.mbs[i].mb_skip_coeff) no_coeffs[i] = f.coeffs[i].all_eob;
  LevelErrors e;
  FrameHeader h = f.header;
  h.sharpness_level = uint8_t(sharpness);
  for (int level = 0; level < 64; ++level) {
    Raster copy = unfiltered;
    h.loop_filter_level = uint8_t(level);
    const LoopFilterStrengths strengths(h, begun.segmentation, begun.lf_deltas, f.tag.key_frame);
    loop_filter_frame(dsp::best_dsp(), copy, strengths, f.mbs, no_coeffs);
    e.by_level.push_back(enc::picture_sse(copy, target));
    if (e.by_level[level] < e.by_level[e.best]) e.best = level;
  }
  return e;
}

// Rebases every inter frame of the clip onto the decoder's own state (so the reconstruction is
// close to libvpx's), runs the level search on the unfiltered reconstruction and compares its
// choice with every level's whole-frame error. Returns the largest relative excess.
double worst_excess(const Clip& clip, bool expect_exact) {
  DecoderState s;
  double worst = 0;
  int frames = 0;
  for (size_t i = 0; i < clip.packets.size(); ++i) {
    const ParsedFrame parsed = parse_frame(s, clip.packets[i].data);
    if (!parsed.tag.key_frame) {
      SCOPED_TRACE("frame " + std::to_string(i) + ", seed " + std::to_string(kSeed));
      const util::Image& target = clip.pictures[i];
      const enc::UnfilteredFrame u = enc::rebase_macroblocks(s, parsed, target);
      const enc::LoopFilterChoice choice =
          enc::choose_loop_filter(dsp::best_dsp(), u.context.state, u.frame, *u.picture, target);
      const int chosen = choice.level;
      const LevelErrors e = whole_frame_errors(u.context.state, u.frame, *u.picture, target, choice.sharpness);
      EXPECT_GT(e.best, 0) << "the content should want some filtering";
      const double excess = double(e.by_level[chosen] - e.by_level[e.best]) / double(e.by_level[e.best]);
      worst = std::max(worst, excess);
      if (expect_exact) {
        // Measured whole, the descent ends in a local minimum of the true error.
        if (chosen > 0) {
          EXPECT_LE(e.by_level[chosen], e.by_level[chosen - 1]) << "level " << int(chosen);
        }
        if (chosen < 63) {
          EXPECT_LE(e.by_level[chosen], e.by_level[chosen + 1]) << "level " << int(chosen);
        }
        // and in the sharpness, at that level.
        for (int sharpness : {choice.sharpness - 1, choice.sharpness + 1}) {
          if (chosen == 0 || sharpness < 0 || sharpness > 7) continue;
          const LevelErrors n = whole_frame_errors(u.context.state, u.frame, *u.picture, target, sharpness);
          EXPECT_LE(e.by_level[chosen], n.by_level[chosen]) << "sharpness " << sharpness;
        }
      }
      ++frames;
    }
    s = decode_frame(s, clip.packets[i].data).state;
  }
  EXPECT_GT(frames, 0);
  return worst;
}

TEST(LoopFilterSearch, BandsChooseNearlyTheBestLevel) {
  // 15 macroblock rows: measured on bands.
  for (test::Scene scene : {test::Scene::kMoving, test::Scene::kPan}) {
    const Clip clip = make_clip(scene, 320, 240, 4);
    const double worst = worst_excess(clip, false);
    std::printf("scene %d: the chosen levels' whole-frame error is at most %.3f %% above the best\n", int(scene),
                100 * worst);
    EXPECT_LT(worst, 0.01) << "scene " << int(scene) << ": whole-frame error " << 100 * worst
                           << " % above the best level's";
  }
}

TEST(LoopFilterSearch, SmallFramesAreMeasuredWhole) {
  // 9 macroblock rows: measured whole, so the choice is a local minimum of the true error.
  const Clip clip = make_clip(test::Scene::kMoving, 176, 144, 3);
  worst_excess(clip, true);
}

TEST(LoopFilterSearch, RebasedFramesDecodeToTheReconstruction) {
  // Band trials must leave the reconstruction alone: the finished frame is what decoding its bytes
  // gives, and its level and sharpness are the ones chosen.
  const Clip clip = make_clip(test::Scene::kMoving, 320, 240, 3);
  DecoderState libvpx_state, s;  // the stream's own state, and the state of the rebased frames
  for (size_t i = 0; i < clip.packets.size(); ++i) {
    const ParsedFrame parsed = parse_frame(libvpx_state, clip.packets[i].data);
    libvpx_state = decode_frame(libvpx_state, clip.packets[i].data).state;
    const enc::EncodedFrame f = enc::rebase_frame_fully(s, parsed, clip.pictures[i]);
    const DecodedFrame d = reconstruct_frame(s, f.frame);
    EXPECT_TRUE(d.picture->same_pixels(*f.decoded.picture)) << "frame " << i;
    EXPECT_EQ(d.state, f.decoded.state) << "frame " << i;
    EXPECT_EQ(d.header.loop_filter_level, f.frame.header.loop_filter_level) << "frame " << i;
    EXPECT_EQ(d.header.sharpness_level, f.frame.header.sharpness_level) << "frame " << i;
    s = d.state;
  }
}

TEST(LoopFilterSearch, FindsTheLevelAndSharpnessThatMadeTheTarget) {
  // A target that is the reconstruction filtered at a known level and sharpness has zero error
  // there; starting from the same level at sharpness 0, the search must walk to it.
  const Clip clip = make_clip(test::Scene::kMoving, 176, 144, 2);
  DecoderState s;
  s = decode_frame(s, clip.packets[0].data).state;
  const ParsedFrame parsed = parse_frame(s, clip.packets[1].data);
  const enc::UnfilteredFrame u = enc::rebase_macroblocks(s, parsed, clip.pictures[1]);
  std::vector<uint8_t> no_coeffs(u.frame.mbs.size(), 1);
  for (size_t i = 0; i < u.frame.mbs.size(); ++i)
    if (!u.frame.mbs[i].mb_skip_coeff) no_coeffs[i] = u.frame.coeffs[i].all_eob;
  for (int sharpness : {3, 6}) {
    FrameHeader h = u.frame.header;
    h.loop_filter_level = 30;
    h.sharpness_level = uint8_t(sharpness);
    Raster filtered = *u.picture;
    loop_filter_frame(dsp::best_dsp(), filtered,
                      LoopFilterStrengths(h, u.context.state.segmentation, u.context.state.lf_deltas, false),
                      u.frame.mbs, no_coeffs);
    ParsedFrame start = u.frame;
    start.header.loop_filter_level = 30;
    start.header.sharpness_level = 0;
    const enc::LoopFilterChoice c =
        enc::choose_loop_filter(dsp::best_dsp(), u.context.state, start, *u.picture, to_image(filtered));
    EXPECT_EQ(int(c.level), 30);
    EXPECT_EQ(int(c.sharpness), sharpness);
  }
}

TEST(LoopFilterSearch, EverySharpnessTheSearchCanPickDecodesAlikeInLibvpx) {
  // The search may leave any sharpness 0-7 in a header: rebased frames written with each of them
  // decode in libvpx to our decoder's pictures, frame by frame.
  const Clip clip = make_clip(test::Scene::kMoving, 320, 240, 4);
  std::vector<util::Image> at_zero;  // our pictures at sharpness 0
  for (int sharpness = 0; sharpness < 8; ++sharpness) {
    SCOPED_TRACE("sharpness " + std::to_string(sharpness));
    DecoderState libvpx_state, s;
    test::VpxDecoder libvpx;
    int changed = 0;  // frames whose picture differs from sharpness 0's
    for (size_t i = 0; i < clip.packets.size(); ++i) {
      const ParsedFrame parsed = parse_frame(libvpx_state, clip.packets[i].data);
      libvpx_state = decode_frame(libvpx_state, clip.packets[i].data).state;
      enc::EncodedFrame f = enc::rebase_frame_fully(s, parsed, clip.pictures[i]);
      ASSERT_GT(f.frame.header.loop_filter_level, 0) << "frame " << i << ": nothing filtered, nothing checked";
      f.frame.header.sharpness_level = uint8_t(sharpness);
      const DecodedFrame ours = reconstruct_frame(s, f.frame);
      const auto shown = libvpx.decode(write_frame(s, f.frame));
      ASSERT_TRUE(shown.has_value()) << "frame " << i;
      const util::Image picture = to_image(*ours.picture);
      EXPECT_EQ(test::first_difference(*shown, picture), "") << "frame " << i;
      if (sharpness == 0) {
        at_zero.push_back(picture);
      } else {
        changed += test::first_difference(picture, at_zero[i]) != "";
      }
      s = ours.state;
    }
    if (sharpness > 0) {
      EXPECT_GT(changed, 0) << "the sharpness changed no picture: the check proves nothing";
    }
  }
}

}  // namespace
