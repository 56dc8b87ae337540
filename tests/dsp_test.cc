// Tests the DSP kernels (RFC 6386 §12, §14, §15, §18): every SIMD table against the scalar one on
// random and shaped inputs (checkasm style), and the scalar kernels against worked RFC examples.
#include "vp8/dsp/dsp.hh"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "util/errors.hh"

namespace xc::vp8::dsp {
namespace {

// ---------------------------------------------------------------------------------------------
// Helpers.

class Rng {
 public:
  explicit Rng(uint32_t seed) : gen_(seed) {}
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen_); }
  uint8_t pixel() { return static_cast<uint8_t>(uniform(0, 255)); }

 private:
  std::mt19937 gen_;
};

// Pixel content used by every family: random noise plus the extremes checkasm insists on.
enum class Pattern { kRandom, kZero, kMax, kAlternating, kStripes, kNearFlat };
constexpr Pattern kPatterns[] = {Pattern::kRandom,      Pattern::kZero,    Pattern::kMax,
                                 Pattern::kAlternating, Pattern::kStripes, Pattern::kNearFlat};

const char* pattern_name(Pattern p) {
  switch (p) {
    case Pattern::kRandom:
      return "random";
    case Pattern::kZero:
      return "zero";
    case Pattern::kMax:
      return "max";
    case Pattern::kAlternating:
      return "alternating";
    case Pattern::kStripes:
      return "stripes";
    case Pattern::kNearFlat:
      return "near-flat";
  }
  return "?";
}

// Fills a w x h area (row stride `stride`) with the pattern; the shaped patterns take a random
// phase or base level so that repeated calls differ.
void fill(uint8_t* p, int stride, int w, int h, Pattern pattern, Rng& rng) {
  const int base = rng.uniform(0, 255);
  const int phase = rng.uniform(0, 1);
  for (int r = 0; r < h; ++r) {
    for (int c = 0; c < w; ++c) {
      uint8_t v = 0;
      switch (pattern) {
        case Pattern::kRandom:
          v = rng.pixel();
          break;
        case Pattern::kZero:
          v = 0;
          break;
        case Pattern::kMax:
          v = 255;
          break;
        case Pattern::kAlternating:
          v = ((r + c + phase) & 1) ? 255 : 0;
          break;
        // Saturated 0/255 runs of random length in both directions, the worst case for the
        // six-tap's positive taps.
        case Pattern::kStripes:
          v = ((c / (1 + (r + phase) % 3)) & 1) ? 255 : 0;
          break;
        case Pattern::kNearFlat:
          v = static_cast<uint8_t>(std::clamp(base + rng.uniform(-3, 3), 0, 255));
          break;
      }
      p[r * stride + c] = v;
    }
  }
}

std::vector<uint8_t> pixels(int size, Pattern pattern, Rng& rng) {
  std::vector<uint8_t> v(size);
  fill(v.data(), size, size, 1, pattern, rng);
  return v;
}

// Reports the first differing pixel of two buffers laid out with `stride`.
::testing::AssertionResult same_pixels(const std::vector<uint8_t>& expected,
                                       const std::vector<uint8_t>& actual, int stride) {
  for (size_t i = 0; i < expected.size(); ++i) {
    if (expected[i] != actual[i]) {
      return ::testing::AssertionFailure()
             << "first difference at row " << i / stride << " column " << i % stride
             << ": expected " << int{expected[i]} << ", got " << int{actual[i]};
    }
  }
  return ::testing::AssertionSuccess();
}

std::string seed_note(uint32_t seed) { return "seed " + std::to_string(seed); }

// ---------------------------------------------------------------------------------------------
// Table and selection checks.

const Isa kAllIsas[] = {Isa::kScalar, Isa::kSse2, Isa::kSsse3, Isa::kAvx2};

void expect_complete(const Dsp& d) {
  SCOPED_TRACE(d.name);
  for (auto f : d.pred16) EXPECT_NE(f, nullptr);
  for (auto f : d.pred8) EXPECT_NE(f, nullptr);
  for (auto f : d.pred4) EXPECT_NE(f, nullptr);
  EXPECT_NE(d.idct_add, nullptr);
  EXPECT_NE(d.idct_dc_add, nullptr);
  EXPECT_NE(d.idct_dc_add_row, nullptr);
  EXPECT_NE(d.iwht, nullptr);
  for (auto f : d.sixtap) EXPECT_NE(f, nullptr);
  for (auto f : d.bilinear) EXPECT_NE(f, nullptr);
  EXPECT_NE(d.mb_filter_hedge, nullptr);
  EXPECT_NE(d.mb_filter_vedge, nullptr);
  EXPECT_NE(d.inner_filter_hedge, nullptr);
  EXPECT_NE(d.inner_filter_vedge, nullptr);
  EXPECT_NE(d.simple_filter_hedge, nullptr);
  EXPECT_NE(d.simple_filter_vedge, nullptr);
  EXPECT_NE(d.mb_filter_hedge_uv, nullptr);
  EXPECT_NE(d.mb_filter_vedge_uv, nullptr);
  EXPECT_NE(d.inner_filter_hedge_uv, nullptr);
  EXPECT_NE(d.inner_filter_vedge_uv, nullptr);
  EXPECT_NE(d.inner_filter_vedges, nullptr);
  EXPECT_NE(d.inner_filter_hedges, nullptr);
  EXPECT_NE(d.mb_filter_vedge_yuv, nullptr);
  EXPECT_NE(d.mb_filter_hedge_yuv, nullptr);
  for (auto f : d.sad) EXPECT_NE(f, nullptr);
  for (auto f : d.sse) EXPECT_NE(f, nullptr);
  EXPECT_NE(d.sse_area, nullptr);
  EXPECT_NE(d.fdct, nullptr);
  EXPECT_NE(d.quantize, nullptr);
  EXPECT_NE(d.name, nullptr);
}

// Sets an environment variable for the lifetime of the object, restoring the old value after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    had_old_ = getenv(name) != nullptr;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (had_old_) {
      setenv(name_, old_.c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::string old_;
  bool had_old_ = false;
};

TEST(DspSelection, TablesAreComplete) {
  for (Isa isa : kAllIsas) {
    if (const Dsp* d = dsp_for(isa)) expect_complete(*d);
  }
  EXPECT_EQ(dsp_for(Isa::kScalar), &scalar_dsp());
  EXPECT_STREQ(scalar_dsp().name, "c");
  for (Isa isa : kAllIsas) {
    if (isa > cpu_isa()) {
      EXPECT_EQ(dsp_for(isa), nullptr);
    }
  }
}

TEST(DspSelection, BestHonoursCapAndEnvironment) {
  {
    ScopedEnv env("XC_DSP_ISA", "");
    EXPECT_EQ(&best_dsp(Isa::kScalar), &scalar_dsp());
    // The best table is the highest level that exists.
    const Dsp* expected = &scalar_dsp();
    for (Isa isa : kAllIsas) {
      if (const Dsp* d = dsp_for(isa)) expected = d;
    }
    EXPECT_EQ(&best_dsp(), expected);
  }
  {
    ScopedEnv env("XC_DSP_ISA", "c");
    EXPECT_EQ(&best_dsp(), &scalar_dsp());
  }
  {
    ScopedEnv env("XC_DSP_ISA", "sse2");
    const Dsp* sse2 = dsp_for(Isa::kSse2);
    EXPECT_EQ(&best_dsp(), sse2 ? sse2 : &scalar_dsp());
  }
  {
    ScopedEnv env("XC_DSP_ISA", "neon");
    try {
      best_dsp();
      ADD_FAILURE() << "an unknown XC_DSP_ISA was accepted";
    } catch (const util::UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("XC_DSP_ISA"), std::string::npos) << e.what();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Every SIMD table against the scalar one. Parameterised by ISA; levels the CPU or the build
// lacks are skipped.

class DspVsScalar : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    table_ = dsp_for(GetParam());
    if (table_ == nullptr) GTEST_SKIP() << "instruction set not available on this CPU or build";
  }
  const Dsp& ref() const { return scalar_dsp(); }
  const Dsp& simd() const { return *table_; }

 private:
  const Dsp* table_ = nullptr;
};

