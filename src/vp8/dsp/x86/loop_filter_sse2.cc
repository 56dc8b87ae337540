// SSE2 loop filters (RFC 6386 §15.2-15.3): 16 or 8 segments at a time, bit-exact with dsp_c.cc. The
// filters themselves are loop_filter_math.hh's; this file moves pixels in and out of registers.
#include <emmintrin.h>

#include "vp8/dsp/dsp_internal.hh"
#include "vp8/dsp/x86/loop_filter_math.hh"
#include "vp8/dsp/x86/pixels_sse2.hh"

namespace xc::vp8::dsp {
namespace {

using Px = Pixels<__m128i>;
using Lim = Limits<__m128i>;
using FilterFn = void (*)(Px&, const Lim&);
constexpr FilterFn kSimple = simple_filter<__m128i>;
constexpr FilterFn kSubblock = subblock_filter<__m128i>;
constexpr FilterFn kMb = mb_filter<__m128i>;

// --- Moving pixels in and out. kLanes is 16 or 8 segments; a filter reading kReach pixels on each
// side of the edge (4 for the normal filters, 2 for the simple one) loads and stores only those.

// Horizontal edge: position k across the edge is row k - 4 relative to q0.
template <int kLanes, int kReach, FilterFn kFilter>
void filter_hedge(uint8_t* q0, int stride, const Lim& l) {
  Px x{};
  for (int k = 4 - kReach; k < 4 + kReach; ++k) x.v[k] = load_pixels<kLanes>(q0 + (k - 4) * stride);
  kFilter(x, l);
  // Only the positions a filter can change: p2..q2 for the normal filters, p0 and q0 for the
  // simple.
  const int changed = kReach == 4 ? 3 : 1;
  for (int k = 4 - changed; k < 4 + changed; ++k)
    store_pixels<kLanes>(q0 + (k - 4) * stride, x.v[k]);
}

// The same edge of two planes with the same stride (U and V), eight segments of each: lanes 0..7
// are `a`'s, 8..15 `b`'s.
template <FilterFn kFilter>
void filter_hedge_pair(uint8_t* a, uint8_t* b, int stride, const Lim& l) {
  Px x{};
  for (int k = 0; k < 8; ++k) {
    x.v[k] = _mm_unpacklo_epi64(load_pixels<8>(a + (k - 4) * stride), load_pixels<8>(b + (k - 4) * stride));
  }
  kFilter(x, l);
  for (int k = 1; k < 7; ++k) {
    store_pixels<8>(a + (k - 4) * stride, x.v[k]);
    store_pixels<8>(b + (k - 4) * stride, _mm_unpackhi_epi64(x.v[k], x.v[k]));
  }
}

// The inverse: kCols columns into kLanes rows of kCols bytes (in the low bytes of `rows`).
template <int kLanes, int kCols>
[[gnu::always_inline]] inline void columns_to_rows(const __m128i cols[kCols], __m128i rows[kLanes]) {
  if constexpr (kCols == 8) {
    eight_columns_to_rows<kLanes>(cols, rows);
  } else {
    __m128i pairs[2][2];  // 16-bit lanes: one row (of 8) of two adjacent columns
    for (int k = 0; k < 2; ++k) {
      pairs[0][k] = _mm_unpacklo_epi8(cols[2 * k], cols[2 * k + 1]);
      if (kLanes == 16) pairs[1][k] = _mm_unpackhi_epi8(cols[2 * k], cols[2 * k + 1]);
    }
    for (int half = 0; half < kLanes / 8; ++half) {
      // Four bytes per row: each register holds four rows. (Byte shifts take immediates, so
      // unrolled: a loop counter is not one in unoptimised builds.)
      const __m128i fours[2] = {_mm_unpacklo_epi16(pairs[half][0], pairs[half][1]),   // rows 0..3
                                _mm_unpackhi_epi16(pairs[half][0], pairs[half][1])};  // rows 4..7
      __m128i* out = rows + 8 * half;
      for (int f = 0; f < 2; ++f) {
        out[4 * f + 0] = fours[f];
        out[4 * f + 1] = _mm_srli_si128(fours[f], 4);
        out[4 * f + 2] = _mm_srli_si128(fours[f], 8);
        out[4 * f + 3] = _mm_srli_si128(fours[f], 12);
      }
    }
  }
}

// Vertical edge: each row is one segment, transposed so that the filters see the same layout as for
// a horizontal edge. With kReach 2 the row holds p1 p0 q0 q1 in columns 0..3, placed at v[2..5].
// Rows 8..15 (segments 8..15) start at `second`, which is q0 + 8 * stride except when a pair of
// planes is filtered together.
template <int kLanes, int kReach, FilterFn kFilter>
void filter_vedge(uint8_t* q0, int stride, const Lim& l, uint8_t* second = nullptr) {
  constexpr int kCols = 2 * kReach;
  if (second == nullptr) second = q0 + 8 * stride;
  auto row = [&](int r) { return (r < 8 ? q0 + r * stride : second + (r - 8) * stride) - kReach; };
  __m128i rows[kLanes], cols[kCols];
  for (int r = 0; r < kLanes; ++r) rows[r] = load_pixels<kCols>(row(r));
  rows_to_columns<kLanes, kCols>(rows, cols);
  Px x{};
  for (int k = 0; k < kCols; ++k) x.v[4 - kReach + k] = cols[k];
  kFilter(x, l);
  for (int k = 0; k < kCols; ++k) cols[k] = x.v[4 - kReach + k];
  columns_to_rows<kLanes, kCols>(cols, rows);
  for (int r = 0; r < kLanes; ++r) store_pixels<kCols>(row(r), rows[r]);
}

// Runs the 16-lane version over each group of 16 segments, the 8-lane one over a remaining 8,
// and the scalar kernel over anything left (dsp.hh only promises multiples of 8).
template <bool kHorizontal, int kReach, FilterFn kFilter>
void filter_edge(uint8_t* p, int stride, const Lim& l, int& count) {
  const int along = kHorizontal ? 1 : stride;
  for (; count >= 16; count -= 16, p += 16 * along) {
    if constexpr (kHorizontal) {
      filter_hedge<16, kReach, kFilter>(p, stride, l);
    } else {
      filter_vedge<16, kReach, kFilter>(p, stride, l);
    }
  }
  if (count >= 8) {
    if constexpr (kHorizontal) {
      filter_hedge<8, kReach, kFilter>(p, stride, l);
    } else {
      filter_vedge<8, kReach, kFilter>(p, stride, l);
    }
    count -= 8;
  }
}

template <bool kHorizontal, FilterFn kFilter, NormalFilterFn Dsp::*kScalar>
void normal_filter_sse2(uint8_t* p, int stride, int edge_limit, int interior_limit,
                        int hev_threshold, int count) {
  const int total = count;
  filter_edge<kHorizontal, 4, kFilter>(p, stride, Lim(edge_limit, interior_limit, hev_threshold),
                                       count);
  if (count > 0) {
    const int done = total - count;
    (scalar_dsp().*kScalar)(p + done * (kHorizontal ? 1 : stride), stride, edge_limit,
                            interior_limit, hev_threshold, count);
  }
}

template <bool kHorizontal, SimpleFilterFn Dsp::*kScalar>
void simple_filter_sse2(uint8_t* p, int stride, int edge_limit, int count) {
  const int total = count;
  filter_edge<kHorizontal, 2, kSimple>(p, stride, Lim(edge_limit, 0, 0), count);
  if (count > 0) {
    const int done = total - count;
    (scalar_dsp().*kScalar)(p + done * (kHorizontal ? 1 : stride), stride, edge_limit, count);
  }
}

template <bool kHorizontal, FilterFn kFilter>
void chroma_filter_sse2(uint8_t* u, uint8_t* v, int stride, int edge_limit, int interior_limit,
                        int hev_threshold) {
  const Lim l(edge_limit, interior_limit, hev_threshold);
  if constexpr (kHorizontal) {
    filter_hedge_pair<kFilter>(u, v, stride, l);
  } else {
    filter_vedge<16, 4, kFilter>(u, stride, l, v);
  }
}

// The three inner edges of a luma macroblock with its 16 rows (or, transposed, columns) held in
// registers: position k across the block is v[k]. Each edge reads positions e - 4 .. e + 3 and the
// subblock filter changes e - 2 .. e + 1.
[[gnu::always_inline]] inline void filter_inner_edges(__m128i v[16], const Lim& l) {
  for (int e = 4; e < 16; e += 4) {
    Px x;
    for (int k = 0; k < 8; ++k) x.v[k] = v[e - 4 + k];
    kSubblock(x, l);
    for (int k = 2; k < 6; ++k) v[e - 4 + k] = x.v[k];
  }
}

void inner_hedges_sse2(uint8_t* p, int stride, int edge_limit, int interior_limit, int hev_threshold) {
  const Lim l(edge_limit, interior_limit, hev_threshold);
  __m128i rows[16];
  for (int r = 0; r < 16; ++r) rows[r] = load_pixels<16>(p + r * stride);
  filter_inner_edges(rows, l);
  for (int r = 2; r < 14; ++r) store_pixels<16>(p + r * stride, rows[r]);
}

// The vertical edges on the transposed block: its left and right eight columns each go through
// the 16-row transposes of filter_vedge, once in and once out for all three edges.
void inner_vedges_sse2(uint8_t* p, int stride, int edge_limit, int interior_limit, int hev_threshold) {
  const Lim l(edge_limit, interior_limit, hev_threshold);
  __m128i rows[16], halves[16], cols[16];
  for (int r = 0; r < 16; ++r) {
    rows[r] = load_pixels<16>(p + r * stride);
    halves[r] = _mm_srli_si128(rows[r], 8);
  }
  rows_to_columns<16, 8>(rows, cols);
  rows_to_columns<16, 8>(halves, cols + 8);
  filter_inner_edges(cols, l);
  columns_to_rows<16, 8>(cols, rows);
  columns_to_rows<16, 8>(cols + 8, halves);
  for (int r = 0; r < 16; ++r) store_pixels<16>(p + r * stride, _mm_unpacklo_epi64(rows[r], halves[r]));
}

// A macroblock edge of the three planes: luma, then U and V together.
template <bool kHorizontal>
void mb_edge_yuv_sse2(uint8_t* y, int y_stride, uint8_t* u, uint8_t* v, int uv_stride, int edge_limit,
                      int interior_limit, int hev_threshold) {
  const Lim l(edge_limit, interior_limit, hev_threshold);
  if constexpr (kHorizontal) {
    filter_hedge<16, 4, kMb>(y, y_stride, l);
    filter_hedge_pair<kMb>(u, v, uv_stride, l);
  } else {
    filter_vedge<16, 4, kMb>(y, y_stride, l);
    filter_vedge<16, 4, kMb>(u, uv_stride, l, v);
  }
}

}  // namespace

void detail::install_loop_filter_sse2(Dsp& d) {
  d.mb_filter_hedge_uv = chroma_filter_sse2<true, kMb>;
  d.mb_filter_vedge_uv = chroma_filter_sse2<false, kMb>;
  d.inner_filter_hedge_uv = chroma_filter_sse2<true, kSubblock>;
  d.inner_filter_vedge_uv = chroma_filter_sse2<false, kSubblock>;
  d.inner_filter_vedges = inner_vedges_sse2;
  d.inner_filter_hedges = inner_hedges_sse2;
  d.mb_filter_vedge_yuv = mb_edge_yuv_sse2<false>;
  d.mb_filter_hedge_yuv = mb_edge_yuv_sse2<true>;
  d.mb_filter_hedge = normal_filter_sse2<true, kMb, &Dsp::mb_filter_hedge>;
  d.mb_filter_vedge = normal_filter_sse2<false, kMb, &Dsp::mb_filter_vedge>;
  d.inner_filter_hedge = normal_filter_sse2<true, kSubblock, &Dsp::inner_filter_hedge>;
  d.inner_filter_vedge = normal_filter_sse2<false, kSubblock, &Dsp::inner_filter_vedge>;
  d.simple_filter_hedge = simple_filter_sse2<true, &Dsp::simple_filter_hedge>;
  d.simple_filter_vedge = simple_filter_sse2<false, &Dsp::simple_filter_vedge>;
}

}  // namespace xc::vp8::dsp
