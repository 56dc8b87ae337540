// Residual coding and rebasing (encoder/residual.hh) against the decoder: the encoder's
// reconstruction must be what a decoder rebuilds from its coefficients, and rebased frames must stay
// close to their source.
#include <gtest/gtest.h>

#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "libvpx_helpers.hh"
#include "test_vectors.hh"
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
  XC_REQUIRE_VECTORS();
  const auto dir = xc::test::vectors_dir();
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

// (b) Rebasing a clip's frames onto another state, with the raw pictures as the source: the key frame
// of a second, lower-rate libvpx encode of the same pictures (as when a chunk's first frame is
// re-encoded), or the clip's own key frame rebased from a perturbed picture. Each later frame keeps
// its modes and vectors and is rebased onto the state the previous rebased frame left.
TEST(EncRebase, OtherStateStaysCloseToSource) {
  const int kFrames = 10;
  const Clip clip = encode_clip(320, 240, kFrames, 600, VPX_DL_GOOD_QUALITY);
  const Clip low = encode_clip(320, 240, 1, 150, VPX_DL_GOOD_QUALITY);
  ASSERT_EQ(clip.packets.size(), size_t(kFrames));

  // The original decode: its PSNR per frame, and the parsed frames (modes and vectors to keep).
  std::vector<ParsedFrame> parsed;
  std::vector<double> original;
  DecoderState s;
  for (int i = 0; i < kFrames; ++i) {
    parsed.push_back(parse_frame(s, clip.packets[i].data));
    const DecodedFrame d = reconstruct_frame(s, parsed.back());
    original.push_back(psnr(to_image(*d.picture), clip.pictures[i]));
    s = d.state;
  }

  // Starting states: the low-rate key frame; the clip's key frame rebased from a picture with noise.
  const DecodedFrame low_key = decode_frame(DecoderState{}, low.packets[0].data);
  util::Image noisy = clip.pictures[0];
  std::mt19937 rng(kSeed);
  std::uniform_int_distribution<int> noise(-4, 4);
  for (auto* plane : {&noisy.y, &noisy.u, &noisy.v}) {
    for (auto& px : *plane) px = uint8_t(std::clamp(px + noise(rng), 0, 255));
  }
  const enc::RebasedFrame noisy_key = enc::rebase_and_reconstruct(DecoderState{}, parsed[0], noisy);
  struct Start {
    const char* name;
    DecoderState state;
  };
  for (const Start& start : {Start{"low-rate key frame", low_key.state}, Start{"noisy key frame", noisy_key.decoded.state}}) {
    DecoderState t = start.state;
    const double key_psnr = psnr(to_image(*t.refs.last), clip.pictures[0]);
    std::printf("start: %s (%.2f dB vs picture 0, original key frame %.2f dB)\n", start.name, key_psnr, original[0]);
    double sum_drop = 0;
    for (int i = 1; i < kFrames; ++i) {
      const enc::RebasedFrame r = enc::rebase_and_reconstruct(t, parsed[i], clip.pictures[i]);
      ASSERT_NO_FATAL_FAILURE(expect_decodes_to_own_reconstruction(t, r, std::string(start.name) + " frame " +
                                                                             std::to_string(i)));
      const double p = psnr(to_image(*r.decoded.picture), clip.pictures[i]);
      std::printf("  frame %d: rebased %.2f dB, original %.2f dB\n", i, p, original[i]);
      EXPECT_GT(p, original[i] - 3.0) << start.name << " frame " << i << " seed " << kSeed;
      sum_drop += original[i] - p;
      t = r.decoded.state;
    }
    std::printf("  mean drop %.2f dB\n", sum_drop / (kFrames - 1));
  }
}

