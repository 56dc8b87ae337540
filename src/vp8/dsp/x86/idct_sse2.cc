// SSE2 inverse DCT with reconstruction (RFC 6386 §14.4-14.5) and inverse WHT (§14.3), bit-exact with
// dsp_c.cc for every int16 input.
#include <emmintrin.h>

#include <cstring>

#include "vp8/dsp/dsp_internal.hh"

namespace xc::vp8::dsp {
namespace {

// The Q16 constants of §14.4. 35468 does not fit a signed 16-bit lane, so (x * 35468) >> 16 is
// computed as ((x * (35468 - 65536)) >> 16) + x, which is the same integer.
constexpr int16_t kCosPi8Sqrt2Minus1 = 20091;
constexpr int16_t kSinPi8Sqrt2Wrapped = static_cast<int16_t>(35468 - 65536);

// Four 4-pixel rows joined into one register, and split again.
__m128i load_block(const uint8_t* dst, int stride) {
  int32_t rows[4];
  for (int r = 0; r < 4; ++r) std::memcpy(&rows[r], dst + r * stride, 4);
  return _mm_setr_epi32(rows[0], rows[1], rows[2], rows[3]);
}

void store_block(uint8_t* dst, int stride, __m128i block) {
  int32_t rows[4];
  _mm_storeu_si128(reinterpret_cast<__m128i*>(rows), block);
  for (int r = 0; r < 4; ++r) std::memcpy(dst + r * stride, &rows[r], 4);
}

// Adds two 8-lane int16 residual vectors (rows 0-1 and rows 2-3) to the block, saturating to
// 0..255 like §14.5's clamp255: a saturated 16-bit sum is still beyond 0..255 on the same side.
void add_residual(uint8_t* dst, int stride, __m128i rows01, __m128i rows23) {
  const __m128i zero = _mm_setzero_si128();
  const __m128i pred = load_block(dst, stride);
  const __m128i sum01 = _mm_adds_epi16(_mm_unpacklo_epi8(pred, zero), rows01);
  const __m128i sum23 = _mm_adds_epi16(_mm_unpackhi_epi8(pred, zero), rows23);
  store_block(dst, stride, _mm_packus_epi16(sum01, sum23));
}

void idct_add_sse2(const int16_t coeffs[16], uint8_t* dst, int stride) {
  const __m128i sin_k = _mm_set1_epi16(kSinPi8Sqrt2Wrapped);
  const __m128i cos_k = _mm_set1_epi16(kCosPi8Sqrt2Minus1);
  // First pass, on the columns: with one coefficient row per register the butterflies are
  // lane-wise. The reference stores this pass into int16, so wrapping 16-bit arithmetic gives
  // exactly its values (only additions follow the multiplications).
  const __m128i in01 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(coeffs));
  const __m128i in23 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(coeffs + 8));
  const __m128i row0 = in01, row1 = _mm_unpackhi_epi64(in01, in01);
  const __m128i row2 = in23, row3 = _mm_unpackhi_epi64(in23, in23);
  auto mul_sin = [&](__m128i x) { return _mm_add_epi16(_mm_mulhi_epi16(x, sin_k), x); };
  auto mul_cos = [&](__m128i x) { return _mm_add_epi16(_mm_mulhi_epi16(x, cos_k), x); };
  const __m128i a1 = _mm_add_epi16(row0, row2);
  const __m128i b1 = _mm_sub_epi16(row0, row2);
  const __m128i c1 = _mm_sub_epi16(mul_sin(row1), mul_cos(row3));
  const __m128i d1 = _mm_add_epi16(mul_cos(row1), mul_sin(row3));
  const __m128i t0 = _mm_add_epi16(a1, d1);  // rows of the intermediate block, low 4 lanes
  const __m128i t1 = _mm_add_epi16(b1, c1);
  const __m128i t2 = _mm_sub_epi16(b1, c1);
  const __m128i t3 = _mm_sub_epi16(a1, d1);

  // Transpose, so that each register holds one column (lane r = row r).
  const __m128i t01 = _mm_unpacklo_epi16(t0, t1);  // r0c0 r1c0 r0c1 r1c1 r0c2 r1c2 r0c3 r1c3
  const __m128i t23 = _mm_unpacklo_epi16(t2, t3);
  const __m128i cols01 = _mm_unpacklo_epi32(t01, t23);  // column 0 then column 1
  const __m128i cols23 = _mm_unpackhi_epi32(t01, t23);  // column 2 then column 3
  const __m128i col0 = cols01, col1 = _mm_unpackhi_epi64(cols01, cols01);
  const __m128i col2 = cols23, col3 = _mm_unpackhi_epi64(cols23, cols23);

  // Second pass, on the rows, in 16-bit lanes as well: the reference keeps these sums in 16 bits
  // too, rounding term included, before the final shift.
  const __m128i four = _mm_set1_epi16(4);
  const __m128i a2 = _mm_add_epi16(_mm_add_epi16(col0, col2), four);
  const __m128i b2 = _mm_add_epi16(_mm_sub_epi16(col0, col2), four);
  const __m128i c2 = _mm_sub_epi16(mul_sin(col1), mul_cos(col3));
  const __m128i d2 = _mm_add_epi16(mul_cos(col1), mul_sin(col3));
  const __m128i out0 = _mm_srai_epi16(_mm_add_epi16(a2, d2), 3);  // output column c, lane r = row r
  const __m128i out1 = _mm_srai_epi16(_mm_add_epi16(b2, c2), 3);
  const __m128i out2 = _mm_srai_epi16(_mm_sub_epi16(b2, c2), 3);
  const __m128i out3 = _mm_srai_epi16(_mm_sub_epi16(a2, d2), 3);

