// SSE2 intra predictors (RFC 6386 §12.2-12.3): the whole-block DC, V, H and TM modes (16x16 luma, 8x8
// chroma) and the 4x4 subblock B_DC_PRED, B_TM_PRED, B_VE_PRED and B_HE_PRED, bit-exact with dsp_c.cc.
// The other six subblock modes stay scalar.
#include <emmintrin.h>

#include <cstring>

#include "vp8/dsp/dsp_internal.hh"
#include "vp8/dsp/x86/pixels_sse2.hh"

namespace xc::vp8::dsp {
namespace {

// The sum of N pixels (N = 4, 8 or 16), by _mm_sad_epu8 against zero.
template <int N>
int pixel_sum(const uint8_t* p) {
  const __m128i sad = _mm_sad_epu8(load_pixels<N>(p), _mm_setzero_si128());
  if constexpr (N == 16) {
    return _mm_cvtsi128_si32(sad) + _mm_cvtsi128_si32(_mm_unpackhi_epi64(sad, sad));
  } else {
    return _mm_cvtsi128_si32(sad);
  }
}

template <int N>
void fill_rows(uint8_t* dst, int stride, __m128i row) {
  for (int r = 0; r < N; ++r) store_pixels<N>(dst + r * stride, row);
}

template <int N>
constexpr int kLog2 = N == 16 ? 4 : N == 8 ? 3 : 2;

template <int N>
void pred_dc(uint8_t* dst, int stride, const uint8_t* above, const uint8_t* left) {
  constexpr int shift = kLog2<N> + 1;
  const int sum = pixel_sum<N>(above) + pixel_sum<N>(left);
  fill_rows<N>(dst, stride, _mm_set1_epi8(char((sum + (1 << (shift - 1))) >> shift)));
}

template <int N>
void pred_dc_top(uint8_t* dst, int stride, const uint8_t* above, const uint8_t*) {
  fill_rows<N>(dst, stride, _mm_set1_epi8(char((pixel_sum<N>(above) + N / 2) >> kLog2<N>)));
}

template <int N>
void pred_dc_left(uint8_t* dst, int stride, const uint8_t*, const uint8_t* left) {
  fill_rows<N>(dst, stride, _mm_set1_epi8(char((pixel_sum<N>(left) + N / 2) >> kLog2<N>)));
}

template <int N>
void pred_dc_128(uint8_t* dst, int stride, const uint8_t*, const uint8_t*) {
  fill_rows<N>(dst, stride, _mm_set1_epi8(char(128)));
}

template <int N>
void pred_v(uint8_t* dst, int stride, const uint8_t* above, const uint8_t*) {
  fill_rows<N>(dst, stride, load_pixels<N>(above));
}

template <int N>
void pred_h(uint8_t* dst, int stride, const uint8_t*, const uint8_t* left) {
  for (int r = 0; r < N; ++r) store_pixels<N>(dst + r * stride, _mm_set1_epi8(char(left[r])));
}

// TM: row r is clamp255(left[r] + above[c] - above[-1]). above[c] - above[-1] (-255..255) is formed
// once in 16-bit lanes; adding left[r] gives -255..510, and the unsigned saturating pack is the clamp.
template <int N>
void pred_tm(uint8_t* dst, int stride, const uint8_t* above, const uint8_t* left) {
  const __m128i zero = _mm_setzero_si128();
  const __m128i a = load_pixels<N>(above);
  const __m128i corner = _mm_set1_epi16(above[-1]);
  const __m128i lo = _mm_sub_epi16(_mm_unpacklo_epi8(a, zero), corner);
  const __m128i hi = _mm_sub_epi16(_mm_unpackhi_epi8(a, zero), corner);  // used for N = 16 only
  for (int r = 0; r < N; ++r) {
    const __m128i l = _mm_set1_epi16(left[r]);
    store_pixels<N>(dst + r * stride, _mm_packus_epi16(_mm_add_epi16(lo, l), _mm_add_epi16(hi, l)));
  }
}

// (x + 2 y + z + 2) >> 2 in each byte lane: avg(x, z) rounds up where x + z is odd; taking that
// lost half off first makes the outer average round exactly as the scalar sum does.
__m128i avg3(__m128i x, __m128i y, __m128i z) {
  const __m128i odd = _mm_and_si128(_mm_xor_si128(x, z), _mm_set1_epi8(1));
  return _mm_avg_epu8(_mm_subs_epu8(_mm_avg_epu8(x, z), odd), y);
}

void pred4_dc(uint8_t* dst, int stride, const uint8_t* above, const uint8_t* left) {
  const int sum = pixel_sum<4>(above) + pixel_sum<4>(left);
  fill_rows<4>(dst, stride, _mm_set1_epi8(char((sum + 4) >> 3)));
}

// B_VE_PRED: each column is above[c] smoothed with its neighbours, above[-1] .. above[4].
void pred4_ve(uint8_t* dst, int stride, const uint8_t* above, const uint8_t*) {
  const __m128i edge = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(above - 1));  // above[-1..6]
  const __m128i row = avg3(edge, _mm_srli_si128(edge, 1), _mm_srli_si128(edge, 2));
  fill_rows<4>(dst, stride, row);
}

// B_HE_PRED: each row is left[r] smoothed with its neighbours, from the corner down to left[3],
// which stands in for the missing left[4].
void pred4_he(uint8_t* dst, int stride, const uint8_t* above, const uint8_t* left) {
  int32_t l;
  std::memcpy(&l, left, 4);
  // corner, left[0..3], left[3]
  const __m128i edge = _mm_or_si128(_mm_cvtsi32_si128(above[-1]),
                                    _mm_slli_si128(_mm_cvtsi32_si128(l), 1));
  const __m128i edge6 = _mm_or_si128(edge, _mm_slli_si128(_mm_cvtsi32_si128(left[3]), 5));
  const __m128i smooth = avg3(edge6, _mm_srli_si128(edge6, 1), _mm_srli_si128(edge6, 2));
  const __m128i twice = _mm_unpacklo_epi8(smooth, smooth);
  uint8_t rows[16];  // row r's value four times at 4 * r
  _mm_storeu_si128(reinterpret_cast<__m128i*>(rows), _mm_unpacklo_epi16(twice, twice));
  for (int r = 0; r < 4; ++r) std::memcpy(dst + r * stride, rows + 4 * r, 4);
}

template <int N>
struct WholeBlockPreds {
  static constexpr IntraPredFn dc = pred_dc<N>, v = pred_v<N>, h = pred_h<N>, tm = pred_tm<N>,
                               dc_top = pred_dc_top<N>, dc_left = pred_dc_left<N>, dc_128 = pred_dc_128<N>;
};

}  // namespace

void detail::install_intra_sse2(Dsp& d) {
  detail::install_whole_block_preds<WholeBlockPreds>(d);
  // intra_bmode order: B_DC_PRED, B_TM_PRED, B_VE_PRED, B_HE_PRED; the others keep the scalar ones.
  d.pred4[0] = pred4_dc;
  d.pred4[1] = pred_tm<4>;
  d.pred4[2] = pred4_ve;
  d.pred4[3] = pred4_he;
}

}  // namespace xc::vp8::dsp