// --- Intra prediction.

// Runs one predictor of each table on the same edges into a destination with a margin around
// the block, and compares the whole destination (a kernel writing outside its block shows up).
template <typename Fn>
void check_pred(Fn ref, Fn simd, int n, const uint8_t* above, const uint8_t* left, Rng& rng) {
  constexpr int kStride = 40;
  std::vector<uint8_t> expected(kStride * 24);
  fill(expected.data(), kStride, kStride, 24, Pattern::kRandom, rng);
  std::vector<uint8_t> actual = expected;
  ref(expected.data() + 4 * kStride + 3, kStride, above, left);
  simd(actual.data() + 4 * kStride + 3, kStride, above, left);
  EXPECT_TRUE(same_pixels(expected, actual, kStride)) << "block size " << n;
}

TEST_P(DspVsScalar, IntraPrediction) {
  constexpr uint32_t kSeed = 0x1e7a;
  SCOPED_TRACE(seed_note(kSeed));
  Rng rng(kSeed);
  for (Pattern pattern : kPatterns) {
    for (int iter = 0; iter < 20; ++iter) {
      SCOPED_TRACE(std::string(pattern_name(pattern)) + " iteration " + std::to_string(iter));
      // above_buf[0] is the corner (above[-1]); 16 above pixels plus 4 above-right for pred4.
      const std::vector<uint8_t> above_buf = pixels(1 + 20, pattern, rng);
      const std::vector<uint8_t> left = pixels(16, pattern, rng);
      const uint8_t* above = above_buf.data() + 1;
      for (int i = 0; i < kNumPredIndices; ++i) {
        SCOPED_TRACE("prediction index " + std::to_string(i));
        check_pred(ref().pred16[i], simd().pred16[i], 16, above, left.data(), rng);
        check_pred(ref().pred8[i], simd().pred8[i], 8, above, left.data(), rng);
      }
      for (int mode = 0; mode < 10; ++mode) {
        SCOPED_TRACE("subblock mode " + std::to_string(mode));
        check_pred(ref().pred4[mode], simd().pred4[mode], 4, above, left.data(), rng);
      }
    }
  }
  // TM's sum left + above - corner at both ends of its range (-255 and 510) and across the clamps,
  // and DC sums of all 255 (the largest), with the corner set apart from the rest.
  for (int corner : {0, 255}) {
    for (int above_value : {0, 255}) {
      for (int left_value : {0, 255}) {
        SCOPED_TRACE("corner " + std::to_string(corner) + ", above " + std::to_string(above_value) + ", left " +
                     std::to_string(left_value));
        std::vector<uint8_t> above_buf(1 + 20, uint8_t(above_value));
        above_buf[0] = uint8_t(corner);
        const std::vector<uint8_t> left(16, uint8_t(left_value));
        const uint8_t* above = above_buf.data() + 1;
        for (int i = 0; i < kNumPredIndices; ++i) {
          check_pred(ref().pred16[i], simd().pred16[i], 16, above, left.data(), rng);
          check_pred(ref().pred8[i], simd().pred8[i], 8, above, left.data(), rng);
        }
        for (int mode = 0; mode < 10; ++mode) check_pred(ref().pred4[mode], simd().pred4[mode], 4, above, left.data(), rng);
      }
    }
  }
}

// --- Inverse transforms.

// Coefficient blocks: realistic (magnitudes falling off with frequency, mostly zeros at high
// frequencies), the full int16 range, and the extremes.
std::vector<std::array<int16_t, 16>> coefficient_blocks(Rng& rng) {
  std::vector<std::array<int16_t, 16>> blocks;
  for (int i = 0; i < 300; ++i) {
    std::array<int16_t, 16> b{};
    for (int k = 0; k < 16; ++k) {
      const int range = 2048 >> (k / 3);
      b[k] = static_cast<int16_t>(rng.uniform(0, 2) == 0 ? 0 : rng.uniform(-range, range));
    }
    blocks.push_back(b);
  }
  for (int i = 0; i < 300; ++i) {
    std::array<int16_t, 16> b{};
    for (auto& c : b) c = static_cast<int16_t>(rng.uniform(-32768, 32767));
    blocks.push_back(b);
  }
  for (int16_t v : {int16_t{32767}, int16_t{-32768}}) {
    std::array<int16_t, 16> b{};
    b.fill(v);
    blocks.push_back(b);
    for (int k = 0; k < 16; ++k) b[k] = static_cast<int16_t>((k & 1) ? v : -v - 1);
    blocks.push_back(b);
  }
  return blocks;
}

TEST_P(DspVsScalar, InverseTransforms) {
  constexpr uint32_t kSeed = 0x1dc7;
  SCOPED_TRACE(seed_note(kSeed));
  Rng rng(kSeed);
  constexpr int kStride = 9;  // odd, so the destination rows are unaligned
  const auto blocks = coefficient_blocks(rng);
  for (size_t i = 0; i < blocks.size(); ++i) {
    SCOPED_TRACE("block " + std::to_string(i));
    for (Pattern pattern : kPatterns) {
      std::vector<uint8_t> expected(kStride * 6);
      fill(expected.data(), kStride, kStride, 6, pattern, rng);
      std::vector<uint8_t> actual = expected;
      const auto coeffs = blocks[i];
      ref().idct_add(coeffs.data(), expected.data() + kStride + 1, kStride);
      simd().idct_add(coeffs.data(), actual.data() + kStride + 1, kStride);
      ASSERT_TRUE(same_pixels(expected, actual, kStride)) << "idct_add, " << pattern_name(pattern);
      EXPECT_EQ(coeffs, blocks[i]) << "idct_add modified its input";

      ref().idct_dc_add(coeffs[0], expected.data() + kStride + 1, kStride);
      simd().idct_dc_add(coeffs[0], actual.data() + kStride + 1, kStride);
      ASSERT_TRUE(same_pixels(expected, actual, kStride))
          << "idct_dc_add, " << pattern_name(pattern);
    }
    // Four blocks in a row, DCs from this block and the next three, against the single-block kernel.
    for (Pattern pattern : kPatterns) {
      constexpr int kRowStride = 19;
      std::vector<uint8_t> expected(kRowStride * 6);
      fill(expected.data(), kRowStride, kRowStride, 6, pattern, rng);
      std::vector<uint8_t> single = expected, actual = expected;
      const int16_t dc[4] = {blocks[i][0], blocks[(i + 1) % blocks.size()][0], blocks[(i + 2) % blocks.size()][0],
                             blocks[(i + 3) % blocks.size()][0]};
      for (int b = 0; b < 4; ++b) ref().idct_dc_add(dc[b], single.data() + kRowStride + 1 + 4 * b, kRowStride);
      ref().idct_dc_add_row(dc, expected.data() + kRowStride + 1, kRowStride);
      simd().idct_dc_add_row(dc, actual.data() + kRowStride + 1, kRowStride);
      ASSERT_TRUE(same_pixels(single, expected, kRowStride)) << "scalar idct_dc_add_row, " << pattern_name(pattern);
      ASSERT_TRUE(same_pixels(single, actual, kRowStride)) << "idct_dc_add_row, " << pattern_name(pattern);
    }
    std::array<int16_t, 256> expected{}, actual{};
    ref().iwht(blocks[i].data(), expected.data());
    simd().iwht(blocks[i].data(), actual.data());
    ASSERT_EQ(expected, actual) << "iwht";
  }
}

// --- Inter prediction.

// The source area a kernel may read (dsp.hh): rows -2..h+2 and columns -2..w+2 for a non-zero
// six-tap fraction, rows/columns 0..h and 0..w for a non-zero bilinear one, the block itself for
// a zero fraction. Tests copy it into a buffer of exactly that size so that a sanitizer build
// catches any read past it.
struct Window {
  int before_x, before_y, width, height;
};

