// Forward DCT/WHT and quantization of the encoder against the decoder's inverse transforms.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>

#include "vp8/dsp/dsp.hh"
#include "vp8/encoder/quantize.hh"
#include "vp8/encoder/transform.hh"
#include "vp8/tables.hh"

namespace {

using namespace xc::vp8;

constexpr uint32_t kSeed = 20240611;

// Residual = target - prediction for random pixels; amplitude limits how far target strays.
struct Block {
  uint8_t pred[16], target[16];
  int16_t residual[16];
};

Block random_block(std::mt19937& rng, int amplitude) {
  std::uniform_int_distribution<int> pixel(0, 255), delta(-amplitude, amplitude);
  Block b;
  for (int i = 0; i < 16; ++i) {
    b.pred[i] = uint8_t(pixel(rng));
    b.target[i] = uint8_t(std::clamp(b.pred[i] + delta(rng), 0, 255));
    b.residual[i] = int16_t(b.target[i] - b.pred[i]);
  }
  return b;
}

TEST(EncTransform, DctQuantizeOneIdctRoundTripsWithinOne) {
  std::mt19937 rng(kSeed);
  const enc::QuantizerOptions opts;
  for (const dsp::Dsp* d : {&dsp::scalar_dsp(), &dsp::best_dsp()}) {
    long total_error = 0, exact = 0;
    const int kBlocks = 50000;
    for (int n = 0; n < kBlocks; ++n) {
      const int amplitude = std::array{3, 20, 80, 255}[n % 4];
      Block b = random_block(rng, amplitude);
      int16_t coeffs[16];
      enc::forward_dct(b.residual, coeffs);
      std::array<int16_t, 16> levels;
      const int end = enc::quantize_block(coeffs, 1, 1, 0, opts, levels);
      uint8_t out[16];
      std::copy(b.pred, b.pred + 16, out);
      // The decoder's choice: a DC-only transform when nothing follows the DC.
      if (end > 1) {
        d->idct_add(levels.data(), out, 4);
      } else {
        d->idct_dc_add(levels[0], out, 4);
      }
      bool same = true;
      for (int i = 0; i < 16; ++i) {
        const int e = out[i] - b.target[i];
        ASSERT_LE(std::abs(e), 1) << "seed " << kSeed << " block " << n << " pixel " << i << " dsp " << d->name;
        total_error += std::abs(e);
        same &= e == 0;
      }
      exact += same;
    }
    const double mean = double(total_error) / (16.0 * kBlocks);
    std::printf("[%s] mean |error| %.4f per pixel, %ld of %d blocks exact\n", d->name, mean, exact, kBlocks);
    EXPECT_LT(mean, 0.15);
  }
}

TEST(EncTransform, FlatResidualIsDcOnlyAndExact) {
  for (int r = -255; r <= 255; ++r) {
    int16_t residual[16], coeffs[16];
    std::fill(residual, residual + 16, int16_t(r));
    enc::forward_dct(residual, coeffs);
    EXPECT_EQ(coeffs[0], 8 * r);
    for (int i = 1; i < 16; ++i) ASSERT_EQ(coeffs[i], 0) << "residual " << r;
    uint8_t px[16];
    std::fill(px, px + 16, uint8_t(r < 0 ? 255 : 0));
    dsp::scalar_dsp().idct_dc_add(coeffs[0], px, 4);
    EXPECT_EQ(px[5], (r < 0 ? 255 : 0) + r);
  }
}

// The fixed-point transform agrees with the real-valued M^T x M / 2 to within rounding.
TEST(EncTransform, DctMatchesRealValuedTransform) {
  const double c = std::sqrt(2.0) * std::cos(M_PI / 8), s = std::sqrt(2.0) * std::sin(M_PI / 8);
  const double m[4][4] = {{1, c, 1, s}, {1, s, -1, -c}, {1, -s, -1, c}, {1, -c, 1, -s}};
  std::mt19937 rng(kSeed + 1);
  for (int n = 0; n < 2000; ++n) {
    Block b = random_block(rng, 255);
    int16_t coeffs[16];
    enc::forward_dct(b.residual, coeffs);
    for (int v = 0; v < 4; ++v) {
      for (int h = 0; h < 4; ++h) {
        double x = 0;
        for (int i = 0; i < 4; ++i)
          for (int j = 0; j < 4; ++j) x += m[i][v] * b.residual[4 * i + j] * m[j][h];
        ASSERT_NEAR(coeffs[4 * v + h], x / 2, 1.0) << "seed " << kSeed + 1 << " block " << n;
      }
    }
  }
}

TEST(EncTransform, WhtPairReconstructsDcsExactly) {
  std::mt19937 rng(kSeed + 2);
  for (const dsp::Dsp* d : {&dsp::scalar_dsp(), &dsp::best_dsp()}) {
    for (int n = 0; n < 20000; ++n) {
      // Luma DCs are sum(residual) / 2, so within +-2040.
      const int amplitude = std::array{1, 30, 400, 2040}[n % 4];
      std::uniform_int_distribution<int> dist(-amplitude, amplitude);
      int16_t dc[16], y2[16];
      for (auto& v : dc) v = int16_t(dist(rng));
      enc::forward_wht(dc, y2);
      // Y2 coefficients reach 8 x the largest DC; a step-1 quantizer can only keep them below kMaxLevel.
      std::array<int16_t, 16> levels;
      if (amplitude * 8 <= enc::kMaxLevel) {
        enc::quantize_block(y2, 1, 1, 0, enc::QuantizerOptions{}, levels);
      } else {
        std::copy(y2, y2 + 16, levels.begin());
      }
      int16_t back[16 * 16] = {};
      d->iwht(levels.data(), back);
      for (int b = 0; b < 16; ++b) ASSERT_EQ(back[16 * b], dc[b]) << "seed " << kSeed + 2 << " set " << n << " dsp " << d->name;
    }
  }
}

TEST(EncQuantize, RoundingZeroBinAndTokenEnd) {
  int16_t c[16] = {};
  std::array<int16_t, 16> q;
  // Nothing non-zero: the token end is the first position.
  EXPECT_EQ(enc::quantize_block(c, 10, 10, 0, {}, q), 0);
  EXPECT_EQ(enc::quantize_block(c, 10, 10, 1, {}, q), 1);
  // Rounding to nearest at 64/128; 14 / 10 rounds down, 15 / 10 up, -15 / 10 to -2.
  c[0] = 14;
  c[1] = 15;
  c[4] = -15;
  EXPECT_EQ(enc::quantize_block(c, 10, 10, 0, {}, q), 3);  // zigzag 0, 1, 4 -> scan positions 0..2
  EXPECT_EQ(q[0], 1);
  EXPECT_EQ(q[1], 2);
  EXPECT_EQ(q[4], -2);
  // Starting at 1 drops the DC.
  EXPECT_EQ(enc::quantize_block(c, 10, 10, 1, {}, q), 3);
  EXPECT_EQ(q[0], 0);
  // A smaller rounding pulls 15 / 10 down to 1; a zero bin of 100/128 removes 7 / 10 and keeps 8 / 10.
  const enc::QuantizerOptions dead{.rounding = 40, .zero_bin = 100};
  int16_t d[16] = {};
  d[kZigzag[5]] = 15;
  d[kZigzag[9]] = 7;
  d[kZigzag[12]] = -8;
  EXPECT_EQ(enc::quantize_block(d, 10, 10, 0, dead, q), 13);
  EXPECT_EQ(q[kZigzag[5]], 1);
  EXPECT_EQ(q[kZigzag[9]], 0);
  EXPECT_EQ(q[kZigzag[12]], -1);
  // Widening after zeros: with an AC step of 100 and a zero bin of 84/128 (65.6), a level after two
  // zeros needs 92/128 (71.9), after three 94/128 (73.4), after four 96/128 (75); a level resets the run.
  const enc::QuantizerOptions runs{.rounding = 48, .zero_bin = 84, .widen_after_zeros = true};
  int16_t r[16] = {};
  r[kZigzag[0]] = 1000;
  r[kZigzag[3]] = 70;   // after two zeros: dropped (kept without widening)
  r[kZigzag[4]] = 73;   // after three: dropped
  r[kZigzag[5]] = 80;   // after four: kept
  r[kZigzag[6]] = 66;   // right after a level: kept
  r[kZigzag[9]] = -71;  // after two zeros: dropped
  EXPECT_EQ(enc::quantize_block(r, 100, 100, 0, runs, q), 7);
  EXPECT_EQ(q[kZigzag[3]], 0);
  EXPECT_EQ(q[kZigzag[4]], 0);
  EXPECT_EQ(q[kZigzag[5]], 1);
  EXPECT_EQ(q[kZigzag[6]], 1);
  EXPECT_EQ(q[kZigzag[9]], 0);
  enc::QuantizerOptions plain = runs;
  plain.widen_after_zeros = false;
  EXPECT_EQ(enc::quantize_block(r, 100, 100, 0, plain, q), 10);
  EXPECT_EQ(q[kZigzag[3]], 1);
  EXPECT_EQ(q[kZigzag[9]], -1);
  // DC and AC factors apply to their positions; levels saturate at kMaxLevel.
  int16_t e[16] = {};
  e[0] = 30000;
  e[15] = -30000;
  EXPECT_EQ(enc::quantize_block(e, 4, 10, 0, {}, q), 16);
  EXPECT_EQ(q[0], enc::kMaxLevel);
  EXPECT_EQ(q[15], -enc::kMaxLevel);
  e[0] = 40;
  e[15] = 40;
  enc::quantize_block(e, 4, 10, 0, {}, q);
  EXPECT_EQ(q[0], 10);
  EXPECT_EQ(q[15], 4);
}

// The multiply-and-shift quantizer equals the plain division for every factor a frame can use.
TEST(EncQuantize, MatchesDivision) {
  std::mt19937 rng(kSeed + 3);
  std::uniform_int_distribution<int> coeff(-32768, 32767), small(-600, 600), option(0, 128);
  for (int q = 1; q <= 400; ++q) {
    for (int n = 0; n < 50; ++n) {
      const enc::QuantizerOptions opts{.rounding = option(rng), .zero_bin = option(rng) * 2};
      int16_t c[16];
      for (int i = 0; i < 16; ++i) c[i] = int16_t(n % 2 ? coeff(rng) : small(rng));
      std::array<int16_t, 16> levels;
      enc::quantize_block(c, q, q, 0, opts, levels);
      for (int i = 0; i < 16; ++i) {
        const int m = 128 * std::abs(c[i]);
        int expected = m < opts.zero_bin * q ? 0 : std::min((m + opts.rounding * q) / (128 * q), enc::kMaxLevel);
        if (c[i] < 0) expected = -expected;
        ASSERT_EQ(levels[i], expected) << "seed " << kSeed + 3 << " q " << q << " coefficient " << c[i];
      }
    }
  }
}

TEST(EncQuantize, AllEob) {
  MacroblockCoeffs c;
  c.token_end.fill(0);
  EXPECT_TRUE(enc::all_eob(c, false));
  for (int b = 0; b < 16; ++b) c.token_end[b] = 1;
  EXPECT_FALSE(enc::all_eob(c, false));  // a luma DC coded
  EXPECT_TRUE(enc::all_eob(c, true));    // with Y2, luma starts at 1
  c.token_end[kY2Block] = 1;
  EXPECT_FALSE(enc::all_eob(c, true));
  c.token_end[kY2Block] = 0;
  c.token_end[23] = 2;
  EXPECT_FALSE(enc::all_eob(c, true));
}

}  // namespace
