// Probabilities chosen from counts (encoder/probabilities.hh, §9.10-9.11, §13.4, §16.2, §17.2): the
// writers' branch counts against an independent decode-side count, re-optimized libvpx frames and
// conformance vectors against the original pictures and sizes, and the encoder's own outputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "libvpx_helpers.hh"
#include "test_vectors.hh"
#include "util/ivf.hh"
#include "vp8/decoder.hh"
#include "vp8/encoder/frame_encoder.hh"
#include "vp8/encoder/probabilities.hh"
#include "vp8/frame_writer.hh"
#include "vp8/picture.hh"
#include "vp8/tables.hh"

namespace {

using namespace xc;
using namespace xc::vp8;
using Counts = FrameBranchCounts::Counts;

constexpr uint32_t kSeed = 0x9b0b5eed;


// ---------------------------------------------------------------------------------------------
// A decode-side count, written from the RFC without the writers: tokens from the parsed
// coefficients and token ends with their own context bookkeeping (§13.3), modes and vector deltas
// from the parsed records (§16.3, §17.2).

// Appends the (probability index, bit) pairs that lead from pair `node` to leaf `value`.
template <typename Tree>
bool tree_path(const Tree& tree, int node, int value, std::vector<std::pair<int, int>>& path) {
  for (int bit = 0; bit < 2; ++bit) {
    const int next = tree[node + bit];
    path.emplace_back(node >> 1, bit);
    if (next <= 0 ? -next == value : tree_path(tree, next, value, path)) return true;
    path.pop_back();
  }
  return false;
}

template <typename Tree, size_t N>
void count_tree(const Tree& tree, int value, int start, std::array<Counts, N>& at) {
  std::vector<std::pair<int, int>> path;
  ASSERT_TRUE(tree_path(tree, start, value, path)) << "value " << value;
  for (auto [i, bit] : path) ++at[size_t(i)][size_t(bit)];
}

int token_of(int magnitude) {
  if (magnitude <= 4) return magnitude;  // DCT_0 .. DCT_4
  int cat = 0;
  while (cat + 1 < 6 && magnitude >= kDctCatBase[cat + 1]) ++cat;
  return dct_cat1 + cat;
}

void count_block(const std::array<int16_t, 16>& coeffs, int type, int first, int end, int ctx,
                 FrameBranchCounts& n) {
  auto& table = n.coeff[size_t(type)];
  bool after_zero = false;
  for (int i = first; i < end; ++i) {
    const int v = coeffs[kZigzag[i]];
    const int m = v < 0 ? -v : v;
    count_tree(kCoeffTree, token_of(m), after_zero ? 2 : 0, table[kCoeffBands[i]][size_t(ctx)]);
    after_zero = m == 0;
    ctx = m == 0 ? 0 : m == 1 ? 1 : 2;
  }
  if (end < 16) ++table[kCoeffBands[end]][size_t(ctx)][0][0];
}

void count_mv_component(int v, std::array<Counts, kNumMvProbs>& p) {
  const int x = v < 0 ? -v : v;
  ++p[0][x >= 8];
  if (x >= 8) {
    for (int i = 0; i < 10; ++i) {
      if (i != 3 || x > 15) ++p[size_t(9 + i)][(x >> i) & 1];
    }
  } else {
    std::array<Counts, 7> tree{};
    count_tree(kSmallMvTree, x, 0, tree);
    for (size_t i = 0; i < 7; ++i)
      for (int b = 0; b < 2; ++b) p[2 + i][size_t(b)] += tree[i][size_t(b)];
  }
  if (x) ++p[1][v < 0];
}

void count_mv(const MotionVector& mv, const MotionVector& best, FrameBranchCounts& n) {
  count_mv_component((mv.row - best.row) / 2, n.mv[0]);
  count_mv_component((mv.col - best.col) / 2, n.mv[1]);
}

FrameBranchCounts decode_side_counts(const DecoderState& state, const ParsedFrame& f) {
  FrameBranchCounts n;
  const FrameHeader& h = f.header;
  const ModeContext ctx = begin_frame(state, f.tag, h).modes;
  const int cols = ctx.mb_cols, rows = ctx.mb_rows;
  const MacroblockInfo outside{};
  std::vector<std::array<uint8_t, 9>> above(static_cast<size_t>(cols));
  for (int r = 0; r < rows; ++r) {
    std::array<uint8_t, 9> left{};
    for (int c = 0; c < cols; ++c) {
      const size_t i = size_t(r) * cols + c;
      const MacroblockInfo& mb = f.mbs[i];
      if (h.mb_no_coeff_skip) ++n.skip[mb.mb_skip_coeff];
      if (!f.tag.key_frame) {
        ++n.intra[mb.ref_frame != INTRA_FRAME];
        if (mb.ref_frame == INTRA_FRAME) {
          count_tree(kYModeTree, mb.y_mode, 0, n.y_mode);
          count_tree(kUvModeTree, mb.uv_mode, 0, n.uv_mode);
        } else {
          ++n.last[mb.ref_frame != LAST_FRAME];
          if (mb.ref_frame != LAST_FRAME) ++n.gf[mb.ref_frame == ALTREF_FRAME];
          const MacroblockInfo& a = r > 0 ? f.mbs[i - size_t(cols)] : outside;
          const MacroblockInfo& l = c > 0 ? f.mbs[i - 1] : outside;
          const MacroblockInfo& al = r > 0 && c > 0 ? f.mbs[i - size_t(cols) - 1] : outside;
          const NearMvs near = find_near_mvs(a, l, al, mb.ref_frame, ctx.sign_bias,
                                             EdgeDistances::of(c, r, cols, rows));
          if (mb.y_mode == NEWMV) count_mv(mb.mv, near.best, n);
          if (mb.y_mode == SPLITMV) {
            for (int p = 0; p < kMbSplitCounts[mb.partition]; ++p) {
              int first = 0;
              while (kMbSplits[mb.partition][size_t(first)] != p) ++first;
              if (mb.b_modes[size_t(first)] == NEW4X4)
                count_mv(mb.b_mvs[size_t(first)], near.best, n);
            }
          }
        }
      }

      // Tokens (§13.3): contexts are 4 Y, 2 U, 2 V and 1 Y2 "has coefficients" flags.
      const bool has_y2 = mb.y_mode != B_PRED && mb.y_mode != SPLITMV;
      auto& ab = above[size_t(c)];
      if (mb.mb_skip_coeff) {
        for (int k = 0; k < 8; ++k) ab[size_t(k)] = left[size_t(k)] = 0;
        if (has_y2) ab[8] = left[8] = 0;
        continue;
      }
      const MacroblockCoeffs& mc = f.coeffs[i];
      auto code = [&](int b, int type, int first, uint8_t& a, uint8_t& l) {
        const int end = mc.token_end[size_t(b)];
        count_block(mc.coeffs[size_t(b)], type, first, end, a + l, n);
        a = l = end > first;
      };
      if (has_y2) code(24, kBlockY2, 0, ab[8], left[8]);
      for (int b = 0; b < 16; ++b) {
        code(b, has_y2 ? kBlockYAfterY2 : kBlockYWithDc, has_y2 ? 1 : 0, ab[size_t(b % 4)],
             left[size_t(b / 4)]);
      }
      for (int b = 0; b < 8; ++b) {
        const size_t base = b < 4 ? 4 : 6;  // U, then V
        code(16 + b, kBlockUV, 0, ab[base + size_t(b % 2)], left[base + size_t(b % 4 / 2)]);
      }
    }
  }
  return n;
}

uint64_t total(const FrameBranchCounts& n) {
  uint64_t t = 0;
  for (const auto& a : n.coeff)
    for (const auto& b : a)
      for (const auto& c : b)
        for (const Counts& d : c) t += d[0] + d[1];
  for (const auto& a : n.mv)
    for (const Counts& d : a) t += d[0] + d[1];
  for (const Counts& d : n.y_mode) t += d[0] + d[1];
  for (const Counts& d : n.uv_mode) t += d[0] + d[1];
  for (const Counts& d : {n.skip, n.intra, n.last, n.gf}) t += d[0] + d[1];
  return t;
}

// ---------------------------------------------------------------------------------------------

// `f` with every probability update removed (coefficients, MVs, intra mode sets).
ParsedFrame without_updates(ParsedFrame f) {
  f.header.coeff_prob_updates = FrameHeader::no_coeff_updates();
  f.header.mv_prob_updates = FrameHeader::no_mv_updates();
  f.header.intra_16x16_prob.reset();
  f.header.intra_chroma_prob.reset();
  return f;
}

int count_updates(const FrameHeader& h) {
  int n = 0;
  for (const auto& a : h.coeff_prob_updates)
    for (const auto& b : a)
      for (const auto& c : b)
        for (int16_t u : c) n += u >= 0;
  for (const auto& a : h.mv_prob_updates)
    for (int16_t u : a) n += u >= 0;
  return n + bool(h.intra_16x16_prob) + bool(h.intra_chroma_prob);
}

struct Totals {
  size_t original = 0, optimized = 0, no_updates = 0;
  int frames = 0, updates = 0;
  void print(const char* what) const {
    std::printf(
        "%s: %d frames, %zu bytes as given, %zu optimized (%+.2f%%), %zu without updates; %.1f "
        "updates per frame\n",
        what, frames, original, optimized,
        100.0 * (double(optimized) - double(original)) / double(original), no_updates,
        double(updates) / frames);
  }
};

// Re-optimizes one frame of a stream: `given` is the frame's bytes against `given_state` (the
// stream's own chain); the optimized frame is written against `ours` (the chain of optimized
// frames, whose references are the same but whose probabilities may differ). Checks pictures,
// counts and sizes, and advances both chains.
void reoptimize_frame(std::span<const uint8_t> given, DecoderState& given_state, DecoderState& ours,
                      Totals& t, const std::string& where, bool check_counts,
                      std::vector<uint8_t>* written = nullptr) {
  const ParsedFrame parsed = parse_frame(given_state, given);
  const DecodedFrame expected = reconstruct_frame(given_state, parsed);
  ParsedFrame f = parsed;
  enc::optimize_probabilities(ours, f);
  const std::vector<uint8_t> bytes = write_frame(ours, f);
  const std::vector<uint8_t> plain = write_frame(ours, without_updates(f));
  const DecodedFrame got = decode_frame(ours, bytes);
  ASSERT_TRUE(got.picture->same_pixels(*expected.picture)) << where;
  ASSERT_EQ(got.shown, expected.shown) << where;
  ASSERT_TRUE(got.state.refs == expected.state.refs) << where;
  ASSERT_LE(bytes.size(), plain.size()) << where << ": the updates cost more than they save";
  if (check_counts) {
    // The writer's counts against a decode-side count of the frame parsed back.
    const ParsedFrame back = parse_frame(ours, bytes);
    ASSERT_TRUE(count_frame_branches(ours, back) == decode_side_counts(ours, back)) << where;
  }
  t.original += given.size();
  t.optimized += bytes.size();
  t.no_updates += plain.size();
  t.updates += count_updates(f.header);
  ++t.frames;
  given_state = expected.state;
  ours = got.state;
  if (written) *written = bytes;
}

struct Clip {
  std::vector<util::Image> pictures;
  std::vector<test::VpxPacket> packets;
};

Clip encode_clip(test::Scene scene, int width, int height, int frames, unsigned kbps, bool alt_ref,
                 int partitions) {
  Clip c;
  c.pictures = test::synthetic_sequence(scene, width, height, frames, kSeed);
  test::VpxEncodeJob job;
  job.cfg = test::vpx_default_config(width, height);
  job.cfg.rc_end_usage = VPX_VBR;
  job.cfg.rc_target_bitrate = kbps;
  job.cfg.g_lag_in_frames = alt_ref ? 8 : 0;
  job.two_pass = alt_ref;
  job.controls = {{VP8E_SET_CPUUSED, 4},
                  {VP8E_SET_ENABLEAUTOALTREF, alt_ref ? 1 : 0},
                  {VP8E_SET_TOKEN_PARTITIONS, partitions}};
  c.packets = test::vpx_encode(job, c.pictures);
  return c;
}

// The branch counter sees what the decoder reads: on a libvpx frame, count_frame_branches equals
// the independent decode-side count, and its totals are what the frame obviously holds.
TEST(EncProbabilities, CountsMatchDecodeSideCount) {
  const Clip clip = encode_clip(test::Scene::kMoving, 176, 144, 6, 150, false, 0);
  DecoderState s;
  uint64_t mv_bools = 0, mode_bools = 0;
  for (size_t i = 0; i < clip.packets.size(); ++i) {
    const ParsedFrame f = parse_frame(s, clip.packets[i].data);
    const FrameBranchCounts n = count_frame_branches(s, f);
    ASSERT_TRUE(n == decode_side_counts(s, f)) << "frame " << i << " seed " << kSeed;
    // Every macroblock codes one skip flag, and each inter frame one intra flag per macroblock.
    ASSERT_EQ(uint64_t(n.skip[0]) + n.skip[1], f.header.mb_no_coeff_skip ? f.mbs.size() : 0)
        << "frame " << i;
    ASSERT_EQ(uint64_t(n.intra[0]) + n.intra[1], f.tag.key_frame ? 0 : f.mbs.size())
        << "frame " << i;
    ASSERT_GT(total(n), f.mbs.size()) << "frame " << i;
    for (const auto& c : n.mv)
      for (const Counts& d : c) mv_bools += d[0] + d[1];
    for (const Counts& d : n.y_mode) mode_bools += d[0] + d[1];
    s = reconstruct_frame(s, f).state;
  }
  std::printf("MV bools counted: %llu, intra y-mode bools in inter frames: %llu\n",
              (unsigned long long)mv_bools, (unsigned long long)mode_bools);
  EXPECT_GT(mv_bools, 0u);
}

// libvpx streams re-optimized frame by frame: same pictures through our decoder and libvpx's, never
// larger than without updates, and in total no larger than with libvpx's own updates.
TEST(EncProbabilities, LibvpxStreamsReoptimized) {
  struct Case {
    const char* name;
    test::Scene scene;
    int width, height, frames;
    unsigned kbps;
    bool alt_ref;
    int partitions;
  };
  const Case cases[] = {
      {"moving 320x240 600 kbps", test::Scene::kMoving, 320, 240, 12, 600, false, 0},
      {"moving 176x144 alt-ref, 4 partitions", test::Scene::kMoving, 176, 144, 16, 200, true, 2},
      {"screen 176x144 100 kbps", test::Scene::kScreen, 176, 144, 10, 100, false, 1},
      {"noise 96x64 1500 kbps", test::Scene::kNoise, 96, 64, 6, 1500, false, 0},
  };
  Totals all;
  for (const Case& c : cases) {
    const Clip clip =
        encode_clip(c.scene, c.width, c.height, c.frames, c.kbps, c.alt_ref, c.partitions);
    test::VpxDecoder original_vpx, optimized_vpx;
    DecoderState given, ours;
    Totals t;
    for (size_t i = 0; i < clip.packets.size(); ++i) {
      const std::string where =
          std::string(c.name) + " frame " + std::to_string(i) + " seed " + std::to_string(kSeed);
      std::vector<uint8_t> bytes;
      ASSERT_NO_FATAL_FAILURE(
          reoptimize_frame(clip.packets[i].data, given, ours, t, where, true, &bytes));
      const std::optional<util::Image> a = original_vpx.decode(clip.packets[i].data);
      const std::optional<util::Image> b = optimized_vpx.decode(bytes);
      ASSERT_EQ(a.has_value(), b.has_value()) << where;
      if (a) {
        ASSERT_EQ(test::first_difference(*a, *b), "") << "libvpx, " << where;
      }
    }
    t.print(c.name);
    EXPECT_LE(t.optimized, t.original) << c.name;
    EXPECT_LT(t.optimized, t.no_updates) << c.name;
    all.original += t.original;
    all.optimized += t.optimized;
    all.no_updates += t.no_updates;
    all.frames += t.frames;
    all.updates += t.updates;
  }
  all.print("all libvpx streams");
}

// Every conformance vector re-optimized (segmentation, partitions, frames without skip flags,
// golden and alt-ref with sign bias, odd sizes): same pictures, counts as the decoder reads them.
// The first 20 frames of each keep the test short; counts are compared on every other frame.
TEST(EncProbabilities, ConformanceVectorsReoptimized) {
  const size_t kFramesPerVector = 20;
  XC_REQUIRE_VECTORS();
  const auto dir = xc::test::vectors_dir();
  Totals t;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".ivf") continue;
    ++files;
    const util::IvfReader ivf(entry.path().string());
    DecoderState given, ours;
    for (size_t i = 0; i < std::min(ivf.frame_count(), kFramesPerVector); ++i) {
      const std::string where = entry.path().filename().string() + " frame " + std::to_string(i);
      ASSERT_NO_FATAL_FAILURE(
          reoptimize_frame(ivf.frame(i).data, given, ours, t, where, i % 2 == 0));
    }
  }
  t.print("conformance vectors");
  EXPECT_EQ(files, 61);
  EXPECT_LT(t.optimized, t.no_updates);
}