Window read_window(bool sixtap, int w, int h, int mx, int my) {
  const int before = sixtap ? 2 : 0;
  const int after = sixtap ? 3 : 1;
  Window win{0, 0, w, h};
  if (mx) win = {before, 0, w + before + after, h};
  if (my) {
    win.before_y = before;
    win.height = h + before + after;
  }
  return win;
}

struct InterCase {
  bool sixtap;
  int size;
  int mx, my;
};

std::string describe(const InterCase& c) {
  return std::string(c.sixtap ? "sixtap " : "bilinear ") + std::to_string(kBlockWidth[c.size]) +
         "x" + std::to_string(kBlockHeight[c.size]) + " mx " + std::to_string(c.mx) + " my " +
         std::to_string(c.my);
}

InterPredFn inter_fn(const Dsp& d, const InterCase& c) {
  return c.sixtap ? d.sixtap[c.size] : d.bilinear[c.size];
}

// Predicts from `window` (exactly sized) into a 24x20 destination at an odd offset.
std::vector<uint8_t> predict(InterPredFn fn, const InterCase& c, const std::vector<uint8_t>& window,
                             const Window& win, const std::vector<uint8_t>& dst_init) {
  std::vector<uint8_t> dst = dst_init;
  fn(dst.data() + 24 * 1 + 3, 24, window.data() + win.before_y * win.width + win.before_x,
     win.width, c.mx, c.my);
  return dst;
}

TEST_P(DspVsScalar, InterPrediction) {
  constexpr uint32_t kSeed = 0x5e18;
  SCOPED_TRACE(seed_note(kSeed));
  Rng rng(kSeed);
  for (bool sixtap : {true, false}) {
    for (int size = 0; size < kNumBlockSizes; ++size) {
      for (int mx = 0; mx < 8; ++mx) {
        for (int my = 0; my < 8; ++my) {
          const InterCase c{sixtap, size, mx, my};
          SCOPED_TRACE(describe(c));
          const Window win = read_window(sixtap, kBlockWidth[size], kBlockHeight[size], mx, my);
          for (Pattern pattern : kPatterns) {
            for (int iter = 0; iter < 3; ++iter) {
              std::vector<uint8_t> window(win.width * win.height);
              fill(window.data(), win.width, win.width, win.height, pattern, rng);
              std::vector<uint8_t> dst(24 * 20);
              fill(dst.data(), 24, 24, 20, Pattern::kRandom, rng);
              const auto expected = predict(inter_fn(ref(), c), c, window, win, dst);
              const auto actual = predict(inter_fn(simd(), c), c, window, win, dst);
              ASSERT_TRUE(same_pixels(expected, actual, 24)) << pattern_name(pattern);
            }
          }
        }
      }
    }
  }
}

// --- Loop filters.

// One loop-filter entry of the table: a normal or a simple filter, and the edge direction.
struct FilterKind {
  const char* name;
  NormalFilterFn Dsp::*normal;
  SimpleFilterFn Dsp::*simple;
  bool horizontal;
};
constexpr FilterKind kMbH{"mb_filter_hedge", &Dsp::mb_filter_hedge, nullptr, true};
constexpr FilterKind kMbV{"mb_filter_vedge", &Dsp::mb_filter_vedge, nullptr, false};
constexpr FilterKind kInnerH{"inner_filter_hedge", &Dsp::inner_filter_hedge, nullptr, true};
constexpr FilterKind kInnerV{"inner_filter_vedge", &Dsp::inner_filter_vedge, nullptr, false};
constexpr FilterKind kSimpleH{"simple_filter_hedge", nullptr, &Dsp::simple_filter_hedge, true};
constexpr FilterKind kSimpleV{"simple_filter_vedge", nullptr, &Dsp::simple_filter_vedge, false};
constexpr FilterKind kFilterKinds[] = {kMbH, kMbV, kInnerH, kInnerV, kSimpleH, kSimpleV};

struct FilterLimits {
  int edge, interior, hev;
};

void run_filter(const Dsp& d, const FilterKind& k, uint8_t* p, int stride, const FilterLimits& l,
                int count) {
  if (k.normal != nullptr) {
    (d.*k.normal)(p, stride, l.edge, l.interior, l.hev, count);
  } else {
    (d.*k.simple)(p, stride, l.edge, count);
  }
}

// The largest legal limits (§15.4): edge ((63 + 2) * 2 + 63), interior 63, hev threshold 3.
constexpr int kMaxEdgeLimit = (63 + 2) * 2 + 63;

FilterLimits random_limits(Rng& rng) {
  return {rng.uniform(0, kMaxEdgeLimit), rng.uniform(1, 63), rng.uniform(0, 3)};
}

// A segment p3..q3 shaped to take a chosen path through the filter: smooth sides with a step at
// the edge (filtered, with or without high edge variance), noise (mostly unfiltered), or a
// pattern of saturated values.
void shape_segment(uint8_t seg[8], Pattern pattern, Rng& rng) {
  if (pattern != Pattern::kNearFlat && pattern != Pattern::kRandom) {
    for (int i = 0; i < 8; ++i) {
      seg[i] = pattern == Pattern::kZero  ? 0
               : pattern == Pattern::kMax ? 255
                                          : (((i + rng.uniform(0, 1)) & 1) ? 255 : 0);
    }
    return;
  }
  if (pattern == Pattern::kRandom && rng.uniform(0, 3) == 0) {
    for (int i = 0; i < 8; ++i) seg[i] = rng.pixel();
    return;
  }
  const int base = rng.uniform(0, 255);
  const int step = rng.uniform(-40, 40);
  const int noise = rng.uniform(0, 6);
  for (int i = 0; i < 8; ++i) {
    const int side = i < 4 ? 0 : step;
    seg[i] = static_cast<uint8_t>(std::clamp(base + side + rng.uniform(-noise, noise), 0, 255));
  }
  // Sometimes a large inner jump, which raises hev without necessarily disabling the filter.
  if (rng.uniform(0, 3) == 0) {
    const int j = rng.uniform(0, 1) ? 2 : 5;
    seg[j] = static_cast<uint8_t>(std::clamp(seg[j] + rng.uniform(-8, 8), 0, 255));
  }
}

// An area of random pixels with a guard of kEdgeGuard around `count` shaped segments (shape_segment)
// that cross an edge after four pixels: down the columns of a horizontal edge, along the rows of a
// vertical one. `width` is the area's stride. With `vary`, a segment is sometimes random instead.
constexpr int kEdgeGuard = 3;

std::vector<uint8_t> edge_area(int width, int height, int count, bool horizontal, Pattern pattern, Rng& rng,
                               bool vary = false) {
  std::vector<uint8_t> buf(width * height);
  fill(buf.data(), width, width, height, Pattern::kRandom, rng);
  for (int i = 0; i < count; ++i) {
    uint8_t seg[8];
    shape_segment(seg, !vary || rng.uniform(0, 1) ? pattern : Pattern::kRandom, rng);
    for (int k = 0; k < 8; ++k) {
      const int r = kEdgeGuard + (horizontal ? k : i);
      const int c = kEdgeGuard + (horizontal ? i : k);
      buf[r * width + c] = seg[k];
    }
  }
  return buf;
}

// The offset of the edge's first q0 pixel in an edge_area.
int edge_q0(int width, bool horizontal) {
  return horizontal ? (kEdgeGuard + 4) * width + kEdgeGuard : kEdgeGuard * width + kEdgeGuard + 4;
}