// (c) The same rebase twice, and with the scalar DSP table instead of the best one, gives identical
// coefficients and pictures.
TEST(EncRebase, Deterministic) {
  const Clip clip = encode_clip(176, 144, 4, 300, VPX_DL_GOOD_QUALITY);
  const Clip low = encode_clip(176, 144, 1, 80, VPX_DL_GOOD_QUALITY);
  DecoderState s = decode_frame(DecoderState{}, low.packets[0].data).state;
  DecoderState original;
  for (size_t i = 0; i < clip.packets.size(); ++i) {
    const ParsedFrame parsed = parse_frame(original, clip.packets[i].data);
    original = reconstruct_frame(original, parsed).state;
    const enc::RebasedFrame a = enc::rebase_and_reconstruct(s, parsed, clip.pictures[i]);
    const enc::RebasedFrame b = enc::rebase_and_reconstruct(s, parsed, clip.pictures[i]);
    const enc::RebasedFrame c = enc::rebase_and_reconstruct(s, parsed, clip.pictures[i], dsp::scalar_dsp());
    EXPECT_TRUE(same_coeffs(a.frame, b.frame)) << "frame " << i;
    EXPECT_TRUE(same_coeffs(a.frame, c.frame)) << "frame " << i << " (scalar vs " << dsp::best_dsp().name << ")";
    EXPECT_TRUE(a.decoded.state == b.decoded.state && a.decoded.state == c.decoded.state) << "frame " << i;
    EXPECT_EQ(a.decoded.state.hash(), c.decoded.state.hash()) << "frame " << i;
    s = a.decoded.state;
  }
}

TEST(EncRebase, RejectsMismatchedInput) {
  const Clip clip = encode_clip(64, 48, 2, 100, VPX_DL_GOOD_QUALITY);
  const ParsedFrame key = parse_frame(DecoderState{}, clip.packets[0].data);
  const DecodedFrame d = reconstruct_frame(DecoderState{}, key);
  const ParsedFrame inter = parse_frame(d.state, clip.packets[1].data);
  EXPECT_THROW(enc::rebase_frame(DecoderState{}, inter, clip.pictures[1]), util::StateMismatch);
  EXPECT_THROW(enc::rebase_frame(d.state, inter, util::Image(64, 32)), util::UsageError);
  ParsedFrame short_frame = inter;
  short_frame.mbs.pop_back();
  EXPECT_THROW(enc::rebase_frame(d.state, short_frame, clip.pictures[1]), util::StateMismatch);
  // An inter frame needs a state of its own size.
  const Clip other = encode_clip(32, 32, 1, 100, VPX_DL_GOOD_QUALITY);
  EXPECT_THROW(enc::rebase_frame(decode_frame(DecoderState{}, other.packets[0].data).state, inter, clip.pictures[1]),
               util::StateMismatch);
}

// Mode and skip bookkeeping: a macroblock without coefficients is skipped only when the frame
// codes skip flags, and segment ids that the frame does not code follow the new state's map.
TEST(EncRebase, SkipFlagsAndSegmentIds) {
  const Clip clip = encode_clip(176, 144, 3, 300, VPX_DL_GOOD_QUALITY);
  DecoderState s;
  const ParsedFrame key = parse_frame(s, clip.packets[0].data);
  s = reconstruct_frame(s, key).state;
  ParsedFrame inter = parse_frame(s, clip.packets[1].data);
  // A zero bin of four steps leaves many macroblocks without coefficients.
  const enc::QuantizerOptions coarse{.rounding = 64, .zero_bin = 4 * 128};
  for (bool coded_skip : {true, false}) {
    ParsedFrame f = inter;
    f.header.mb_no_coeff_skip = coded_skip;
    const enc::RebasedFrame r = enc::rebase_and_reconstruct(s, f, clip.pictures[1], dsp::best_dsp(), coarse);
    ASSERT_NO_FATAL_FAILURE(expect_decodes_to_own_reconstruction(s, r, coded_skip ? "skip coded" : "skip not coded"));
    int skipped = 0, empty = 0;
    for (size_t i = 0; i < r.frame.mbs.size(); ++i) {
      skipped += r.frame.mbs[i].mb_skip_coeff;
      empty += r.frame.coeffs[i].all_eob;
    }
    std::printf("mb_no_coeff_skip %d: %d of %zu macroblocks without coefficients, %d skipped\n", coded_skip, empty,
                r.frame.mbs.size(), skipped);
    EXPECT_GT(empty, 0);
    EXPECT_EQ(skipped, coded_skip ? empty : 0);
  }
  // A state whose persistent map says segment 2 everywhere, and a frame with segmentation on but no
  // map update: the rebased frame carries the ids the decoder will use.
  DecoderState seg = s;
  seg.segmentation.map = std::make_shared<std::vector<uint8_t>>(inter.mbs.size(), 2);
  seg.segmentation.quantizer = {0, 0, 20, 0};
  ParsedFrame f = inter;
  f.header.segmentation_enabled = true;
  f.header.segmentation.update_mb_segmentation_map = false;
  f.header.segmentation.update_segment_feature_data = false;
  const enc::RebasedFrame r = enc::rebase_and_reconstruct(seg, f, clip.pictures[1]);
  for (const MacroblockInfo& mb : r.frame.mbs) ASSERT_EQ(mb.segment_id, 2);
  ASSERT_NO_FATAL_FAILURE(expect_decodes_to_own_reconstruction(seg, r, "segment map from the state"));
}

