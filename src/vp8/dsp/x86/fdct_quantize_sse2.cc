// SSE2 forward DCT and quantizer for the encoder (RFC 6386 §14.1 and §14.4 in reverse), equal to
// the scalar ones in dsp_c.cc for every input in the ranges dsp.hh gives.
#include <emmintrin.h>

#include <algorithm>

#include "vp8/dsp/dsp_internal.hh"
#include "vp8/dsp/x86/pixels_sse2.hh"

namespace xc::vp8::dsp {
namespace {

// S and C in Q12, as in dsp_c.cc.
constexpr int16_t kS = 2217;
constexpr int16_t kC = 5352;

// Transposes a 4x4 int16 block held as two registers of two rows each (rows 0-1 and 2-3) into two
// registers of two columns each (columns 0-1 and 2-3).
void transpose4x4(__m128i rows01, __m128i rows23, __m128i& cols01, __m128i& cols23) {
  const __m128i a = _mm_unpacklo_epi16(rows01, rows23);  // r0c0 r2c0 r0c1 r2c1 r0c2 r2c2 r0c3 r2c3
  const __m128i b = _mm_unpackhi_epi16(rows01, rows23);  // the same for rows 1 and 3
  cols01 = _mm_unpacklo_epi16(a, b);                     // r0c0 r1c0 r2c0 r3c0 r0c1 r1c1 r2c1 r3c1
  cols23 = _mm_unpackhi_epi16(a, b);
}

__m128i swap_halves(__m128i v) { return _mm_shuffle_epi32(v, _MM_SHUFFLE(1, 0, 3, 2)); }

// The odd outputs of one pass, C d + S c and S d - C c in four lanes each, rounded by `round` and
// shifted right by kShift, packed as (first | second). `dc` holds d in its low half and c in its
// high half.
template <int kShift>
__m128i odd_outputs(__m128i dc) {
  const __m128i pairs = _mm_unpacklo_epi16(dc, swap_halves(dc));  // d0 c0 d1 c1 d2 c2 d3 c3
  const __m128i round = _mm_set1_epi32(1 << (kShift - 1));
  const __m128i first = _mm_madd_epi16(pairs, _mm_setr_epi16(kC, kS, kC, kS, kC, kS, kC, kS));
  const __m128i second = _mm_madd_epi16(pairs, _mm_setr_epi16(kS, -kC, kS, -kC, kS, -kC, kS, -kC));
  return _mm_packs_epi32(_mm_srai_epi32(_mm_add_epi32(first, round), kShift),
                         _mm_srai_epi32(_mm_add_epi32(second, round), kShift));
}

// Two 4-pixel rows of src - pred as eight int16 lanes.
__m128i residual_rows(const uint8_t* src, int src_stride, const uint8_t* pred, int pred_stride) {
  const __m128i zero = _mm_setzero_si128();
  const __m128i s = _mm_unpacklo_epi32(load_pixels<4>(src), load_pixels<4>(src + src_stride));
  const __m128i p = _mm_unpacklo_epi32(load_pixels<4>(pred), load_pixels<4>(pred + pred_stride));
  return _mm_sub_epi16(_mm_unpacklo_epi8(s, zero), _mm_unpacklo_epi8(p, zero));
}

// Every intermediate fits 16 bits for residuals within -255..255: the first pass gives at most
// 4 * 255 * 8 = 8160, the second's sums at most 4 * 8160 = 32640.
void fdct_sse2(const uint8_t* src, int src_stride, const uint8_t* pred, int pred_stride,
               int16_t out[16]) {
  const __m128i rows01 = residual_rows(src, src_stride, pred, pred_stride);
  const __m128i rows23 =
      residual_rows(src + 2 * src_stride, src_stride, pred + 2 * pred_stride, pred_stride);
  // First pass, one row per lane: columns x0 | x1 and x2 | x3.
  __m128i x01, x23;
  transpose4x4(rows01, rows23, x01, x23);
  const __m128i x32 = swap_halves(x23);
  const __m128i ab = _mm_slli_epi16(_mm_add_epi16(x01, x32), 3);  // a | b
  const __m128i dc = _mm_slli_epi16(_mm_sub_epi16(x01, x32), 3);  // d | c
  const __m128i ba = swap_halves(ab);
  const __m128i y02 = _mm_unpacklo_epi64(_mm_add_epi16(ab, ba), _mm_sub_epi16(ab, ba));  // y0 | y2
  const __m128i y13 = odd_outputs<12>(dc);                                               // y1 | y3
  // Second pass, one column per lane: the rows of the intermediate block are t0 | t1 and t2 | t3.
  __m128i t01, t23;
  transpose4x4(_mm_unpacklo_epi64(y02, y13), _mm_unpackhi_epi64(y02, y13), t01, t23);
  // The transpose of (y0 | y1), (y2 | y3) gives the rows in the order 0, 1 | 2, 3.
  const __m128i t32 = swap_halves(t23);
  const __m128i ab2 = _mm_add_epi16(t01, t32);  // a | b
  const __m128i dc2 = _mm_sub_epi16(t01, t32);  // d | c
  const __m128i ba2 = swap_halves(ab2);
  const __m128i eight = _mm_set1_epi16(8);
  const __m128i out02 = _mm_srai_epi16(
      _mm_add_epi16(_mm_unpacklo_epi64(_mm_add_epi16(ab2, ba2), _mm_sub_epi16(ab2, ba2)), eight),
      4);                                      // rows 0 | 2
  const __m128i out13 = odd_outputs<16>(dc2);  // rows 1 | 3
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_unpacklo_epi64(out02, out13));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 8), _mm_unpackhi_epi64(out02, out13));
}