TEST_P(DspVsScalar, LoopFilters) {
  constexpr uint32_t kSeed = 0x100f;
  SCOPED_TRACE(seed_note(kSeed));
  Rng rng(kSeed);
  for (const FilterKind& kind : kFilterKinds) {
    // 16 for luma and 8 for chroma edges; 24 and the counts that are not multiples of 8 (which
    // dsp.hh does not promise to callers) check that SIMD kernels split any count correctly.
    for (int count : {8, 16, 24, 4, 12}) {
      SCOPED_TRACE(std::string(kind.name) + " count " + std::to_string(count));
      const bool horizontal = kind.horizontal;
      // The segments run down the columns of a horizontal edge and along the rows of a vertical
      // one.
      const int width = (horizontal ? count : 8) + 2 * kEdgeGuard;
      const int height = (horizontal ? 8 : count) + 2 * kEdgeGuard;
      int changed = 0, total = 0;  // the shapes must make the filter act, or nothing is compared
      for (Pattern pattern : kPatterns) {
        for (int iter = 0; iter < 60; ++iter) {
          const std::vector<uint8_t> buf = edge_area(width, height, count, horizontal, pattern, rng);
          const FilterLimits limits = random_limits(rng);
          const int q0 = edge_q0(width, horizontal);
          std::vector<uint8_t> expected = buf, actual = buf;
          run_filter(ref(), kind, expected.data() + q0, width, limits, count);
          run_filter(simd(), kind, actual.data() + q0, width, limits, count);
          if (expected != buf) ++changed;
          ++total;
          ASSERT_TRUE(same_pixels(expected, actual, width))
              << pattern_name(pattern) << " iteration " << iter << " edge " << limits.edge
              << " interior " << limits.interior << " hev " << limits.hev;
        }
      }
      EXPECT_GT(changed, total / 4);
    }
  }
}

// Both chroma planes at once: each table's pair kernel against the scalar single-plane kernel of the
// same kind run on U and then on V (the pair kernels' definition), with U and V in separate buffers.
TEST_P(DspVsScalar, ChromaPairLoopFilters) {
  constexpr uint32_t kSeed = 0x2f0c;
  SCOPED_TRACE(seed_note(kSeed));
  Rng rng(kSeed);
  struct PairKind {
    const char* name;
    ChromaFilterFn Dsp::*pair;
    NormalFilterFn Dsp::*single;
    bool horizontal;
  };
  const PairKind kinds[] = {{"mb_filter_hedge_uv", &Dsp::mb_filter_hedge_uv, &Dsp::mb_filter_hedge, true},
                            {"mb_filter_vedge_uv", &Dsp::mb_filter_vedge_uv, &Dsp::mb_filter_vedge, false},
                            {"inner_filter_hedge_uv", &Dsp::inner_filter_hedge_uv, &Dsp::inner_filter_hedge, true},
                            {"inner_filter_vedge_uv", &Dsp::inner_filter_vedge_uv, &Dsp::inner_filter_vedge, false}};
  for (const PairKind& kind : kinds) {
    SCOPED_TRACE(kind.name);
    const bool horizontal = kind.horizontal;
    const int width = 8 + 2 * kEdgeGuard, height = 8 + 2 * kEdgeGuard;
    int changed = 0, total = 0;
    for (Pattern pattern : kPatterns) {
      for (int iter = 0; iter < 60; ++iter) {
        // Segments vary within and between the planes, so that the two halves take different paths.
        const std::vector<uint8_t> planes[2] = {edge_area(width, height, 8, horizontal, pattern, rng, true),
                                                edge_area(width, height, 8, horizontal, pattern, rng, true)};
        const FilterLimits l = random_limits(rng);
        const int q0 = edge_q0(width, horizontal);
        std::vector<uint8_t> expected[2] = {planes[0], planes[1]};
        std::vector<uint8_t> actual[2] = {planes[0], planes[1]};
        for (auto& e : expected) (ref().*kind.single)(e.data() + q0, width, l.edge, l.interior, l.hev, 8);
        (simd().*kind.pair)(actual[0].data() + q0, actual[1].data() + q0, width, l.edge, l.interior, l.hev);
        for (int p = 0; p < 2; ++p) {
          if (expected[p] != planes[p]) ++changed;
          ++total;
          ASSERT_TRUE(same_pixels(expected[p], actual[p], width))
              << (p == 0 ? "U" : "V") << " " << pattern_name(pattern) << " iteration " << iter << " edge "
              << l.edge << " interior " << l.interior << " hev " << l.hev;
        }
      }
    }
    EXPECT_GT(changed, total / 4);
  }
}

// A macroblock edge of the three planes in one call: each table's kernel, and the scalar one,
// against the scalar single-plane luma kernel (16 segments) and the scalar U and V kernels (8 each)
// run one after the other (the definition), with the planes in separate buffers and the chroma
// stride unlike the luma one.
TEST_P(DspVsScalar, MacroblockEdgeOfThreePlanes) {
  constexpr uint32_t kSeed = 0x4b1e;
  SCOPED_TRACE(seed_note(kSeed));
  Rng rng(kSeed);
  for (const bool horizontal : {false, true}) {
    SCOPED_TRACE(horizontal ? "mb_filter_hedge_yuv" : "mb_filter_vedge_yuv");
    const int y_width = (horizontal ? 16 : 8) + 2 * kEdgeGuard, y_height = (horizontal ? 8 : 16) + 2 * kEdgeGuard;
    const int uv_width = 8 + 2 * kEdgeGuard + 5, uv_height = 8 + 2 * kEdgeGuard;
    const MbEdgeYuvFn Dsp::*kernel = horizontal ? &Dsp::mb_filter_hedge_yuv : &Dsp::mb_filter_vedge_yuv;
    int changed = 0, total = 0;
    for (Pattern pattern : kPatterns) {
      for (int iter = 0; iter < 60; ++iter) {
        // Segments vary within and between the planes, so that lanes take different paths.
        const std::vector<uint8_t> planes[3] = {
            edge_area(y_width, y_height, 16, horizontal, pattern, rng, true),
            edge_area(uv_width, uv_height, 8, horizontal, pattern, rng, true),
            edge_area(uv_width, uv_height, 8, horizontal, pattern, rng, true)};
        const FilterLimits l = random_limits(rng);
        const int y_q0 = edge_q0(y_width, horizontal), uv_q0 = edge_q0(uv_width, horizontal);
        std::vector<uint8_t> expected[3] = {planes[0], planes[1], planes[2]};
        (ref().*(horizontal ? &Dsp::mb_filter_hedge : &Dsp::mb_filter_vedge))(expected[0].data() + y_q0, y_width, l.edge,
                                                                              l.interior, l.hev, 16);
        for (int p = 1; p < 3; ++p) {
          (ref().*(horizontal ? &Dsp::mb_filter_hedge : &Dsp::mb_filter_vedge))(expected[p].data() + uv_q0, uv_width,
                                                                                l.edge, l.interior, l.hev, 8);
        }
        for (const Dsp* table : {&ref(), &simd()}) {
          std::vector<uint8_t> actual[3] = {planes[0], planes[1], planes[2]};
          (table->*kernel)(actual[0].data() + y_q0, y_width, actual[1].data() + uv_q0, actual[2].data() + uv_q0,
                           uv_width, l.edge, l.interior, l.hev);
          for (int p = 0; p < 3; ++p) {
            ASSERT_TRUE(same_pixels(expected[p], actual[p], p == 0 ? y_width : uv_width))
                << table->name << " plane " << p << " " << pattern_name(pattern) << " iteration " << iter << " edge "
                << l.edge << " interior " << l.interior << " hev " << l.hev;
          }
        }
        for (int p = 0; p < 3; ++p) {
          if (expected[p] != planes[p]) ++changed;
          ++total;
        }
      }
    }
    EXPECT_GT(changed, total / 4);
  }
}