#ifdef XC_HAVE_FRAME_WRITER
// Rebased frames written to bytes decode, with this decoder and with libvpx's, to exactly the
// encoder's reconstruction.
TEST(EncRebase, WrittenFramesDecodeToReconstruction) {
  const int kFrames = 8;
  const Clip clip = encode_clip(320, 240, kFrames, 600, VPX_DL_GOOD_QUALITY);
  const Clip low = encode_clip(320, 240, 1, 150, VPX_DL_GOOD_QUALITY);
  test::VpxDecoder vpx;
  vpx.decode(low.packets[0].data);
  DecoderState t = decode_frame(DecoderState{}, low.packets[0].data).state;
  DecoderState original;
  size_t original_bytes = 0, rebased_bytes = 0;
  for (int i = 0; i < kFrames; ++i) {
    const ParsedFrame parsed = parse_frame(original, clip.packets[i].data);
    original = reconstruct_frame(original, parsed).state;
    if (i == 0) continue;  // the low-rate key frame stands in for it
    const enc::RebasedFrame r = enc::rebase_and_reconstruct(t, parsed, clip.pictures[i]);
    const std::vector<uint8_t> bytes = write_frame(t, r.frame);
    original_bytes += clip.packets[i].data.size();
    rebased_bytes += bytes.size();
    const DecodedFrame ours = decode_frame(t, bytes);
    ASSERT_TRUE(ours.picture->same_pixels(*r.decoded.picture)) << "frame " << i;
    ASSERT_TRUE(ours.state == r.decoded.state) << "frame " << i;
    const std::optional<util::Image> theirs = vpx.decode(bytes);
    ASSERT_TRUE(theirs.has_value()) << "frame " << i;
    ASSERT_EQ(test::first_difference(*theirs, to_image(*r.decoded.picture)), "") << "libvpx, frame " << i;
    t = r.decoded.state;
  }
  std::printf("frames 1-%d: %zu bytes as libvpx wrote them, %zu rebased\n", kFrames - 1, original_bytes,
              rebased_bytes);
}
#endif

}  // namespace

namespace {

// The zero bin widens by the macroblock's mode only for inter macroblocks with one vector, and only
// when the options widen it after zeros.
TEST(EncQuantizerOptions, WidenedByInterMode) {
  using vp8::enc::for_macroblock;
  const vp8::enc::QuantizerOptions base = vp8::enc::kDeadZoneQuantizer;
  ASSERT_TRUE(base.widen_after_zeros);
  vp8::MacroblockInfo mb;
  mb.ref_frame = vp8::INTRA_FRAME;
  mb.y_mode = vp8::B_PRED;
  EXPECT_EQ(for_macroblock(base, mb).zero_bin, base.zero_bin);
  mb.ref_frame = vp8::LAST_FRAME;
  mb.y_mode = vp8::ZEROMV;
  EXPECT_EQ(for_macroblock(base, mb).zero_bin, base.zero_bin + 6);
  mb.ref_frame = vp8::GOLDEN_FRAME;
  EXPECT_EQ(for_macroblock(base, mb).zero_bin, base.zero_bin + 12);
  mb.ref_frame = vp8::ALTREF_FRAME;
  EXPECT_EQ(for_macroblock(base, mb).zero_bin, base.zero_bin + 12);
  mb.y_mode = vp8::NEWMV;
  EXPECT_EQ(for_macroblock(base, mb).zero_bin, base.zero_bin + 4);
  mb.y_mode = vp8::SPLITMV;
  EXPECT_EQ(for_macroblock(base, mb).zero_bin, base.zero_bin);
  vp8::enc::QuantizerOptions plain = base;
  plain.widen_after_zeros = false;
  mb.y_mode = vp8::ZEROMV;
  EXPECT_EQ(for_macroblock(plain, mb), plain);
}

}  // namespace
