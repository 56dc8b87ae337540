// SSE2 intra predictors (RFC 6386 §12.2-12.3): the whole-block DC, V, H and TM modes (16x16 luma, 8x8
// chroma) and all ten 4x4 subblock modes, bit-exact with dsp_c.cc.
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

// --- The six diagonal subblock modes. Each output pixel is a two- or three-tap average of edge
// pixels along its diagonal, so one register of averages of consecutive edge pixels holds every value
// a block needs, and each row of the block is four consecutive bytes of it (or of two such registers
// interleaved), at most with its first or last byte taken from elsewhere.

// (x + y + 1) >> 1 and (x + 2 y + z + 2) >> 2 of bytes j, j + 1 (and j + 2) of `edge`, in byte j.
__m128i avg2_next(__m128i edge) { return _mm_avg_epu8(edge, _mm_srli_si128(edge, 1)); }
__m128i avg3_next(__m128i edge) { return avg3(edge, _mm_srli_si128(edge, 1), _mm_srli_si128(edge, 2)); }

// Bytes of a register, for assembling rows.
struct Bytes {
  alignas(16) uint8_t b[16];
  explicit Bytes(__m128i v) { _mm_store_si128(reinterpret_cast<__m128i*>(b), v); }
  // Bytes k .. k + 3 as a row (little-endian: byte k is the left pixel).
  uint32_t row(int k) const {
    uint32_t v;
    std::memcpy(&v, b + k, 4);
    return v;
  }
};

void put_row(uint8_t* dst, int stride, int r, uint32_t row) { std::memcpy(dst + r * stride, &row, 4); }

// The RFC's edge array E in bytes 0..8 (left[3], left[2], left[1], left[0], the corner, above[0..3]),
// then above[4..6].
__m128i left_corner_above(const uint8_t* above, const uint8_t* left) {
  uint32_t l;
  std::memcpy(&l, left, 4);
  return _mm_or_si128(_mm_cvtsi32_si128(int(__builtin_bswap32(l))),
                      _mm_slli_si128(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(above - 1)), 4));
}

// B_LD_PRED: diagonal r + c = d is the smoothed above[d + 1]; above[7] stands in for above[8].
void pred4_ld(uint8_t* dst, int stride, const uint8_t* above, const uint8_t*) {
  const __m128i a = load_pixels<8>(above);
  const __m128i edge = _mm_or_si128(a, _mm_slli_si128(_mm_srli_si128(a, 7), 8));  // above[0..7], above[7]
  const Bytes s(avg3_next(edge));
  for (int r = 0; r < 4; ++r) put_row(dst, stride, r, s.row(r));
}

// B_RD_PRED: diagonal c - r = d is the smoothed E[4 + d], byte 3 + d of the averages.
void pred4_rd(uint8_t* dst, int stride, const uint8_t* above, const uint8_t* left) {
  const Bytes s(avg3_next(left_corner_above(above, left)));
  for (int r = 0; r < 4; ++r) put_row(dst, stride, r, s.row(3 - r));
}

// B_VR_PRED (the order of dsp_c.cc's pred4_vr): rows 0 and 1 are two- and three-tap averages along
// the above row; rows 2 and 3 repeat them one column to the right, below a left-column pixel.
void pred4_vr(uint8_t* dst, int stride, const uint8_t* above, const uint8_t* left) {
  const __m128i edge = left_corner_above(above, left);
  const Bytes s2(avg2_next(edge)), s3(avg3_next(edge));  // byte j: avg2p(j), avg3p(j + 1)
  put_row(dst, stride, 0, s2.row(4));
  put_row(dst, stride, 1, s3.row(3));
  put_row(dst, stride, 2, (s2.row(3) & ~0xffu) | s3.b[2]);
  put_row(dst, stride, 3, (s3.row(2) & ~0xffu) | s3.b[1]);
}

// B_HD_PRED: two- and three-tap averages interleaved, each row two pixels up the edge from the one
// below it; the top row ends on the above row.
void pred4_hd(uint8_t* dst, int stride, const uint8_t* above, const uint8_t* left) {
  const __m128i edge = left_corner_above(above, left);
  const __m128i s2 = avg2_next(edge), s3 = avg3_next(edge);
  const Bytes mixed(_mm_unpacklo_epi8(s2, s3));  // avg2p(0), avg3p(1), avg2p(1), avg3p(2), ...
  const Bytes t2(s2), t3(s3);
  put_row(dst, stride, 0, (t3.row(2) & ~0xffu) | t2.b[3]);
  for (int r = 1; r < 4; ++r) put_row(dst, stride, r, mixed.row(2 * (3 - r)));
}

// B_VL_PRED: rows 0 and 1 are two- and three-tap averages along the above row, rows 2 and 3 the same
// one pixel on, except their last pixels, which break the pattern (§12.3).
void pred4_vl(uint8_t* dst, int stride, const uint8_t* above, const uint8_t*) {
  const __m128i a = load_pixels<8>(above);
  const Bytes p2(avg2_next(a)), p3(avg3_next(a));  // byte j: avg2(A[j], A[j + 1]), avg3 around A[j + 1]
  put_row(dst, stride, 0, p2.row(0));
  put_row(dst, stride, 1, p3.row(0));
  put_row(dst, stride, 2, (p2.row(1) & 0xffffffu) | uint32_t(p3.b[4]) << 24);
  put_row(dst, stride, 3, (p3.row(1) & 0xffffffu) | uint32_t(p3.b[5]) << 24);
}

// B_HU_PRED: two- and three-tap averages down the left column interleaved, each row two pixels on;
// left[3] stands in for the pixels below, so the bottom rows fill with it.
void pred4_hu(uint8_t* dst, int stride, const uint8_t*, const uint8_t* left) {
  const __m128i l = load_pixels<4>(left);
  const __m128i last = _mm_set1_epi8(char(left[3]));
  const __m128i edge = _mm_or_si128(l, _mm_slli_si128(_mm_srli_si128(last, 12), 4));  // left[0..3], then left[3]
  const Bytes mixed(_mm_unpacklo_epi8(avg2_next(edge), avg3_next(edge)));
  for (int r = 0; r < 4; ++r) put_row(dst, stride, r, mixed.row(2 * r));
}

template <int N>
struct WholeBlockPreds {
  static constexpr IntraPredFn dc = pred_dc<N>, v = pred_v<N>, h = pred_h<N>, tm = pred_tm<N>,
                               dc_top = pred_dc_top<N>, dc_left = pred_dc_left<N>, dc_128 = pred_dc_128<N>;
};

}  // namespace

void detail::install_intra_sse2(Dsp& d) {
  detail::install_whole_block_preds<WholeBlockPreds>(d);
  // intra_bmode order (§8.1): B_DC_PRED, B_TM_PRED, B_VE_PRED, B_HE_PRED, B_LD_PRED, B_RD_PRED,
  // B_VR_PRED, B_VL_PRED, B_HD_PRED, B_HU_PRED.
  d.pred4[0] = pred4_dc;
  d.pred4[1] = pred_tm<4>;
  d.pred4[2] = pred4_ve;
  d.pred4[3] = pred4_he;
  d.pred4[4] = pred4_ld;
  d.pred4[5] = pred4_rd;
  d.pred4[6] = pred4_vr;
  d.pred4[7] = pred4_vl;
  d.pred4[8] = pred4_hd;
  d.pred4[9] = pred4_hu;
}

}  // namespace xc::vp8::dsp