// (x * r) >> 40 in each 32-bit lane, for x < 2^23 and r < 2^34 given per lane as r_lo + 2^32 r_hi.
// pmuludq multiplies lanes 0 and 2, so lanes 1 and 3 are shifted down for a second round.
__m128i multiply_shift40(__m128i x, __m128i r_lo, __m128i r_hi) {
  auto even_lanes = [](__m128i v, __m128i lo, __m128i hi) {
    const __m128i sum =
        _mm_add_epi64(_mm_mul_epu32(v, lo), _mm_slli_epi64(_mm_mul_epu32(v, hi), 32));
    return _mm_srli_epi64(sum, 40);  // below 2^17, in the low 32 bits of each quadword
  };
  const __m128i even = even_lanes(x, r_lo, r_hi);
  const __m128i odd =
      even_lanes(_mm_srli_epi64(x, 32), _mm_srli_epi64(r_lo, 32), _mm_srli_epi64(r_hi, 32));
  return _mm_or_si128(even, _mm_slli_epi64(odd, 32));
}

// The per-lane constants of a step, for lanes that all use it.
struct StepLanes {
  __m128i zero_below, add, r_lo, r_hi;
};

StepLanes lanes_of(const QuantizerStep& s) {
  return {_mm_set1_epi32(s.zero_below), _mm_set1_epi32(s.add),
          _mm_set1_epi32(static_cast<int32_t>(static_cast<uint32_t>(s.reciprocal))),
          _mm_set1_epi32(static_cast<int32_t>(s.reciprocal >> 32))};
}

// Lane 0 from `dc`, lanes 1-3 from `ac`.
StepLanes first_lanes(const QuantizerStep& dc, const QuantizerStep& ac) {
  const StepLanes a = lanes_of(ac), d = lanes_of(dc);
  const __m128i lane0 = _mm_setr_epi32(-1, 0, 0, 0);
  auto pick = [&](__m128i dv, __m128i av) {
    return _mm_or_si128(_mm_and_si128(lane0, dv), _mm_andnot_si128(lane0, av));
  };
  return {pick(d.zero_below, a.zero_below), pick(d.add, a.add), pick(d.r_lo, a.r_lo),
          pick(d.r_hi, a.r_hi)};
}