// The three inner edges of a macroblock in one call: each table's kernel against the scalar
// single-edge kernel run at 4, 8 and 12 (the definition), on a 16x16 block inside a guard. Every row
// (vertical edges) or column (horizontal) holds two shaped segments, across the edges at 4 and 12,
// which meet across the edge at 8.
TEST_P(DspVsScalar, InnerEdgesOfAMacroblock) {
  constexpr uint32_t kSeed = 0x3e4d;
  SCOPED_TRACE(seed_note(kSeed));
  Rng rng(kSeed);
  for (const bool horizontal : {false, true}) {
    SCOPED_TRACE(horizontal ? "inner_filter_hedges" : "inner_filter_vedges");
    constexpr int kSize = 16 + 2 * kEdgeGuard;
    int changed = 0, total = 0;
    for (Pattern pattern : kPatterns) {
      for (int iter = 0; iter < 60; ++iter) {
        std::vector<uint8_t> buf(kSize * kSize);
        fill(buf.data(), kSize, kSize, kSize, Pattern::kRandom, rng);
        for (int line = 0; line < 16; ++line) {
          for (int half = 0; half < 2; ++half) {
            uint8_t seg[8];
            shape_segment(seg, rng.uniform(0, 3) ? pattern : Pattern::kRandom, rng);
            for (int k = 0; k < 8; ++k) {
              const int along = line, across = 8 * half + k;
              const int r = kEdgeGuard + (horizontal ? across : along), c = kEdgeGuard + (horizontal ? along : across);
              buf[r * kSize + c] = seg[k];
            }
          }
        }
        const FilterLimits l = random_limits(rng);
        const int origin = kEdgeGuard * kSize + kEdgeGuard;
        std::vector<uint8_t> expected = buf, scalar = buf, actual = buf;
        for (int e = 4; e < 16; e += 4) {
          const int q0 = origin + e * (horizontal ? kSize : 1);
          (ref().*(horizontal ? &Dsp::inner_filter_hedge : &Dsp::inner_filter_vedge))(expected.data() + q0, kSize, l.edge,
                                                                                      l.interior, l.hev, 16);
        }
        const InnerEdgesFn Dsp::*kernel = horizontal ? &Dsp::inner_filter_hedges : &Dsp::inner_filter_vedges;
        (ref().*kernel)(scalar.data() + origin, kSize, l.edge, l.interior, l.hev);
        (simd().*kernel)(actual.data() + origin, kSize, l.edge, l.interior, l.hev);
        if (expected != buf) ++changed;
        ++total;
        ASSERT_TRUE(same_pixels(expected, scalar, kSize)) << "scalar, " << pattern_name(pattern) << " iteration " << iter;
        ASSERT_TRUE(same_pixels(expected, actual, kSize))
            << pattern_name(pattern) << " iteration " << iter << " edge " << l.edge << " interior " << l.interior
            << " hev " << l.hev;
      }
    }
    EXPECT_GT(changed, total / 4);
  }
}

// --- Encoder metrics.

// A w x h area with row stride `stride`, in a buffer of exactly (h - 1) * stride + w bytes so that
// a sanitizer build catches any read past it.
std::vector<uint8_t> area(int w, int h, int stride, Pattern pattern, Rng& rng) {
  std::vector<uint8_t> v(h > 0 ? size_t(h - 1) * stride + w : 0);
  fill(v.data(), stride, w, h, pattern, rng);
  return v;
}

TEST_P(DspVsScalar, EncoderMetrics) {
  constexpr uint32_t kSeed = 0x5ad5;
  SCOPED_TRACE(seed_note(kSeed));
  Rng rng(kSeed);
  for (int size = 0; size < kNumBlockSizes; ++size) {
    const int w = kBlockWidth[size], h = kBlockHeight[size];
    SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
    for (Pattern pa : kPatterns) {
      for (Pattern pb : kPatterns) {
        for (int iter = 0; iter < 4; ++iter) {
          // Odd strides, so that rows are unaligned.
          const int sa = w + 2 * rng.uniform(0, 20) + 1, sb = w + 2 * rng.uniform(0, 20) + 1;
          const auto a = area(w, h, sa, pa, rng), b = area(w, h, sb, pb, rng);
          ASSERT_EQ(ref().sad[size](a.data(), sa, b.data(), sb), simd().sad[size](a.data(), sa, b.data(), sb))
              << "sad, " << pattern_name(pa) << " against " << pattern_name(pb);
          ASSERT_EQ(ref().sse[size](a.data(), sa, b.data(), sb), simd().sse[size](a.data(), sa, b.data(), sb))
              << "sse, " << pattern_name(pa) << " against " << pattern_name(pb);
        }
      }
    }
  }
  // Areas of every width up to 40 (each split into 16-, 8- and 1-pixel steps), a few heights, and
  // one wide extreme area.
  for (int w = 0; w <= 40; ++w) {
    for (int h : {0, 1, 3, 17}) {
      for (Pattern pa : {Pattern::kRandom, Pattern::kZero, Pattern::kMax}) {
        const Pattern pb = pa == Pattern::kZero ? Pattern::kMax : Pattern::kRandom;
        const int sa = w + rng.uniform(0, 9), sb = w + rng.uniform(0, 9);
        const auto a = area(w, h, sa, pa, rng), b = area(w, h, sb, pb, rng);
        ASSERT_EQ(ref().sse_area(a.data(), sa, b.data(), sb, w, h), simd().sse_area(a.data(), sa, b.data(), sb, w, h))
            << "sse_area " << w << "x" << h << ", " << pattern_name(pa);
      }
    }
  }
  const auto zeros = area(16384, 2, 16384, Pattern::kZero, rng), maxes = area(16384, 2, 16384, Pattern::kMax, rng);
  EXPECT_EQ(simd().sse_area(zeros.data(), 16384, maxes.data(), 16384, 16384, 2), uint64_t{2} * 16384 * 255 * 255);
}

// --- Encoder forward DCT and quantizer.

// Source and prediction blocks: random, close to each other, and the extremes of the residual.
struct FdctCase {
  std::vector<uint8_t> src, pred;
  int src_stride, pred_stride;
};

std::vector<FdctCase> fdct_cases(Rng& rng) {
  std::vector<FdctCase> cases;
  for (int i = 0; i < 3000; ++i) {
    FdctCase c;
    // Odd strides, so that rows are unaligned; buffers of exactly the block (see area()).
    c.src_stride = 4 + 2 * rng.uniform(0, 10) + 1;
    c.pred_stride = 4 + 2 * rng.uniform(0, 10) + 1;
    const Pattern ps = kPatterns[i % 6], pp = kPatterns[(i / 6) % 6];
    c.src = area(4, 4, c.src_stride, ps, rng);
    c.pred = area(4, 4, c.pred_stride, pp, rng);
    if (i % 3 == 0) {  // a prediction within a few levels of the source
      for (int r = 0; r < 4; ++r)
        for (int k = 0; k < 4; ++k)
          c.pred[r * c.pred_stride + k] =
              static_cast<uint8_t>(std::clamp(c.src[r * c.src_stride + k] + rng.uniform(-6, 6), 0, 255));
    }
    cases.push_back(c);
  }
  return cases;
}

// The step the encoder builds for quantizer factor q (enc::QuantizerOptions in 1/128 of q).
QuantizerStep step_for(int q, int rounding, int zero_bin) {
  const uint64_t d = uint64_t{128} * static_cast<uint64_t>(q);
  return {zero_bin * q, rounding * q, ((uint64_t{1} << 40) + d - 1) / d};
}

