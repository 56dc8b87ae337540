// AVX2 macroblock-edge loop filter (RFC 6386 §15.3) on a macroblock's three planes at once,
// bit-exact with dsp_c.cc: loop_filter_math.hh's filter on 256-bit registers, the luma edge's 16
// segments in the low 128-bit half and the U and V edges' 8 + 8 in the high half, which the SSE2
// kernels filter in two passes.
#include <immintrin.h>

#include "vp8/dsp/dsp_internal.hh"
#include "vp8/dsp/x86/loop_filter_math.hh"
#include "vp8/dsp/x86/pixels_sse2.hh"

namespace xc::vp8::dsp {
namespace {

using Px = Pixels<__m256i>;
using Lim = Limits<__m256i>;

[[gnu::always_inline]] inline __m256i join(__m128i low, __m128i high) {
  return _mm256_inserti128_si256(_mm256_castsi128_si256(low), high, 1);
}

// Horizontal edge: position k across it is row k - 4 of each plane; a luma row of 16 in the low
// half, a U row of 8 and a V row of 8 in the high half.
void mb_hedge_yuv_avx2(uint8_t* y, int y_stride, uint8_t* u, uint8_t* v, int uv_stride,
                       int edge_limit, int interior_limit, int hev_threshold) {
  const Lim l(edge_limit, interior_limit, hev_threshold);
  Px x;
  for (int k = 0; k < 8; ++k) {
    const int at = (k - 4) * uv_stride;
    x.v[k] = join(load_pixels<16>(y + (k - 4) * y_stride),
                  _mm_unpacklo_epi64(load_pixels<8>(u + at), load_pixels<8>(v + at)));
  }
  mb_filter(x, l);
  for (int k = 1; k < 7; ++k) {  // p2..q2, the rows the filter can change
    const int at = (k - 4) * uv_stride;
    const __m128i chroma = _mm256_extracti128_si256(x.v[k], 1);
    store_pixels<16>(y + (k - 4) * y_stride, _mm256_castsi256_si128(x.v[k]));
    store_pixels<8>(u + at, chroma);
    store_pixels<8>(v + at, _mm_unpackhi_epi64(chroma, chroma));
  }
}

// Vertical edge: row r (p3..q3, 8 pixels) of the luma edge in the low half and row r of the chroma
// edges (U rows 0..7, then V rows 0..7) in the high half, transposed in each half so that the
// filter sees the layout of a horizontal edge.
void mb_vedge_yuv_avx2(uint8_t* y, int y_stride, uint8_t* u, uint8_t* v, int uv_stride,
                       int edge_limit, int interior_limit, int hev_threshold) {
  const Lim l(edge_limit, interior_limit, hev_threshold);
  auto luma_row = [&](int r) { return y + r * y_stride - 4; };
  auto chroma_row = [&](int r) {
    return (r < 8 ? u + r * uv_stride : v + (r - 8) * uv_stride) - 4;
  };
  __m256i rows[16];
  for (int r = 0; r < 16; ++r)
    rows[r] = join(load_pixels<8>(luma_row(r)), load_pixels<8>(chroma_row(r)));
  Px x;
  rows_to_columns<16, 8>(rows, x.v);
  mb_filter(x, l);
  eight_columns_to_rows<16>(x.v, rows);
  for (int r = 0; r < 16; ++r) {
    store_pixels<8>(luma_row(r), _mm256_castsi256_si128(rows[r]));
    store_pixels<8>(chroma_row(r), _mm256_extracti128_si256(rows[r], 1));
  }
}

}  // namespace

void detail::install_loop_filter_avx2(Dsp& d) {
  d.mb_filter_vedge_yuv = mb_vedge_yuv_avx2;
  d.mb_filter_hedge_yuv = mb_hedge_yuv_avx2;
}

}  // namespace xc::vp8::dsp
