// SSE2 inverse DCT with reconstruction (RFC 6386 §14.4-14.5), bit-exact with dsp_c.cc for every
// int16 input.
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

// Widens the low four int16 lanes to int32.
__m128i widen(__m128i v) { return _mm_srai_epi32(_mm_unpacklo_epi16(v, v), 16); }

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

  // Second pass, on the rows. Its sums reach 18 bits before the final shift, so they are formed in
  // 32-bit lanes; the multiplications still take 16-bit inputs and are exact in 16 bits.
  const __m128i x0 = widen(col0), x1 = widen(col1), x2 = widen(col2), x3 = widen(col3);
  const __m128i sin1 = _mm_add_epi32(widen(_mm_mulhi_epi16(col1, sin_k)), x1);
  const __m128i sin3 = _mm_add_epi32(widen(_mm_mulhi_epi16(col3, sin_k)), x3);
  const __m128i cos1 = _mm_add_epi32(widen(_mm_mulhi_epi16(col1, cos_k)), x1);
  const __m128i cos3 = _mm_add_epi32(widen(_mm_mulhi_epi16(col3, cos_k)), x3);
  const __m128i four = _mm_set1_epi32(4);
  const __m128i a2 = _mm_add_epi32(_mm_add_epi32(x0, x2), four);  // rounding folded in
  const __m128i b2 = _mm_add_epi32(_mm_sub_epi32(x0, x2), four);
  const __m128i c2 = _mm_sub_epi32(sin1, cos3);
  const __m128i d2 = _mm_add_epi32(cos1, sin3);
  // Output columns; |sum| < 2^17, so after >> 3 the int16 packs cannot saturate, just as the
  // reference's int16 store does not wrap.
  const __m128i out0 = _mm_srai_epi32(_mm_add_epi32(a2, d2), 3);
  const __m128i out1 = _mm_srai_epi32(_mm_add_epi32(b2, c2), 3);
  const __m128i out2 = _mm_srai_epi32(_mm_sub_epi32(b2, c2), 3);
  const __m128i out3 = _mm_srai_epi32(_mm_sub_epi32(a2, d2), 3);

  // Back to rows: transpose the 4x4 of int32, then narrow.
  const __m128i o01lo = _mm_unpacklo_epi32(out0, out1);  // r0c0 r0c1 r1c0 r1c1
  const __m128i o23lo = _mm_unpacklo_epi32(out2, out3);  // r0c2 r0c3 r1c2 r1c3
  const __m128i o01hi = _mm_unpackhi_epi32(out0, out1);  // r2c0 r2c1 r3c0 r3c1
  const __m128i o23hi = _mm_unpackhi_epi32(out2, out3);
  const __m128i r0 = _mm_unpacklo_epi64(o01lo, o23lo), r1 = _mm_unpackhi_epi64(o01lo, o23lo);
  const __m128i r2 = _mm_unpacklo_epi64(o01hi, o23hi), r3 = _mm_unpackhi_epi64(o01hi, o23hi);
  add_residual(dst, stride, _mm_packs_epi32(r0, r1), _mm_packs_epi32(r2, r3));
}

void idct_dc_add_sse2(int16_t dc, uint8_t* dst, int stride) {
  const __m128i delta = _mm_set1_epi16(static_cast<int16_t>((dc + 4) >> 3));
  add_residual(dst, stride, delta, delta);
}

}  // namespace

void detail::install_idct_sse2(Dsp& d) {
  d.idct_add = idct_add_sse2;
  d.idct_dc_add = idct_dc_add_sse2;
}

}  // namespace xc::vp8::dsp