TEST_P(DspVsScalar, ForwardDctAndQuantizer) {
  constexpr uint32_t kSeed = 0xfdc7;
  SCOPED_TRACE(seed_note(kSeed));
  Rng rng(kSeed);
  const auto cases = fdct_cases(rng);
  for (size_t i = 0; i < cases.size(); ++i) {
    const FdctCase& c = cases[i];
    std::array<int16_t, 16> expected{}, actual{};
    ref().fdct(c.src.data(), c.src_stride, c.pred.data(), c.pred_stride, expected.data());
    simd().fdct(c.src.data(), c.src_stride, c.pred.data(), c.pred_stride, actual.data());
    ASSERT_EQ(expected, actual) << "fdct case " << i;
  }
  // Coefficients: realistic, full-range and extreme blocks; factors over the whole range of the
  // quantizer tables and beyond (1 needs the reciprocal's upper bits), every rounding.
  auto blocks = coefficient_blocks(rng);
  // Small blocks, at and around the dead zone of the steps below (which also checks the shortcut
  // for blocks that quantize to nothing).
  for (int i = 0; i < 400; ++i) {
    std::array<int16_t, 16> b{};
    const int range = rng.uniform(0, 3) == 0 ? 300 : 40;
    for (auto& v : b) v = static_cast<int16_t>(rng.uniform(0, 2) == 0 ? 0 : rng.uniform(-range, range));
    blocks.push_back(b);
  }
  for (size_t i = 0; i < blocks.size(); ++i) {
    for (int iter = 0; iter < 8; ++iter) {
      const int dc_q = iter == 0 ? 1 : rng.uniform(1, 500), ac_q = iter == 1 ? 1 : rng.uniform(1, 500);
      const int rounding = rng.uniform(0, 128), zero_bin = rng.uniform(0, 160);
      const QuantizerStep dc = step_for(dc_q, rounding, zero_bin), ac = step_for(ac_q, rounding, zero_bin);
      const int first = rng.uniform(0, 1), max_level = iter % 2 ? 2048 : 32767;
      std::array<int16_t, 16> expected{}, actual{};
      actual.fill(99);
      const uint32_t mask_ref = ref().quantize(blocks[i].data(), dc, ac, first, max_level, expected.data());
      const uint32_t mask_simd = simd().quantize(blocks[i].data(), dc, ac, first, max_level, actual.data());
      ASSERT_EQ(expected, actual) << "block " << i << " dc q " << dc_q << " ac q " << ac_q << " rounding "
                                  << rounding << " zero bin " << zero_bin << " first " << first;
      ASSERT_EQ(mask_ref, mask_simd) << "block " << i;
    }
  }
}

std::string isa_name(const ::testing::TestParamInfo<Isa>& info) {
  switch (info.param) {
    case Isa::kScalar:
      return "c";
    case Isa::kSse2:
      return "sse2";
    case Isa::kSsse3:
      return "ssse3";
    case Isa::kAvx2:
      return "avx2";
  }
  return "unknown";
}

}  // namespace

// Lets GoogleTest print the parameter by name (found by argument-dependent lookup).
void PrintTo(Isa isa, std::ostream* os) { *os << isa_name({isa, 0}); }

namespace {

// Only the levels this build and CPU have: a level without kernels has nothing to compare.
std::vector<Isa> available_isas() {
  std::vector<Isa> isas;
  for (Isa isa : {Isa::kSse2, Isa::kSsse3, Isa::kAvx2})
    if (xc::vp8::dsp::dsp_for(isa) != nullptr) isas.push_back(isa);
  return isas;
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DspVsScalar);
INSTANTIATE_TEST_SUITE_P(Isas, DspVsScalar, ::testing::ValuesIn(available_isas()), isa_name);

// ---------------------------------------------------------------------------------------------
// The scalar kernels against results worked out by hand from the RFC's code.

// A 16x16-capable scratch block with its edges.
struct Scratch {
  static constexpr int kStride = 16;
  uint8_t above_buf[1 + 20] = {};
  uint8_t left[16] = {};
  uint8_t dst[16 * 16] = {};
  uint8_t* above() { return above_buf + 1; }
  int at(int r, int c) const { return dst[r * kStride + c]; }
  bool all(int n, int v) const {
    for (int r = 0; r < n; ++r) {
      for (int c = 0; c < n; ++c) {
        if (at(r, c) != v) return false;
      }
    }
    return true;
  }
};

TEST(DspScalar, DcPredictionRounding) {
  const Dsp& d = scalar_dsp();
  Scratch s;
  // Above 0..15 sums to 120: (120 + 8) >> 4 = 8 when only the above row counts.
  for (int i = 0; i < 16; ++i) s.above()[i] = static_cast<uint8_t>(i);
  std::memset(s.left, 200, 16);
  d.pred16[kPredDcTop](s.dst, Scratch::kStride, s.above(), s.left);
  EXPECT_TRUE(s.all(16, 8));
  // Left 0..7 sums to 28: (28 + 4) >> 3 = 4 (chroma, above row unavailable).
  for (int i = 0; i < 8; ++i) s.left[i] = static_cast<uint8_t>(i);
  d.pred8[kPredDcLeft](s.dst, Scratch::kStride, s.above(), s.left);
  EXPECT_TRUE(s.all(8, 4));
  // Both edges: 16 ones and 16 zeros round up to 1 ((16 + 16) >> 5), 15 ones round down to 0.
  std::memset(s.above(), 0, 16);
  std::memset(s.left, 1, 16);
  d.pred16[kPredDc](s.dst, Scratch::kStride, s.above(), s.left);
  EXPECT_TRUE(s.all(16, 1));
  s.left[7] = 0;
  d.pred16[kPredDc](s.dst, Scratch::kStride, s.above(), s.left);
  EXPECT_TRUE(s.all(16, 0));
  // Neither edge: the constant 128, whatever the edges hold.
  d.pred16[kPredDc128](s.dst, Scratch::kStride, s.above(), s.left);
  EXPECT_TRUE(s.all(16, 128));
  d.pred8[kPredDc128](s.dst, Scratch::kStride, s.above(), s.left);
  EXPECT_TRUE(s.all(8, 128));
}

TEST(DspScalar, TrueMotionClamps) {
  const Dsp& d = scalar_dsp();
  Scratch s;
  // L + A - P = 250 + 250 - 10 saturates at 255; 5 + 5 - 250 at 0.
  s.above()[-1] = 10;
  std::memset(s.above(), 250, 16);
  std::memset(s.left, 250, 16);
  d.pred16[kPredTm](s.dst, Scratch::kStride, s.above(), s.left);
  EXPECT_TRUE(s.all(16, 255));
  s.above()[-1] = 250;
  std::memset(s.above(), 5, 16);
  std::memset(s.left, 5, 16);
  d.pred8[kPredTm](s.dst, Scratch::kStride, s.above(), s.left);
  EXPECT_TRUE(s.all(8, 0));
  // Unclamped: 100 + 30 - 60 = 70.
  s.above()[-1] = 60;
  std::memset(s.above(), 30, 4);
  std::memset(s.left, 100, 4);
  d.pred4[1](s.dst, Scratch::kStride, s.above(), s.left);
  EXPECT_TRUE(s.all(4, 70));
}

TEST(DspScalar, SubblockEdgeSmoothing) {
  const Dsp& d = scalar_dsp();
  Scratch s;
  // above[-1..4] = 0, 4, 8, 12, 16, 40: B_VE_PRED smooths to (0+8+8+2)>>2 = 4, (4+16+12+2)>>2 = 8,
  // 12, and (12+32+40+2)>>2 = 21, reaching above[4].
  const uint8_t above[] = {0, 4, 8, 12, 16, 40, 0, 0, 0};
  std::memcpy(s.above_buf, above, sizeof above);
  d.pred4[2](s.dst, Scratch::kStride, s.above(), s.left);
  for (int r = 0; r < 4; ++r) {
    EXPECT_EQ(s.at(r, 0), 4);
    EXPECT_EQ(s.at(r, 1), 8);
    EXPECT_EQ(s.at(r, 2), 12);
    EXPECT_EQ(s.at(r, 3), 21);
  }
  // B_HE_PRED with corner 100 and left 20, 40, 60, 80: (100+40+40+2)>>2 = 45, 40, 60, and the
  // bottom row repeats left[3]: (60+160+80+2)>>2 = 75.
  s.above()[-1] = 100;
  const uint8_t left[] = {20, 40, 60, 80};
  std::memcpy(s.left, left, 4);
  d.pred4[3](s.dst, Scratch::kStride, s.above(), s.left);
  const int expected_rows[4] = {45, 40, 60, 75};
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) EXPECT_EQ(s.at(r, c), expected_rows[r]) << r << "," << c;
  }
  // B_LD_PRED uses the above-right pixels: with above[0..7] = 0 except above[7] = 255, the
  // bottom-right pixel is avg3(A6, A7, A7) = (0 + 510 + 255 + 2) >> 2 = 191.
  std::memset(s.above(), 0, 8);
  s.above()[7] = 255;
  d.pred4[4](s.dst, Scratch::kStride, s.above(), s.left);
  EXPECT_EQ(s.at(3, 3), 191);
  EXPECT_EQ(s.at(2, 3), 64);  // avg3(A5, A6, A7) = (0 + 0 + 255 + 2) >> 2
  EXPECT_EQ(s.at(0, 0), 0);
  // B_HU_PRED fills the lower right with left[3].
  d.pred4[9](s.dst, Scratch::kStride, s.above(), s.left);
  EXPECT_EQ(s.at(3, 3), 80);
  EXPECT_EQ(s.at(2, 2), 80);
  EXPECT_EQ(s.at(0, 0), 30);  // avg2(20, 40)
}