// The encoder's own outputs (a primary encoding from a fresh decoder, and a libvpx clip rebased
// onto another key frame) are optimized already: written, they decode with both decoders to the
// encoder's reconstruction; re-optimizing changes nothing; removing the updates only costs bytes.
TEST(EncProbabilities, EncoderOutputs) {
  const int kFrames = 5;
  const auto pictures = test::synthetic_sequence(test::Scene::kMoving, 176, 144, kFrames, kSeed);
  auto check = [](const DecoderState& state, const enc::EncodedFrame& f, test::VpxDecoder& vpx,
                  Totals& t, const std::string& where) {
    const std::vector<uint8_t> bytes = write_frame(state, f.frame);
    const std::vector<uint8_t> plain = write_frame(state, without_updates(f.frame));
    const DecodedFrame ours = decode_frame(state, bytes);
    ASSERT_TRUE(ours.picture->same_pixels(*f.decoded.picture)) << where;
    ASSERT_TRUE(ours.state == f.decoded.state) << where;
    ASSERT_TRUE(decode_frame(state, plain).picture->same_pixels(*f.decoded.picture)) << where;
    const std::optional<util::Image> theirs = vpx.decode(bytes);
    ASSERT_TRUE(theirs.has_value()) << where;
    ASSERT_EQ(test::first_difference(*theirs, to_image(*f.decoded.picture)), "")
        << "libvpx, " << where;
    ParsedFrame again = f.frame;
    enc::optimize_probabilities(state, again);
    ASSERT_TRUE(again.header == f.frame.header) << where << ": optimizing is not idempotent";
    ASSERT_LE(bytes.size(), plain.size()) << where;
    t.optimized += bytes.size();
    t.no_updates += plain.size();
    t.original += plain.size();
    t.updates += count_updates(f.frame.header);
    ++t.frames;
  };

  Totals primary;
  test::VpxDecoder vpx;
  DecoderState s;
  for (int i = 0; i < kFrames; ++i) {
    enc::FreshFrameParams p;
    p.qindex = 40;
    p.key_frame = i == 0;
    const enc::EncodedFrame f = enc::encode_fresh_frame(s, pictures[size_t(i)], p);
    ASSERT_NO_FATAL_FAILURE(check(s, f, vpx, primary, "primary frame " + std::to_string(i)));
    s = f.decoded.state;
  }
  primary.print("primary encoding (as given = without updates)");
  EXPECT_LT(primary.optimized, primary.no_updates);

  // Rebased: the clip's frames onto a low-rate key frame of the same pictures.
  const Clip clip = encode_clip(test::Scene::kMoving, 176, 144, kFrames, 300, false, 0);
  const Clip low = encode_clip(test::Scene::kMoving, 176, 144, 1, 60, false, 0);
  test::VpxDecoder rebased_vpx;
  rebased_vpx.decode(low.packets[0].data);
  DecoderState t = decode_frame(DecoderState{}, low.packets[0].data).state;
  DecoderState original;
  Totals rebased;
  for (int i = 0; i < kFrames; ++i) {
    const ParsedFrame parsed = parse_frame(original, clip.packets[size_t(i)].data);
    original = reconstruct_frame(original, parsed).state;
    if (i == 0) continue;
    const enc::EncodedFrame f = enc::rebase_frame_fully(t, parsed, pictures[size_t(i)]);
    ASSERT_NO_FATAL_FAILURE(
        check(t, f, rebased_vpx, rebased, "rebased frame " + std::to_string(i)));
    t = f.decoded.state;
  }
  rebased.print("rebased frames (as given = without updates)");
  EXPECT_LT(rebased.optimized, rebased.no_updates);
}

