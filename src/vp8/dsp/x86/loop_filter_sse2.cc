// SSE2 loop filters (RFC 6386 §15.2-15.3): 16 or 8 segments at a time, bit-exact with dsp_c.cc.
#include <emmintrin.h>

#include "vp8/dsp/dsp_internal.hh"
#include "vp8/dsp/x86/pixels_sse2.hh"

namespace xc::vp8::dsp {
namespace {

// A group of segments, one register per position across the edge: v[0..7] = p3 p2 p1 p0 q0 q1 q2
// q3, lane i = segment i. The simple filter uses v[2..5] only.
struct Pixels {
  __m128i v[8];
};

// The filters below are forced inline into each edge kernel: as calls, the eight registers of a
// Pixels would go through memory.

// The limits of §15, one per lane. The comparisons below saturate at 255, which is exact because
// the legal limits (dsp.hh) are below 255.
struct Limits {
  __m128i edge, interior, hev;
  Limits(int edge_limit, int interior_limit, int hev_threshold)
      : edge(_mm_set1_epi8(static_cast<char>(edge_limit))),
        interior(_mm_set1_epi8(static_cast<char>(interior_limit))),
        hev(_mm_set1_epi8(static_cast<char>(hev_threshold))) {}
};

[[gnu::always_inline]] inline __m128i abs_diff(__m128i a, __m128i b) {
  return _mm_or_si128(_mm_subs_epu8(a, b), _mm_subs_epu8(b, a));
}

// All-ones lanes where a <= b (unsigned).
[[gnu::always_inline]] inline __m128i less_equal(__m128i a, __m128i b) {
  return _mm_cmpeq_epi8(_mm_subs_epu8(a, b), _mm_setzero_si128());
}

// 2 |p0 - q0| + |p1 - q1| / 2, saturated at 255.
[[gnu::always_inline]] inline __m128i edge_difference(const Pixels& x) {
  const __m128i d0 = abs_diff(x.v[3], x.v[4]);
  const __m128i d1 =
      _mm_and_si128(_mm_srli_epi16(abs_diff(x.v[2], x.v[5]), 1), _mm_set1_epi8(0x7f));
  return _mm_adds_epu8(_mm_adds_epu8(d0, d0), d1);
}

// The RFC's filter_yes, as a lane mask.
[[gnu::always_inline]] inline __m128i filter_mask(const Pixels& x, const Limits& l) {
  __m128i interior = abs_diff(x.v[0], x.v[1]);
  for (int k = 1; k < 7; ++k) {
    if (k != 3) interior = _mm_max_epu8(interior, abs_diff(x.v[k], x.v[k + 1]));
  }
  return _mm_and_si128(less_equal(interior, l.interior), less_equal(edge_difference(x), l.edge));
}

// The RFC's hev, as a lane mask.
[[gnu::always_inline]] inline __m128i hev_mask(const Pixels& x, const Limits& l) {
  const __m128i m = _mm_max_epu8(abs_diff(x.v[2], x.v[3]), abs_diff(x.v[5], x.v[4]));
  return _mm_andnot_si128(less_equal(m, l.hev), _mm_set1_epi8(-1));
}

// Pixels are filtered as signed values (u2s): flipping the top bit maps 0..255 to -128..127.
[[gnu::always_inline]] inline __m128i flip(__m128i v) { return _mm_xor_si128(v, _mm_set1_epi8(static_cast<char>(0x80))); }

// Arithmetic right shift of signed bytes, through 16-bit lanes holding each byte in their top half.
template <int kShift>
[[gnu::always_inline]] inline __m128i sra_epi8(__m128i v) {
  const __m128i lo = _mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8 + kShift);
  const __m128i hi = _mm_srai_epi16(_mm_unpackhi_epi8(v, v), 8 + kShift);
  return _mm_packs_epi16(lo, hi);
}

// c(base + 3 (q0 - p0)) on signed values. Adding the saturated difference three times with
// saturation equals the RFC's single clamp: the partial sums move monotonically towards the sign
// of the difference, and a difference beyond -128..127 saturates the result either way.
[[gnu::always_inline]] inline __m128i add_three_edge_steps(__m128i base, __m128i ps0, __m128i qs0) {
  const __m128i d = _mm_subs_epi8(qs0, ps0);
  return _mm_adds_epi8(_mm_adds_epi8(_mm_adds_epi8(base, d), d), d);
}

// The RFC's common_adjust on the lanes where `a` is the already-masked filter value: q0 moves by
// c(a + 4) >> 3, p0 by c(a + 3) >> 3. Returns the first.
[[gnu::always_inline]] inline __m128i apply_common_adjust(__m128i a, __m128i& ps0, __m128i& qs0) {
  const __m128i f1 = sra_epi8<3>(_mm_adds_epi8(a, _mm_set1_epi8(4)));
  const __m128i f2 = sra_epi8<3>(_mm_adds_epi8(a, _mm_set1_epi8(3)));
  qs0 = _mm_subs_epi8(qs0, f1);
  ps0 = _mm_adds_epi8(ps0, f2);
  return f1;
}

[[gnu::always_inline]] inline void simple_filter(Pixels& x, const Limits& l) {
  const __m128i mask = less_equal(edge_difference(x), l.edge);
  __m128i ps1 = flip(x.v[2]), ps0 = flip(x.v[3]), qs0 = flip(x.v[4]), qs1 = flip(x.v[5]);
  const __m128i a = add_three_edge_steps(_mm_subs_epi8(ps1, qs1), ps0, qs0);
  apply_common_adjust(_mm_and_si128(a, mask), ps0, qs0);
  x.v[3] = flip(ps0);
  x.v[4] = flip(qs0);
}

[[gnu::always_inline]] inline void subblock_filter(Pixels& x, const Limits& l) {
  const __m128i mask = filter_mask(x, l);
  const __m128i hev = hev_mask(x, l);
  __m128i ps1 = flip(x.v[2]), ps0 = flip(x.v[3]), qs0 = flip(x.v[4]), qs1 = flip(x.v[5]);
  // Outer taps only with high edge variance.
  const __m128i outer = _mm_and_si128(_mm_subs_epi8(ps1, qs1), hev);
  const __m128i a = _mm_and_si128(add_three_edge_steps(outer, ps0, qs0), mask);
  const __m128i f1 = apply_common_adjust(a, ps0, qs0);
  // (f1 + 1) >> 1 moves p1 and q1, without high edge variance only; f1 is in -16..15.
  const __m128i half = _mm_andnot_si128(hev, sra_epi8<1>(_mm_adds_epi8(f1, _mm_set1_epi8(1))));
  qs1 = _mm_subs_epi8(qs1, half);
  ps1 = _mm_adds_epi8(ps1, half);
  x.v[2] = flip(ps1);
  x.v[3] = flip(ps0);
  x.v[4] = flip(qs0);
  x.v[5] = flip(qs1);
}

// c((weight * w + 63) >> 7) for signed bytes w, through 16-bit lanes (|weight * w| < 2^12).
[[gnu::always_inline]] inline __m128i weighted(__m128i w, int weight) {
  const __m128i k = _mm_set1_epi16(static_cast<int16_t>(weight));
  const __m128i round = _mm_set1_epi16(63);
  const __m128i lo = _mm_srai_epi16(_mm_unpacklo_epi8(w, w), 8);
  const __m128i hi = _mm_srai_epi16(_mm_unpackhi_epi8(w, w), 8);
  return _mm_packs_epi16(_mm_srai_epi16(_mm_add_epi16(_mm_mullo_epi16(lo, k), round), 7),
                         _mm_srai_epi16(_mm_add_epi16(_mm_mullo_epi16(hi, k), round), 7));
}

[[gnu::always_inline]] inline void mb_filter(Pixels& x, const Limits& l) {
  const __m128i mask = filter_mask(x, l);
  const __m128i hev = hev_mask(x, l);
  __m128i ps2 = flip(x.v[1]), ps1 = flip(x.v[2]), ps0 = flip(x.v[3]);
  __m128i qs0 = flip(x.v[4]), qs1 = flip(x.v[5]), qs2 = flip(x.v[6]);
  const __m128i w = _mm_and_si128(add_three_edge_steps(_mm_subs_epi8(ps1, qs1), ps0, qs0), mask);
  // With high edge variance: common_adjust with outer taps. Lanes without it get w = 0 here,
  // which moves nothing, and lanes with it get 0 in the weighted part below.
  apply_common_adjust(_mm_and_si128(w, hev), ps0, qs0);
  const __m128i wide = _mm_andnot_si128(hev, w);
  const __m128i a27 = weighted(wide, 27), a18 = weighted(wide, 18), a9 = weighted(wide, 9);
  x.v[1] = flip(_mm_adds_epi8(ps2, a9));
  x.v[2] = flip(_mm_adds_epi8(ps1, a18));
  x.v[3] = flip(_mm_adds_epi8(ps0, a27));
  x.v[4] = flip(_mm_subs_epi8(qs0, a27));
  x.v[5] = flip(_mm_subs_epi8(qs1, a18));
  x.v[6] = flip(_mm_subs_epi8(qs2, a9));
}

// --- Moving pixels in and out. kLanes is 16 or 8 segments; a filter reading kReach pixels on each
// side of the edge (4 for the normal filters, 2 for the simple one) loads and stores only those.

// Horizontal edge: position k across the edge is row k - 4 relative to q0.
template <int kLanes, int kReach, void (*kFilter)(Pixels&, const Limits&)>
void filter_hedge(uint8_t* q0, int stride, const Limits& l) {
  Pixels x{};
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
template <void (*kFilter)(Pixels&, const Limits&)>
void filter_hedge_pair(uint8_t* a, uint8_t* b, int stride, const Limits& l) {
  Pixels x{};
  for (int k = 0; k < 8; ++k) {
    x.v[k] = _mm_unpacklo_epi64(load_pixels<8>(a + (k - 4) * stride), load_pixels<8>(b + (k - 4) * stride));
  }
  kFilter(x, l);
  for (int k = 1; k < 7; ++k) {
    store_pixels<8>(a + (k - 4) * stride, x.v[k]);
    store_pixels<8>(b + (k - 4) * stride, _mm_unpackhi_epi64(x.v[k], x.v[k]));
  }
}

// Transposes kLanes rows (16 or 8) of kCols bytes (8 or 4, in the low bytes of `rows`) into kCols
// columns of kLanes bytes. Lanes beyond kLanes hold whatever is convenient.
template <int kLanes, int kCols>
[[gnu::always_inline]] inline void rows_to_columns(const __m128i rows[kLanes], __m128i cols[kCols]) {
  __m128i a[kLanes / 2], lo[kLanes / 4], hi[kLanes / 4];
  for (int k = 0; k < kLanes / 2; ++k) a[k] = _mm_unpacklo_epi8(rows[2 * k], rows[2 * k + 1]);
  for (int m = 0; m < kLanes / 4; ++m) {
    lo[m] = _mm_unpacklo_epi16(a[2 * m], a[2 * m + 1]);  // rows 4m..4m+3 of columns 0..3
    if (kCols == 8) hi[m] = _mm_unpackhi_epi16(a[2 * m], a[2 * m + 1]);  // of columns 4..7
  }
  for (int half = 0; half < kCols / 4; ++half) {
    const __m128i* b = half == 0 ? lo : hi;
    const __m128i top_even = _mm_unpacklo_epi32(b[0], b[1]);  // rows 0..7 of two columns
    const __m128i top_odd = _mm_unpackhi_epi32(b[0], b[1]);
    __m128i bottom_even = top_even, bottom_odd = top_odd;
    if constexpr (kLanes == 16) {
      bottom_even = _mm_unpacklo_epi32(b[2], b[3]);  // rows 8..15
      bottom_odd = _mm_unpackhi_epi32(b[2], b[3]);
    }
    cols[4 * half + 0] = _mm_unpacklo_epi64(top_even, bottom_even);
    cols[4 * half + 1] = _mm_unpackhi_epi64(top_even, bottom_even);
    cols[4 * half + 2] = _mm_unpacklo_epi64(top_odd, bottom_odd);
    cols[4 * half + 3] = _mm_unpackhi_epi64(top_odd, bottom_odd);
  }
}

// The inverse: kCols columns into kLanes rows of kCols bytes (in the low bytes of `rows`).
template <int kLanes, int kCols>
[[gnu::always_inline]] inline void columns_to_rows(const __m128i cols[kCols], __m128i rows[kLanes]) {
  __m128i pairs[2][kCols / 2];  // 16-bit lanes: one row (of 8) of two adjacent columns
  for (int k = 0; k < kCols / 2; ++k) {
    pairs[0][k] = _mm_unpacklo_epi8(cols[2 * k], cols[2 * k + 1]);
    if (kLanes == 16) pairs[1][k] = _mm_unpackhi_epi8(cols[2 * k], cols[2 * k + 1]);
  }
  for (int half = 0; half < kLanes / 8; ++half) {
    const __m128i* d = pairs[half];
    const __m128i left_lo = _mm_unpacklo_epi16(d[0], d[1]);  // rows 0..3, columns 0..3
    const __m128i left_hi = _mm_unpackhi_epi16(d[0], d[1]);  // rows 4..7
    __m128i* out = rows + 8 * half;
    if constexpr (kCols == 8) {
      const __m128i right_lo = _mm_unpacklo_epi16(d[2], d[3]);  // rows 0..3, columns 4..7
      const __m128i right_hi = _mm_unpackhi_epi16(d[2], d[3]);
      const __m128i quads[4] = {
          _mm_unpacklo_epi32(left_lo, right_lo), _mm_unpackhi_epi32(left_lo, right_lo),
          _mm_unpacklo_epi32(left_hi, right_hi), _mm_unpackhi_epi32(left_hi, right_hi)};
      for (int q = 0; q < 4; ++q) {
        out[2 * q] = quads[q];
        out[2 * q + 1] = _mm_unpackhi_epi64(quads[q], quads[q]);
      }
    } else {
      // Four bytes per row: each register holds four rows. (Byte shifts take immediates, so
      // unrolled: a loop counter is not one in unoptimised builds.)
      const __m128i fours[2] = {left_lo, left_hi};
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
template <int kLanes, int kReach, void (*kFilter)(Pixels&, const Limits&)>
void filter_vedge(uint8_t* q0, int stride, const Limits& l, uint8_t* second = nullptr) {
  constexpr int kCols = 2 * kReach;
  if (second == nullptr) second = q0 + 8 * stride;
  auto row = [&](int r) { return (r < 8 ? q0 + r * stride : second + (r - 8) * stride) - kReach; };
  __m128i rows[kLanes], cols[kCols];
  for (int r = 0; r < kLanes; ++r) rows[r] = load_pixels<kCols>(row(r));
  rows_to_columns<kLanes, kCols>(rows, cols);
  Pixels x{};
  for (int k = 0; k < kCols; ++k) x.v[4 - kReach + k] = cols[k];
  kFilter(x, l);
  for (int k = 0; k < kCols; ++k) cols[k] = x.v[4 - kReach + k];
  columns_to_rows<kLanes, kCols>(cols, rows);
  for (int r = 0; r < kLanes; ++r) store_pixels<kCols>(row(r), rows[r]);
}

// Runs the 16-lane version over each group of 16 segments, the 8-lane one over a remaining 8,
// and the scalar kernel over anything left (dsp.hh only promises multiples of 8).
template <bool kHorizontal, int kReach, void (*kFilter)(Pixels&, const Limits&)>
void filter_edge(uint8_t* p, int stride, const Limits& l, int& count) {
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

template <bool kHorizontal, void (*kFilter)(Pixels&, const Limits&), NormalFilterFn Dsp::*kScalar>
void normal_filter_sse2(uint8_t* p, int stride, int edge_limit, int interior_limit,
                        int hev_threshold, int count) {
  const int total = count;
  filter_edge<kHorizontal, 4, kFilter>(p, stride, Limits(edge_limit, interior_limit, hev_threshold),
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
  filter_edge<kHorizontal, 2, simple_filter>(p, stride, Limits(edge_limit, 0, 0), count);
  if (count > 0) {
    const int done = total - count;
    (scalar_dsp().*kScalar)(p + done * (kHorizontal ? 1 : stride), stride, edge_limit, count);
  }
}

template <bool kHorizontal, void (*kFilter)(Pixels&, const Limits&)>
void chroma_filter_sse2(uint8_t* u, uint8_t* v, int stride, int edge_limit, int interior_limit,
                        int hev_threshold) {
  const Limits l(edge_limit, interior_limit, hev_threshold);
  if constexpr (kHorizontal) {
    filter_hedge_pair<kFilter>(u, v, stride, l);
  } else {
    filter_vedge<16, 4, kFilter>(u, stride, l, v);
  }
}

// The three inner edges of a luma macroblock with its 16 rows (or, transposed, columns) held in
// registers: position k across the block is v[k]. Each edge reads positions e - 4 .. e + 3 and the
// subblock filter changes e - 2 .. e + 1.
[[gnu::always_inline]] inline void filter_inner_edges(__m128i v[16], const Limits& l) {
  for (int e = 4; e < 16; e += 4) {
    Pixels x;
    for (int k = 0; k < 8; ++k) x.v[k] = v[e - 4 + k];
    subblock_filter(x, l);
    for (int k = 2; k < 6; ++k) v[e - 4 + k] = x.v[k];
  }
}

void inner_hedges_sse2(uint8_t* p, int stride, int edge_limit, int interior_limit, int hev_threshold) {
  const Limits l(edge_limit, interior_limit, hev_threshold);
  __m128i rows[16];
  for (int r = 0; r < 16; ++r) rows[r] = load_pixels<16>(p + r * stride);
  filter_inner_edges(rows, l);
  for (int r = 2; r < 14; ++r) store_pixels<16>(p + r * stride, rows[r]);
}

// The vertical edges on the transposed block: its left and right eight columns each go through
// the 16-row transposes of filter_vedge, once in and once out for all three edges.
void inner_vedges_sse2(uint8_t* p, int stride, int edge_limit, int interior_limit, int hev_threshold) {
  const Limits l(edge_limit, interior_limit, hev_threshold);
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

}  // namespace

void detail::install_loop_filter_sse2(Dsp& d) {
  d.mb_filter_hedge_uv = chroma_filter_sse2<true, mb_filter>;
  d.mb_filter_vedge_uv = chroma_filter_sse2<false, mb_filter>;
  d.inner_filter_hedge_uv = chroma_filter_sse2<true, subblock_filter>;
  d.inner_filter_vedge_uv = chroma_filter_sse2<false, subblock_filter>;
  d.inner_filter_vedges = inner_vedges_sse2;
  d.inner_filter_hedges = inner_hedges_sse2;
  d.mb_filter_hedge = normal_filter_sse2<true, mb_filter, &Dsp::mb_filter_hedge>;
  d.mb_filter_vedge = normal_filter_sse2<false, mb_filter, &Dsp::mb_filter_vedge>;
  d.inner_filter_hedge = normal_filter_sse2<true, subblock_filter, &Dsp::inner_filter_hedge>;
  d.inner_filter_vedge = normal_filter_sse2<false, subblock_filter, &Dsp::inner_filter_vedge>;
  d.simple_filter_hedge = simple_filter_sse2<true, &Dsp::simple_filter_hedge>;
  d.simple_filter_vedge = simple_filter_sse2<false, &Dsp::simple_filter_vedge>;
}

}  // namespace xc::vp8::dsp