TEST(DspScalar, MetricsWorkedExample) {
  // a - b is 3 at one pixel and -4 at another: SAD 7, SSE 25, for every block size.
  uint8_t a[16 * 16], b[16 * 16];
  std::memset(a, 100, sizeof a);
  std::memset(b, 100, sizeof b);
  a[0] = 103;
  b[3 * 16 + 3] = 104;
  for (int size = 0; size < kNumBlockSizes; ++size) {
    EXPECT_EQ(scalar_dsp().sad[size](a, 16, b, 16), 7u) << size;
    EXPECT_EQ(scalar_dsp().sse[size](a, 16, b, 16), 25u) << size;
  }
  EXPECT_EQ(scalar_dsp().sse_area(a, 16, b, 16, 4, 4), 25u);
  EXPECT_EQ(scalar_dsp().sse_area(a, 16, b, 16, 3, 4), 9u);  // the -4 is outside
}

TEST(DspScalar, ForwardDctAndQuantizerWorkedExamples) {
  // A flat residual of 1 has only a DC: rows give 32, columns (128 + 8) >> 4 = 8, which the
  // inverse's (8 + 4) >> 3 turns back into 1.
  uint8_t src[16], pred[16];
  int16_t coeffs[16];
  std::fill(std::begin(src), std::end(src), uint8_t{101});
  std::fill(std::begin(pred), std::end(pred), uint8_t{100});
  scalar_dsp().fdct(src, 4, pred, 4, coeffs);
  EXPECT_EQ(coeffs[0], 8);
  for (int k = 1; k < 16; ++k) EXPECT_EQ(coeffs[k], 0) << k;
  // Factor 10, rounding to nearest with a half-step dead zone: 100 -> 10, -104 -> -10, 105 -> 11,
  // 4 -> 0 (below the dead zone), 5 -> 1 (rounds up); the DC skipped with first = 1.
  int16_t c[16] = {100, -104, 105, 4, 5}, levels[16];
  const QuantizerStep step{64 * 10, 64 * 10, ((uint64_t{1} << 40) + 1279) / 1280};
  EXPECT_EQ(scalar_dsp().quantize(c, step, step, 0, 2048, levels), 0x17u);
  EXPECT_EQ(levels[0], 10);
  EXPECT_EQ(levels[1], -10);
  EXPECT_EQ(levels[2], 11);
  EXPECT_EQ(levels[3], 0);
  EXPECT_EQ(levels[4], 1);
  EXPECT_EQ(scalar_dsp().quantize(c, step, step, 1, 2048, levels), 0x16u);
  EXPECT_EQ(levels[0], 0);
  // The clamp.
  c[0] = 30000;
  scalar_dsp().quantize(c, step, step, 0, 2048, levels);
  EXPECT_EQ(levels[0], 2048);
}

TEST(DspScalar, DcOnlyIdctMatchesFullIdct) {
  const Dsp& d = scalar_dsp();
  // A block whose only coefficient is the DC inverts to (dc + 4) >> 3 everywhere (§14.4), the sum
  // wrapped to 16 bits as libvpx's x86 kernels do (dc 32764..32767 give -4096): check the full
  // transform against the DC-only kernel and against the formula for every int16 value.
  std::vector<int> dcs;
  for (int dc = -32768; dc <= 32767; dc += 7) dcs.push_back(dc);
  for (int dc = 32760; dc <= 32767; ++dc) dcs.push_back(dc);
  for (int dc : dcs) {
    int16_t coeffs[16] = {static_cast<int16_t>(dc)};
    uint8_t full[4 * 4], dc_only[4 * 4];
    std::memset(full, 128, sizeof full);
    std::memset(dc_only, 128, sizeof dc_only);
    d.idct_add(coeffs, full, 4);
    d.idct_dc_add(static_cast<int16_t>(dc), dc_only, 4);
    const int want = std::clamp(128 + (int16_t(dc + 4) >> 3), 0, 255);
    for (int i = 0; i < 16; ++i) {
      ASSERT_EQ(full[i], want) << "dc " << dc;
      ASSERT_EQ(dc_only[i], want) << "dc " << dc;
    }
  }
}

TEST(DspScalar, IdctWorkedExample) {
  // Coefficient 1 (first row, second column) = 100 alone: the column pass copies it to all four
  // rows of column 1 (a1 = b1 = 100, c1 = d1 = 0). Row pass: c1 = (100 * 35468) >> 16 = 54, d1 =
  // 100 + ((100 * 20091) >> 16) = 130, so the row is (130 + 4) >> 3, (54 + 4) >> 3, (-54 + 4) >> 3,
  // (-130 + 4) >> 3 = 16, 7, -7, -16.
  int16_t coeffs[16] = {0, 100};
  uint8_t block[16];
  std::memset(block, 50, sizeof block);
  scalar_dsp().idct_add(coeffs, block, 4);
  for (int r = 0; r < 4; ++r) {
    EXPECT_EQ(block[4 * r + 0], 66);
    EXPECT_EQ(block[4 * r + 1], 57);
    EXPECT_EQ(block[4 * r + 2], 43);
    EXPECT_EQ(block[4 * r + 3], 34);
  }
}

TEST(DspScalar, WhtWorkedExamples) {
  const Dsp& d = scalar_dsp();
  int16_t out[256];
  // DC only: every output is (dc + 3) >> 3 (the RFC's vp8_short_inv_walsh4x4_1_c), the sum wrapped
  // to 16 bits (dc 32765..32767 give -4096; the decoder's DC-only shortcut, which does not wrap, is
  // in reconstruct.cc).
  for (int dc : {-32768, -1000, -5, -4, 0, 4, 5, 1000, 32764, 32765, 32767}) {
    int16_t in[16] = {static_cast<int16_t>(dc)};
    std::fill(std::begin(out), std::end(out), int16_t{0x5555});
    d.iwht(in, out);
    for (int i = 0; i < 16; ++i) EXPECT_EQ(out[16 * i], int16_t(dc + 3) >> 3) << "dc " << dc;
    // Only the DC positions of the 16 luma blocks are written.
    for (int i = 0; i < 256; ++i) {
      if (i % 16 != 0) {
        EXPECT_EQ(out[i], 0x5555);
      }
    }
  }
  // in[1] = 8: every row becomes (8+3)>>3, (8+3)>>3, (-8+3)>>3, (-8+3)>>3 = 1, 1, -1, -1.
  int16_t in[16] = {0, 8};
  d.iwht(in, out);
  for (int r = 0; r < 4; ++r) {
    EXPECT_EQ(out[16 * (4 * r + 0)], 1);
    EXPECT_EQ(out[16 * (4 * r + 1)], 1);
    EXPECT_EQ(out[16 * (4 * r + 2)], -1);
    EXPECT_EQ(out[16 * (4 * r + 3)], -1);
  }
}

// Filters one segment p3 p2 p1 p0 | q0 q1 q2 q3 held in consecutive bytes: with count 1, a
// horizontal edge of stride 1 and a vertical edge both step across the edge by one byte.
std::array<uint8_t, 8> filter_segment(const Dsp& d, const FilterKind& kind,
                                      std::array<uint8_t, 8> seg, const FilterLimits& limits) {
  run_filter(d, kind, seg.data() + 4, 1, limits, 1);
  return seg;
}

