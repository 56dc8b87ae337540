// Residual coding and rebasing (encoder/residual.hh) against the decoder: the encoder's
// reconstruction must be what a decoder rebuilds from its coefficients, and rebased frames must stay
// close to their source.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "libvpx_helpers.hh"
#include "util/errors.hh"
#include "util/ivf.hh"
#include "vp8/decoder.hh"
#include "vp8/encoder/residual.hh"
#include "vp8/picture.hh"

#if __has_include("vp8/frame_writer.hh")
#include "vp8/frame_writer.hh"
#define XC_HAVE_FRAME_WRITER 1
#endif

namespace {

using namespace xc;
using namespace xc::vp8;

constexpr uint32_t kSeed = 0x5eed0e1c;

std::filesystem::path vectors_dir() {
  if (const char* env = std::getenv("XC_TEST_VECTORS"); env != nullptr && *env != '\0') return env;
  return std::filesystem::path(XC_SOURCE_DIR) / ".." / "shared" / "vp8-test-vectors";
}

// PSNR over the visible Y, U and V samples together; 99 for identical pictures.
double psnr(const util::Image& a, const util::Image& b) {
  double sse = 0;
  size_t n = 0;
  for (auto [pa, pb] : {std::pair{&a.y, &b.y}, std::pair{&a.u, &b.u}, std::pair{&a.v, &b.v}}) {
    for (size_t i = 0; i < pa->size(); ++i) {
      const double d = double((*pa)[i]) - double((*pb)[i]);
      sse += d * d;
    }
    n += pa->size();
  }
  return sse == 0 ? 99.0 : 10 * std::log10(255.0 * 255.0 * double(n) / sse);
}

bool same_coeffs(const ParsedFrame& a, const ParsedFrame& b) {
  if (a.coeffs.size() != b.coeffs.size() || !(a.mbs == b.mbs)) return false;
  for (size_t i = 0; i < a.coeffs.size(); ++i) {
    if (a.coeffs[i].coeffs != b.coeffs[i].coeffs || a.coeffs[i].token_end != b.coeffs[i].token_end ||
        a.coeffs[i].all_eob != b.coeffs[i].all_eob) {
      return false;
    }
  }
  return true;
}

// What a decoder makes of the rebased frame must be the encoder's reconstruction, and the skip flags
// must follow the frame's mb_no_coeff_skip.
void expect_decodes_to_own_reconstruction(const DecoderState& state, const enc::RebasedFrame& r,
                                          const std::string& where) {
  const DecodedFrame again = reconstruct_frame(state, r.frame);
  ASSERT_TRUE(again.picture->same_pixels(*r.decoded.picture)) << where;
  ASSERT_TRUE(again.state == r.decoded.state) << where;
  for (size_t i = 0; i < r.frame.mbs.size(); ++i) {
    const bool skip = r.frame.mbs[i].mb_skip_coeff;
    ASSERT_TRUE(!skip || r.frame.header.mb_no_coeff_skip) << where << " mb " << i;
    ASSERT_EQ(skip, r.frame.header.mb_no_coeff_skip && r.frame.coeffs[i].all_eob) << where << " mb " << i;
  }
}

// A libvpx encode of a synthetic clip: the raw pictures and the compressed frames.
struct Clip {
  std::vector<util::Image> pictures;
  std::vector<test::VpxPacket> packets;
};

Clip encode_clip(int width, int height, int frames, unsigned kbps, unsigned long deadline) {
  Clip c;
  c.pictures = test::synthetic_sequence(test::Scene::kMoving, width, height, frames, kSeed);
  test::VpxEncodeJob job;
  job.cfg = test::vpx_default_config(width, height);
  job.cfg.rc_end_usage = VPX_VBR;
  job.cfg.rc_target_bitrate = kbps;
  job.cfg.g_lag_in_frames = 0;  // no hidden alt-ref frames: one packet per picture
  job.deadline = deadline;
  job.controls = {{VP8E_SET_CPUUSED, 4}};
  c.packets = test::vpx_encode(job, c.pictures);
  return c;
}

// (a) Onto the state each frame was decoded from, with the decoded picture as the source: every
// conformance vector. The reconstruction is what a decoder rebuilds, bit for bit. The vectors are
// stress tests (quantizer 127, saturated B_PRED blocks whose clamped residual no rounding recovers,
// strong loop filters that a re-encode of a filtered picture applies twice), so the PSNR floor here is
// lower than on ordinary content (next test); the numbers are printed.
TEST(EncRebase, SameStateConformanceVectors) {
  const auto dir = vectors_dir();
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "conformance vectors not found at " << dir;
  int files = 0, frames = 0;
  double worst = 99, sum = 0;
  std::string worst_at;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".ivf") continue;
    ++files;
    const util::IvfReader ivf(entry.path().string());
    DecoderState s;
    for (size_t i = 0; i < ivf.frame_count(); ++i) {
      const std::string where = entry.path().filename().string() + " frame " + std::to_string(i);
      const ParsedFrame parsed = parse_frame(s, ivf.frame(i).data);
      const DecodedFrame decoded = reconstruct_frame(s, parsed);
      const util::Image source = to_image(*decoded.picture);
      const enc::RebasedFrame r = enc::rebase_and_reconstruct(s, parsed, source);
      ASSERT_NO_FATAL_FAILURE(expect_decodes_to_own_reconstruction(s, r, where));
      const double p = psnr(to_image(*r.decoded.picture), source);
      sum += p;
      ++frames;
      if (p < worst) {
        worst = p;
        worst_at = where;
      }
      s = decoded.state;
    }
  }
  std::printf("%d vectors, %d frames: mean PSNR %.2f dB (99 = identical), worst %.2f dB (%s)\n", files, frames,
              sum / frames, worst, worst_at.c_str());
  EXPECT_EQ(files, 61);
  EXPECT_GT(worst, 38.0);
  EXPECT_GT(sum / frames, 60.0);
}

// (a) on ordinary content: a libvpx encode of a moving synthetic clip.
TEST(EncRebase, SameStateLibvpxClip) {
  const Clip clip = encode_clip(320, 240, 12, 600, VPX_DL_GOOD_QUALITY);
  DecoderState s;
  for (size_t i = 0; i < clip.packets.size(); ++i) {
    const ParsedFrame parsed = parse_frame(s, clip.packets[i].data);
    const DecodedFrame decoded = reconstruct_frame(s, parsed);
    const util::Image source = to_image(*decoded.picture);
    const enc::RebasedFrame r = enc::rebase_and_reconstruct(s, parsed, source);
    ASSERT_NO_FATAL_FAILURE(expect_decodes_to_own_reconstruction(s, r, "frame " + std::to_string(i)));
    const double p = psnr(to_image(*r.decoded.picture), source);
    std::printf("frame %zu (q %d, filter level %d): rebased vs decoded %.2f dB\n", i, parsed.header.quant.y_ac_qi,
                parsed.header.loop_filter_level, p);
    EXPECT_GT(p, 45.0) << "frame " << i << " seed " << kSeed;
    s = decoded.state;
  }
}

}  // namespace