  // Back to rows: r0c0 r0c1 r1c0 r1c1 ... and r0c2 r0c3 r1c2 r1c3 ..., then rows 0-1 and rows 2-3.
  const __m128i o01 = _mm_unpacklo_epi16(out0, out1);
  const __m128i o23 = _mm_unpacklo_epi16(out2, out3);
  add_residual(dst, stride, _mm_unpacklo_epi32(o01, o23), _mm_unpackhi_epi32(o01, o23));
}

void idct_dc_add_sse2(int16_t dc, uint8_t* dst, int stride) {
  const __m128i delta = _mm_srai_epi16(_mm_add_epi16(_mm_set1_epi16(dc), _mm_set1_epi16(4)), 3);
  add_residual(dst, stride, delta, delta);
}

// Each row of the 16x4 area in one register: the four deltas, each widened to its block's four
// 16-bit lanes.
void idct_dc_add_row_sse2(const int16_t dc[4], uint8_t* dst, int stride) {
  const __m128i dcs = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(dc));
  const __m128i deltas = _mm_srai_epi16(_mm_add_epi16(dcs, _mm_set1_epi16(4)), 3);
  const __m128i pairs = _mm_unpacklo_epi16(deltas, deltas);  // d0 d0 d1 d1 d2 d2 d3 d3
  const __m128i left = _mm_unpacklo_epi32(pairs, pairs);     // d0 x4, d1 x4
  const __m128i right = _mm_unpackhi_epi32(pairs, pairs);    // d2 x4, d3 x4
  const __m128i zero = _mm_setzero_si128();
  for (int r = 0; r < 4; ++r) {
    uint8_t* row = dst + r * stride;
    const __m128i pred = _mm_loadu_si128(reinterpret_cast<const __m128i*>(row));
    const __m128i lo = _mm_adds_epi16(_mm_unpacklo_epi8(pred, zero), left);
    const __m128i hi = _mm_adds_epi16(_mm_unpackhi_epi8(pred, zero), right);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(row), _mm_packus_epi16(lo, hi));
  }
}

// One pass of the inverse WHT on a 4x4 block held as two registers of two 4-lane vectors each (x0 | x1
// and x2 | x3): the same butterflies on every lane, giving y0 | y1 and y2 | y3 where
// y0 = (x0 + x3) + (x1 + x2), y1 = (x1 - x2) + (x0 - x3), y2 = (x0 + x3) - (x1 + x2) and
// y3 = (x0 - x3) - (x1 - x2); 16-bit sums wrap, as the reference's int16 stores do.
void iwht_pass(__m128i x01, __m128i x23, __m128i& y01, __m128i& y23) {
  const __m128i x32 = _mm_shuffle_epi32(x23, _MM_SHUFFLE(1, 0, 3, 2));
  const __m128i sums = _mm_add_epi16(x01, x32);   // x0 + x3 | x1 + x2
  const __m128i diffs = _mm_sub_epi16(x01, x32);  // x0 - x3 | x1 - x2
  const __m128i sums_swapped = _mm_shuffle_epi32(sums, _MM_SHUFFLE(1, 0, 3, 2));
  const __m128i diffs_swapped = _mm_shuffle_epi32(diffs, _MM_SHUFFLE(1, 0, 3, 2));
  y01 = _mm_unpacklo_epi64(_mm_add_epi16(sums, sums_swapped), _mm_add_epi16(diffs_swapped, diffs));
  y23 = _mm_unpacklo_epi64(_mm_sub_epi16(sums, sums_swapped), _mm_sub_epi16(diffs, diffs_swapped));
}

void iwht_sse2(const int16_t in[16], int16_t* out) {
  // First pass down the columns: with a row per 4-lane vector the butterflies are lane-wise.
  __m128i t01, t23;
  iwht_pass(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in)),
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 8)), t01, t23);
  // Transpose, so that each 4-lane vector holds one column (lane r = row r), then the second pass
  // along the rows, the same butterflies.
  const __m128i u01 = _mm_unpacklo_epi16(t01, _mm_unpackhi_epi64(t01, t01));  // r0c0 r1c0 r0c1 r1c1 ...
  const __m128i u23 = _mm_unpacklo_epi16(t23, _mm_unpackhi_epi64(t23, t23));  // r2c0 r3c0 r2c1 r3c1 ...
  __m128i o01, o23;
  iwht_pass(_mm_unpacklo_epi32(u01, u23), _mm_unpackhi_epi32(u01, u23), o01, o23);
  const __m128i three = _mm_set1_epi16(3);
  int16_t result[16];  // output column c, row r at 4 * c + r
  _mm_storeu_si128(reinterpret_cast<__m128i*>(result), _mm_srai_epi16(_mm_add_epi16(o01, three), 3));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(result + 8), _mm_srai_epi16(_mm_add_epi16(o23, three), 3));
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) out[16 * (4 * r + c)] = result[4 * c + r];
  }
}

}  // namespace

void detail::install_idct_sse2(Dsp& d) {
  d.idct_add = idct_add_sse2;
  d.idct_dc_add = idct_dc_add_sse2;
  d.idct_dc_add_row = idct_dc_add_row_sse2;
  d.iwht = iwht_sse2;
}

}  // namespace xc::vp8::dsp
