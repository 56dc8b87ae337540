// Constant-quality primary encoding (encoder/ssim_target.hh, xc-enc -s): every frame is coded at the
// largest quantizer index whose decoded picture reaches the SSIM asked for, which libvpx's decoder
// confirms on the written bytes; the next index up misses it; a target out of reach is coded at
// index 0 and reported; xc-enc refuses -s with -y or -r.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "libvpx_helpers.hh"
#include "tool_test_support.hh"
#include "util/ivf.hh"
#include "util/quality.hh"
#include "util/y4m.hh"
#include "util_test_support.hh"
#include "vp8/encoder/ssim_target.hh"
#include "vp8/frame_writer.hh"
#include "vp8/picture.hh"

namespace {

using namespace xc;
using namespace xc::vp8;

constexpr int kWidth = 176, kHeight = 144;

std::vector<util::Image> clip(int frames) {
  return test::synthetic_sequence(test::Scene::kMoving, kWidth, kHeight, frames, 4242);
}

TEST(SsimTarget, EachFrameTakesTheLargestQuantizerThatMeetsTheTarget) {
  const std::vector<util::Image> pictures = clip(3);
  for (double target : {0.93, 0.98}) {
    SCOPED_TRACE("target " + std::to_string(target));
    DecoderState state;
    test::VpxDecoder libvpx;
    for (size_t i = 0; i < pictures.size(); ++i) {
      SCOPED_TRACE("frame " + std::to_string(i));
      enc::FreshFrameParams p;
      p.key_frame = i == 0;
      const enc::SsimTargetResult r = enc::encode_for_minimum_ssim(state, pictures[i], p, target);
      EXPECT_TRUE(r.met);
      EXPECT_GE(r.ssim, target);
      EXPECT_LE(r.encodes, 8);
      EXPECT_GT(r.qindex, 0) << "the targets are chosen to be met above index 0";
      EXPECT_EQ(int(r.encoded.frame.header.quant.y_ac_qi), r.qindex);
      // The bisection saw the next index miss the target: coding at it must show that.
      if (r.qindex < 127) {
        enc::FreshFrameParams next = p;
        next.qindex = r.qindex + 1;
        const enc::EncodedFrame n = enc::encode_fresh_frame(state, pictures[i], next);
        EXPECT_LT(util::picture_ssim(pictures[i], to_image(*n.decoded.picture)), target);
      }
      // The written bytes decode in libvpx to the picture the SSIM was measured on.
      const std::vector<uint8_t> bytes = write_frame(state, r.encoded.frame);
      const auto shown = libvpx.decode(bytes);
      ASSERT_TRUE(shown.has_value());
      EXPECT_EQ(test::first_difference(*shown, to_image(*r.encoded.decoded.picture)), "");
      EXPECT_EQ(util::picture_ssim(pictures[i], *shown), r.ssim);
      state = r.encoded.decoded.state;
    }
  }
}

TEST(SsimTarget, AHigherTargetTakesAFinerQuantizer) {
  const std::vector<util::Image> pictures = clip(1);
  enc::FreshFrameParams p;
  p.key_frame = true;
  const auto low = enc::encode_for_minimum_ssim(DecoderState{}, pictures[0], p, 0.93);
  const auto high = enc::encode_for_minimum_ssim(DecoderState{}, pictures[0], p, 0.98);
  EXPECT_LT(high.qindex, low.qindex);
}

TEST(SsimTarget, ATargetOutOfReachIsCodedAtIndexZero) {
  const std::vector<util::Image> pictures = clip(1);
  enc::FreshFrameParams p;
  p.key_frame = true;
  const enc::SsimTargetResult r = enc::encode_for_minimum_ssim(DecoderState{}, pictures[0], p, 1.0);
  EXPECT_FALSE(r.met);
  EXPECT_EQ(r.qindex, 0);
  EXPECT_LT(r.ssim, 1.0);
  EXPECT_EQ(util::picture_ssim(pictures[0], to_image(*r.encoded.decoded.picture)), r.ssim);
}

TEST(SsimTarget, XcEncEncodesToAMinimumSsimAndRefusesMixedOptions) {
  test::TempDir dir;
  const std::string y4m = dir.path() + "/in.y4m", ivf = dir.path() + "/out.ivf";
  const std::vector<util::Image> pictures = clip(4);
  {
    util::Y4mHeader h;
    h.width = kWidth;
    h.height = kHeight;
    util::Y4mWriter w(y4m, h);
    for (const auto& p : pictures) w.write(p);
    w.finish();
  }
  const std::string enc = test::tool("xc-enc") + " -i y4m";
  auto r = test::run_command(enc + " -o " + test::shell_quote(ivf) + " -s 0.97 " + test::shell_quote(y4m), dir.path(),
                             true);
  ASSERT_EQ(r.exit_code, 0) << r.errors;
  EXPECT_EQ(r.errors, "");
  const util::IvfReader out(ivf);
  ASSERT_EQ(out.frame_count(), pictures.size());
  test::VpxDecoder libvpx;
  for (size_t i = 0; i < out.frame_count(); ++i) {
    const auto shown = libvpx.decode(out.frame(i).data);
    ASSERT_TRUE(shown.has_value());
    EXPECT_GE(util::picture_ssim(pictures[i], *shown), 0.97) << "frame " << i;
  }

  // Out of reach: coded anyway, one line per frame says so.
  r = test::run_command(enc + " -o " + test::shell_quote(ivf) + " --ssim=1 " + test::shell_quote(y4m), dir.path(),
                        true);
  EXPECT_EQ(r.exit_code, 0) << r.errors;
  EXPECT_NE(r.errors.find("frame 3: SSIM"), std::string::npos) << r.errors;
  EXPECT_NE(r.errors.find("below the target"), std::string::npos) << r.errors;

  std::remove(ivf.c_str());
  for (const std::string bad : {" -s 0.97 -y 20", " -s 1.5", " -r -s 0.97 -I x.state -p x.ivf", ""}) {
    r = test::run_command(enc + " -o " + test::shell_quote(ivf) + bad + " " + test::shell_quote(y4m), dir.path(),
                          true);
    EXPECT_NE(r.exit_code, 0) << bad;
    EXPECT_NE(r.errors, "") << bad;
    EXPECT_FALSE(test::exists(ivf)) << bad;
  }
}

}  // namespace