// The skip decision: a frame whose macroblocks all lack coefficients codes skip flags and no
// coefficient updates; one where every macroblock has coefficients codes no skip flags.
TEST(EncProbabilities, SkipCoding) {
  const Clip clip = encode_clip(test::Scene::kNoise, 96, 64, 2, 2000, false, 0);
  DecoderState s = decode_frame(DecoderState{}, clip.packets[0].data).state;
  const ParsedFrame inter = parse_frame(s, clip.packets[1].data);

  ParsedFrame empty = inter;
  empty.header.mb_no_coeff_skip = false;
  for (size_t i = 0; i < empty.mbs.size(); ++i) {
    // Every block coded as an immediate end of block, at its first coefficient.
    empty.mbs[i].mb_skip_coeff = false;
    empty.coeffs[i] = MacroblockCoeffs{};
    if (empty.mbs[i].has_y2())
      std::fill(empty.coeffs[i].token_end.begin(), empty.coeffs[i].token_end.begin() + 16, 1);
  }
  ASSERT_NO_THROW(write_frame(s, empty));
  enc::optimize_probabilities(s, empty);
  EXPECT_TRUE(empty.header.mb_no_coeff_skip);
  EXPECT_TRUE(empty.header.coeff_prob_updates == FrameHeader::no_coeff_updates());
  for (const auto& mb : empty.mbs) ASSERT_TRUE(mb.mb_skip_coeff);

  ParsedFrame full = inter;
  size_t with_coeffs = 0;
  for (const auto& c : full.coeffs) with_coeffs += !c.all_eob;
  ASSERT_EQ(with_coeffs, full.coeffs.size())
      << "noise at a high rate should leave no macroblock empty";
  full.header.mb_no_coeff_skip = true;
  enc::optimize_probabilities(s, full);
  EXPECT_FALSE(full.header.mb_no_coeff_skip);
  EXPECT_EQ(full.header.prob_skip_false, 0);
  const std::vector<uint8_t> bytes = write_frame(s, full);
  EXPECT_TRUE(parse_frame(s, bytes).header == full.header);
}

}  // namespace