TEST(DspScalar, LoopFilterWorkedExamples) {
  const Dsp& d = scalar_dsp();
  const std::array<uint8_t, 8> step = {100, 100, 100, 100, 110, 110, 110, 110};
  // Simple filter: a = c(c(p1 - q1) + 3 (q0 - p0)) = 20, q0 -= c(a + 4) >> 3 = 3 and
  // p0 += c(a + 3) >> 3 = 2. The edge test 2 |p0 - q0| + |p1 - q1| / 2 = 25 <= limit is inclusive.
  for (const FilterKind& k : {kSimpleH, kSimpleV}) {
    EXPECT_EQ(filter_segment(d, k, step, {25, 0, 0}),
              (std::array<uint8_t, 8>{100, 100, 100, 102, 107, 110, 110, 110}));
    EXPECT_EQ(filter_segment(d, k, step, {24, 0, 0}), step);
  }
  // MB filter, no high edge variance: w = 20, then a = (27 w + 63) >> 7 = 4, (18 w + 63) >> 7 = 3
  // and (9 w + 63) >> 7 = 1 applied to the pairs p0/q0, p1/q1, p2/q2.
  for (const FilterKind& k : {kMbH, kMbV}) {
    EXPECT_EQ(filter_segment(d, k, step, {25, 1, 0}),
              (std::array<uint8_t, 8>{100, 101, 103, 104, 106, 107, 109, 110}));
    EXPECT_EQ(filter_segment(d, k, step, {24, 1, 0}), step);
  }
  // Subblock filter, no hev: a = c(3 (q0 - p0)) = 30 moves q0/p0 by c(a + 4) >> 3 = 4 (and
  // c(a + 3) >> 3 = 4), then q1/p1 by (4 + 1) >> 1 = 2.
  for (const FilterKind& k : {kInnerH, kInnerV}) {
    EXPECT_EQ(filter_segment(d, k, step, {25, 1, 0}),
              (std::array<uint8_t, 8>{100, 100, 102, 104, 106, 108, 110, 110}));
  }
  // An interior difference above the limit disables the normal filters.
  std::array<uint8_t, 8> bumpy = step;
  bumpy[0] = 103;  // |p3 - p2| = 3
  EXPECT_EQ(filter_segment(d, kMbH, bumpy, {25, 2, 0}), bumpy);
  EXPECT_NE(filter_segment(d, kMbH, bumpy, {25, 3, 0}), bumpy);
  // High edge variance (|p1 - p0| = 4 > 3) makes both normal filters use the simple adjustment,
  // with outer taps: p1 - q1 = 96 - 110 = -14, a = c(-14 + 30) = 16, q0 -= 20 >> 3 = 2,
  // p0 += 19 >> 3 = 2.
  std::array<uint8_t, 8> hev_seg = step;
  hev_seg[2] = 96;
  const std::array<uint8_t, 8> hev_result = {100, 100, 96, 102, 108, 110, 110, 110};
  EXPECT_EQ(filter_segment(d, kMbV, hev_seg, {40, 10, 3}), hev_result);
  EXPECT_EQ(filter_segment(d, kInnerV, hev_seg, {40, 10, 3}), hev_result);
}

TEST(DspScalar, SixtapWorkedExamples) {
  const Dsp& d = scalar_dsp();
  // A 4x4 block over a source whose columns -2..6 are given per row.
  auto run = [&](const std::array<uint8_t, 9>& row, int mx) {
    std::array<uint8_t, 9 * 4> src;
    for (int r = 0; r < 4; ++r) std::copy(row.begin(), row.end(), src.begin() + 9 * r);
    uint8_t dst[16];
    d.sixtap[kBlock4x4](dst, 4, src.data() + 2, 9, mx, 0);
    return dst[0];
  };
  // Half-pel over 0 0 0 | 255 255 255: 255 * (77 - 16 + 3) = 16320, (16320 + 64) >> 7 = 128.
  EXPECT_EQ(run({0, 0, 0, 255, 255, 255, 0, 0, 0}, 4), 128);
  // Positive taps only: 255 * 160 = 40800 -> 319, clamped to 255.
  EXPECT_EQ(run({255, 0, 255, 255, 0, 255, 0, 0, 0}, 4), 255);
  // Negative taps only: -255 * 32 -> clamped to 0.
  EXPECT_EQ(run({0, 255, 0, 0, 255, 0, 0, 0, 0}, 4), 0);
  // Whole-pel: a copy.
  EXPECT_EQ(run({1, 2, 3, 4, 5, 6, 7, 8, 9}, 0), 3);
  // The 1/8 filter {0, -6, 123, 12, -1, 0} over 10 20 30 40 50 60:
  // -120 + 3690 + 480 - 50 = 4000, (4000 + 64) >> 7 = 31.
  EXPECT_EQ(run({10, 20, 30, 40, 50, 60, 0, 0, 0}, 1), 31);
}

TEST(DspScalar, TwoDimensionalFilterIsHorizontalThenVertical) {
  // The 2-D six-tap result equals a horizontal pass (over rows -2..h+2) followed by a vertical
  // pass, each rounded and clamped to 8 bits; the bilinear one likewise over rows 0..h.
  const Dsp& d = scalar_dsp();
  constexpr uint32_t kSeed = 0x2d;
  SCOPED_TRACE(seed_note(kSeed));
  Rng rng(kSeed);
  constexpr int kStride = 32;
  std::vector<uint8_t> src(kStride * 32);
  fill(src.data(), kStride, kStride, 32, Pattern::kRandom, rng);
  const uint8_t* origin = src.data() + 8 * kStride + 8;
  for (bool sixtap : {true, false}) {
    for (int mx = 1; mx < 8; ++mx) {
      for (int my = 1; my < 8; ++my) {
        InterPredFn fn = sixtap ? d.sixtap[kBlock8x8] : d.bilinear[kBlock8x8];
        uint8_t two_d[64], temp[16 * 8], separate[64];
        fn(two_d, 8, origin, kStride, mx, my);
        // Horizontal only, 16 rows from row -before (13 or 9 of them are needed), in two calls.
        const int before = sixtap ? 2 : 0;
        fn(temp, 8, origin - before * kStride, kStride, mx, 0);
        fn(temp + 64, 8, origin + (8 - before) * kStride, kStride, mx, 0);
        fn(separate, 8, temp + before * 8, 8, 0, my);
        EXPECT_EQ(0, std::memcmp(two_d, separate, 64)) << "mx " << mx << " my " << my;
      }
    }
  }
}

TEST(DspScalar, BilinearWorkedExamples) {
  const Dsp& d = scalar_dsp();
  // Rows 0..4, columns 0..4 of a source: column c holds 16 * c, row r adds 2 * r.
  uint8_t src[5 * 5];
  for (int r = 0; r < 5; ++r) {
    for (int c = 0; c < 5; ++c) src[5 * r + c] = static_cast<uint8_t>(16 * c + 2 * r);
  }
  uint8_t dst[16];
  // Half-pel horizontally: (64 a + 64 b + 64) >> 7 = (a + b + 1) >> 1 = 8 for a = 0, b = 16.
  d.bilinear[kBlock4x4](dst, 4, src, 5, 4, 0);
  EXPECT_EQ(dst[0], 8);
  // 1/8 vertically: (112 * 0 + 16 * 2 + 64) >> 7 = 0; 7/8: (16 * 0 + 112 * 2 + 64) >> 7 = 2.
  d.bilinear[kBlock4x4](dst, 4, src, 5, 0, 1);
  EXPECT_EQ(dst[0], 0);
  d.bilinear[kBlock4x4](dst, 4, src, 5, 0, 7);
  EXPECT_EQ(dst[0], 2);
  // Both: first pass row 0 -> 8, row 1 -> 10; then (64 * 8 + 64 * 10 + 64) >> 7 = 9.
  d.bilinear[kBlock4x4](dst, 4, src, 5, 4, 4);
  EXPECT_EQ(dst[0], 9);
}

}  // namespace
}  // namespace xc::vp8::dsp