// Levels of four coefficients (sign-extended to 32 bits), unsigned and before the max_level clamp.
__m128i magnitudes(__m128i c, const StepLanes& s) {
  const __m128i sign = _mm_srai_epi32(c, 31);
  const __m128i m = _mm_slli_epi32(_mm_sub_epi32(_mm_xor_si128(c, sign), sign), 7);  // 128 |c|
  const __m128i level = multiply_shift40(_mm_add_epi32(m, s.add), s.r_lo, s.r_hi);
  return _mm_andnot_si128(_mm_cmplt_epi32(m, s.zero_below), level);
}

// The largest |c| of the block (|-32768| counted as 32767, which changes no comparison below).
int max_magnitude(__m128i c0, __m128i c1) {
  const __m128i zero = _mm_setzero_si128();
  const __m128i a = _mm_max_epi16(_mm_max_epi16(c0, _mm_subs_epi16(zero, c0)),
                                  _mm_max_epi16(c1, _mm_subs_epi16(zero, c1)));
  __m128i m = _mm_max_epi16(a, _mm_shuffle_epi32(a, _MM_SHUFFLE(1, 0, 3, 2)));
  m = _mm_max_epi16(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(2, 3, 0, 1)));
  m = _mm_max_epi16(m, _mm_shufflelo_epi16(m, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_extract_epi16(m, 0);
}

uint32_t quantize_sse2(const int16_t coeffs[16], const QuantizerStep& dc, const QuantizerStep& ac,
                       int first, int max_level, int16_t levels[16]) {
  // Most blocks of a good prediction lie wholly in the dead zone: every level is 0.
  const __m128i c0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(coeffs));
  const __m128i c1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(coeffs + 8));
  if (128 * max_magnitude(c0, c1) < std::min(dc.zero_below, ac.zero_below)) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(levels), _mm_setzero_si128());
    _mm_storeu_si128(reinterpret_cast<__m128i*>(levels + 8), _mm_setzero_si128());
    return 0;
  }
  const StepLanes ac_lanes = lanes_of(ac);
  const StepLanes first_group = first_lanes(dc, ac);
  const __m128i max = _mm_set1_epi16(static_cast<int16_t>(max_level));
  const __m128i zero = _mm_setzero_si128();
  __m128i zero_lanes[2];
  for (int half = 0; half < 2; ++half) {
    const __m128i c = half == 0 ? c0 : c1;
    // Sign-extended halves: coefficients 0-3 and 4-7 of this half.
    const __m128i lo = _mm_srai_epi32(_mm_unpacklo_epi16(c, c), 16);
    const __m128i hi = _mm_srai_epi32(_mm_unpackhi_epi16(c, c), 16);
    const __m128i level_lo = magnitudes(lo, half == 0 ? first_group : ac_lanes);
    const __m128i level_hi = magnitudes(hi, ac_lanes);
    // Below 2^17 before the clamp: packing saturates at 32767 >= max_level, then the clamp.
    __m128i level = _mm_min_epi16(_mm_packs_epi32(level_lo, level_hi), max);
    const __m128i sign = _mm_srai_epi16(c, 15);
    level = _mm_sub_epi16(_mm_xor_si128(level, sign), sign);
    if (half == 0 && first == 1)
      level = _mm_and_si128(level, _mm_setr_epi16(0, -1, -1, -1, -1, -1, -1, -1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(levels + 8 * half), level);
    zero_lanes[half] = _mm_cmpeq_epi16(level, zero);
  }
  // One byte per level, then one bit per byte.
  const uint32_t zeros =
      static_cast<uint32_t>(_mm_movemask_epi8(_mm_packs_epi16(zero_lanes[0], zero_lanes[1])));
  return ~zeros & 0xffffu;
}

}  // namespace

void detail::install_fdct_quantize_sse2(Dsp& d) {
  d.fdct = fdct_sse2;
  d.quantize = quantize_sse2;
}

}  // namespace xc::vp8::dsp
