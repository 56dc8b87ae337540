// The loop filters of RFC 6386 §15.2-15.3 on registers of byte lanes, one segment per lane, written
// once for 128-bit registers (SSE2, 16 segments) and 256-bit ones (AVX2, 32 segments in two
// independent 128-bit halves): every operation here works lane by lane or within a 128-bit half,
// so the two halves of a 256-bit register filter two unrelated groups of 16 segments. Bit-exact
// with dsp_c.cc. Included by loop_filter_sse2.cc and (compiled with -mavx2) loop_filter_avx2.cc.
#pragma once

#include <immintrin.h>

// The register types as template arguments lose their may_alias and alignment attributes, which
// matter only for pointers to them: these templates pass registers by value and never point at
// memory through them. (Files that include this one name the same instantiations.)
#pragma GCC diagnostic ignored "-Wignored-attributes"

namespace xc::vp8::dsp {
// Internal linkage on purpose: files compiled for different instruction sets each get their own
// copy, instead of the linker keeping one of them for all.
namespace {

// The instructions the filters use, for a register type V.
template <typename V>
struct Ops;

template <>
struct Ops<__m128i> {
  using V = __m128i;
  static V bytes(int b) { return _mm_set1_epi8(static_cast<char>(b)); }
  static V words(int w) { return _mm_set1_epi16(static_cast<int16_t>(w)); }
  static V zero() { return _mm_setzero_si128(); }
  static V subs_epu8(V a, V b) { return _mm_subs_epu8(a, b); }
  static V adds_epu8(V a, V b) { return _mm_adds_epu8(a, b); }
  static V subs_epi8(V a, V b) { return _mm_subs_epi8(a, b); }
  static V adds_epi8(V a, V b) { return _mm_adds_epi8(a, b); }
  static V max_epu8(V a, V b) { return _mm_max_epu8(a, b); }
  static V cmpeq_epi8(V a, V b) { return _mm_cmpeq_epi8(a, b); }
  static V and_(V a, V b) { return _mm_and_si128(a, b); }
  static V andnot(V a, V b) { return _mm_andnot_si128(a, b); }
  static V or_(V a, V b) { return _mm_or_si128(a, b); }
  static V xor_(V a, V b) { return _mm_xor_si128(a, b); }
  static V srli_epi16(V a, int n) { return _mm_srli_epi16(a, n); }
  static V srai_epi16(V a, int n) { return _mm_srai_epi16(a, n); }
  static V mullo_epi16(V a, V b) { return _mm_mullo_epi16(a, b); }
  static V add_epi16(V a, V b) { return _mm_add_epi16(a, b); }
  static V packs_epi16(V a, V b) { return _mm_packs_epi16(a, b); }
  static V unpacklo_epi8(V a, V b) { return _mm_unpacklo_epi8(a, b); }
  static V unpackhi_epi8(V a, V b) { return _mm_unpackhi_epi8(a, b); }
  static V unpacklo_epi16(V a, V b) { return _mm_unpacklo_epi16(a, b); }
  static V unpackhi_epi16(V a, V b) { return _mm_unpackhi_epi16(a, b); }
  static V unpacklo_epi32(V a, V b) { return _mm_unpacklo_epi32(a, b); }
  static V unpackhi_epi32(V a, V b) { return _mm_unpackhi_epi32(a, b); }
  static V unpacklo_epi64(V a, V b) { return _mm_unpacklo_epi64(a, b); }
  static V unpackhi_epi64(V a, V b) { return _mm_unpackhi_epi64(a, b); }
};

#ifdef __AVX2__
template <>
struct Ops<__m256i> {
  using V = __m256i;
  static V bytes(int b) { return _mm256_set1_epi8(static_cast<char>(b)); }
  static V words(int w) { return _mm256_set1_epi16(static_cast<int16_t>(w)); }
  static V zero() { return _mm256_setzero_si256(); }
  static V subs_epu8(V a, V b) { return _mm256_subs_epu8(a, b); }
  static V adds_epu8(V a, V b) { return _mm256_adds_epu8(a, b); }
  static V subs_epi8(V a, V b) { return _mm256_subs_epi8(a, b); }
  static V adds_epi8(V a, V b) { return _mm256_adds_epi8(a, b); }
  static V max_epu8(V a, V b) { return _mm256_max_epu8(a, b); }
  static V cmpeq_epi8(V a, V b) { return _mm256_cmpeq_epi8(a, b); }
  static V and_(V a, V b) { return _mm256_and_si256(a, b); }
  static V andnot(V a, V b) { return _mm256_andnot_si256(a, b); }
  static V or_(V a, V b) { return _mm256_or_si256(a, b); }
  static V xor_(V a, V b) { return _mm256_xor_si256(a, b); }
  static V srli_epi16(V a, int n) { return _mm256_srli_epi16(a, n); }
  static V srai_epi16(V a, int n) { return _mm256_srai_epi16(a, n); }
  static V mullo_epi16(V a, V b) { return _mm256_mullo_epi16(a, b); }
  static V add_epi16(V a, V b) { return _mm256_add_epi16(a, b); }
  static V packs_epi16(V a, V b) { return _mm256_packs_epi16(a, b); }
  static V unpacklo_epi8(V a, V b) { return _mm256_unpacklo_epi8(a, b); }
  static V unpackhi_epi8(V a, V b) { return _mm256_unpackhi_epi8(a, b); }
  static V unpacklo_epi16(V a, V b) { return _mm256_unpacklo_epi16(a, b); }
  static V unpackhi_epi16(V a, V b) { return _mm256_unpackhi_epi16(a, b); }
  static V unpacklo_epi32(V a, V b) { return _mm256_unpacklo_epi32(a, b); }
  static V unpackhi_epi32(V a, V b) { return _mm256_unpackhi_epi32(a, b); }
  static V unpacklo_epi64(V a, V b) { return _mm256_unpacklo_epi64(a, b); }
  static V unpackhi_epi64(V a, V b) { return _mm256_unpackhi_epi64(a, b); }
};
#endif

// A group of segments, one register per position across the edge: v[0..7] = p3 p2 p1 p0 q0 q1 q2
// q3, lane i = segment i. The simple filter uses v[2..5] only.
template <typename V>
struct Pixels {
  V v[8];
};

// The filters below are forced inline into each edge kernel: as calls, the eight registers of a
// Pixels would go through memory.

// The limits of §15, one per lane. The comparisons below saturate at 255, which is exact because
// the legal limits (dsp.hh) are below 255.
template <typename V>
struct Limits {
  V edge, interior, hev;
  Limits(int edge_limit, int interior_limit, int hev_threshold)
      : edge(Ops<V>::bytes(edge_limit)),
        interior(Ops<V>::bytes(interior_limit)),
        hev(Ops<V>::bytes(hev_threshold)) {}
};

template <typename V>
[[gnu::always_inline]] inline V abs_diff(V a, V b) {
  using O = Ops<V>;
  return O::or_(O::subs_epu8(a, b), O::subs_epu8(b, a));
}

// All-ones lanes where a <= b (unsigned).
template <typename V>
[[gnu::always_inline]] inline V less_equal(V a, V b) {
  using O = Ops<V>;
  return O::cmpeq_epi8(O::subs_epu8(a, b), O::zero());
}

// 2 |p0 - q0| + |p1 - q1| / 2, saturated at 255.
template <typename V>
[[gnu::always_inline]] inline V edge_difference(const Pixels<V>& x) {
  using O = Ops<V>;
  const V d0 = abs_diff(x.v[3], x.v[4]);
  const V d1 = O::and_(O::srli_epi16(abs_diff(x.v[2], x.v[5]), 1), O::bytes(0x7f));
  return O::adds_epu8(O::adds_epu8(d0, d0), d1);
}

// The RFC's filter_yes, as a lane mask.
template <typename V>
[[gnu::always_inline]] inline V filter_mask(const Pixels<V>& x, const Limits<V>& l) {
  using O = Ops<V>;
  V interior = abs_diff(x.v[0], x.v[1]);
  for (int k = 1; k < 7; ++k) {
    if (k != 3) interior = O::max_epu8(interior, abs_diff(x.v[k], x.v[k + 1]));
  }
  return O::and_(less_equal(interior, l.interior), less_equal(edge_difference(x), l.edge));
}

// The RFC's hev, as a lane mask.
template <typename V>
[[gnu::always_inline]] inline V hev_mask(const Pixels<V>& x, const Limits<V>& l) {
  using O = Ops<V>;
  const V m = O::max_epu8(abs_diff(x.v[2], x.v[3]), abs_diff(x.v[5], x.v[4]));
  return O::andnot(less_equal(m, l.hev), O::bytes(-1));
}

// Pixels are filtered as signed values (u2s): flipping the top bit maps 0..255 to -128..127.
template <typename V>
[[gnu::always_inline]] inline V flip(V v) {
  return Ops<V>::xor_(v, Ops<V>::bytes(0x80));
}

// Arithmetic right shift of signed bytes, through 16-bit lanes holding each byte in their top half.
template <int kShift, typename V>
[[gnu::always_inline]] inline V sra_epi8(V v) {
  using O = Ops<V>;
  const V lo = O::srai_epi16(O::unpacklo_epi8(v, v), 8 + kShift);
  const V hi = O::srai_epi16(O::unpackhi_epi8(v, v), 8 + kShift);
  return O::packs_epi16(lo, hi);
}

// c(base + 3 (q0 - p0)) on signed values. Adding the saturated difference three times with
// saturation equals the RFC's single clamp: the partial sums move monotonically towards the sign
// of the difference, and a difference beyond -128..127 saturates the result either way.
template <typename V>
[[gnu::always_inline]] inline V add_three_edge_steps(V base, V ps0, V qs0) {
  using O = Ops<V>;
  const V d = O::subs_epi8(qs0, ps0);
  return O::adds_epi8(O::adds_epi8(O::adds_epi8(base, d), d), d);
}

// The RFC's common_adjust on the lanes where `a` is the already-masked filter value: q0 moves by
// c(a + 4) >> 3, p0 by c(a + 3) >> 3. Returns the first.
template <typename V>
[[gnu::always_inline]] inline V apply_common_adjust(V a, V& ps0, V& qs0) {
  using O = Ops<V>;
  const V f1 = sra_epi8<3>(O::adds_epi8(a, O::bytes(4)));
  const V f2 = sra_epi8<3>(O::adds_epi8(a, O::bytes(3)));
  qs0 = O::subs_epi8(qs0, f1);
  ps0 = O::adds_epi8(ps0, f2);
  return f1;
}

template <typename V>
[[gnu::always_inline]] inline void simple_filter(Pixels<V>& x, const Limits<V>& l) {
  using O = Ops<V>;
  const V mask = less_equal(edge_difference(x), l.edge);
  V ps1 = flip(x.v[2]), ps0 = flip(x.v[3]), qs0 = flip(x.v[4]), qs1 = flip(x.v[5]);
  const V a = add_three_edge_steps(O::subs_epi8(ps1, qs1), ps0, qs0);
  apply_common_adjust(O::and_(a, mask), ps0, qs0);
  x.v[3] = flip(ps0);
  x.v[4] = flip(qs0);
}

template <typename V>
[[gnu::always_inline]] inline void subblock_filter(Pixels<V>& x, const Limits<V>& l) {
  using O = Ops<V>;
  const V mask = filter_mask(x, l);
  const V hev = hev_mask(x, l);
  V ps1 = flip(x.v[2]), ps0 = flip(x.v[3]), qs0 = flip(x.v[4]), qs1 = flip(x.v[5]);
  // Outer taps only with high edge variance.
  const V outer = O::and_(O::subs_epi8(ps1, qs1), hev);
  const V a = O::and_(add_three_edge_steps(outer, ps0, qs0), mask);
  const V f1 = apply_common_adjust(a, ps0, qs0);
  // (f1 + 1) >> 1 moves p1 and q1, without high edge variance only; f1 is in -16..15.
  const V half = O::andnot(hev, sra_epi8<1>(O::adds_epi8(f1, O::bytes(1))));
  qs1 = O::subs_epi8(qs1, half);
  ps1 = O::adds_epi8(ps1, half);
  x.v[2] = flip(ps1);
  x.v[3] = flip(ps0);
  x.v[4] = flip(qs0);
  x.v[5] = flip(qs1);
}

// c((weight * w + 63) >> 7) for signed bytes w, through 16-bit lanes (|weight * w| < 2^12).
template <typename V>
[[gnu::always_inline]] inline V weighted(V w, int weight) {
  using O = Ops<V>;
  const V k = O::words(weight);
  const V round = O::words(63);
  const V lo = O::srai_epi16(O::unpacklo_epi8(w, w), 8);
  const V hi = O::srai_epi16(O::unpackhi_epi8(w, w), 8);
  return O::packs_epi16(O::srai_epi16(O::add_epi16(O::mullo_epi16(lo, k), round), 7),
                        O::srai_epi16(O::add_epi16(O::mullo_epi16(hi, k), round), 7));
}

template <typename V>
[[gnu::always_inline]] inline void mb_filter(Pixels<V>& x, const Limits<V>& l) {
  using O = Ops<V>;
  const V mask = filter_mask(x, l);
  const V hev = hev_mask(x, l);
  V ps2 = flip(x.v[1]), ps1 = flip(x.v[2]), ps0 = flip(x.v[3]);
  V qs0 = flip(x.v[4]), qs1 = flip(x.v[5]), qs2 = flip(x.v[6]);
  const V w = O::and_(add_three_edge_steps(O::subs_epi8(ps1, qs1), ps0, qs0), mask);
  // With high edge variance: common_adjust with outer taps. Lanes without it get w = 0 here,
  // which moves nothing, and lanes with it get 0 in the weighted part below.
  apply_common_adjust(O::and_(w, hev), ps0, qs0);
  const V wide = O::andnot(hev, w);
  const V a27 = weighted(wide, 27), a18 = weighted(wide, 18), a9 = weighted(wide, 9);
  x.v[1] = flip(O::adds_epi8(ps2, a9));
  x.v[2] = flip(O::adds_epi8(ps1, a18));
  x.v[3] = flip(O::adds_epi8(ps0, a27));
  x.v[4] = flip(O::subs_epi8(qs0, a27));
  x.v[5] = flip(O::subs_epi8(qs1, a18));
  x.v[6] = flip(O::subs_epi8(qs2, a9));
}

// Transposes kLanes rows (16 or 8) of kCols bytes (8 or 4, in the low bytes of `rows`) into kCols
// columns of kLanes bytes, in each 128-bit half independently. Lanes beyond kLanes hold whatever is
// convenient.
template <int kLanes, int kCols, typename V>
[[gnu::always_inline]] inline void rows_to_columns(const V rows[kLanes], V cols[kCols]) {
  using O = Ops<V>;
  V a[kLanes / 2], lo[kLanes / 4], hi[kLanes / 4];
  for (int k = 0; k < kLanes / 2; ++k) a[k] = O::unpacklo_epi8(rows[2 * k], rows[2 * k + 1]);
  for (int m = 0; m < kLanes / 4; ++m) {
    lo[m] = O::unpacklo_epi16(a[2 * m], a[2 * m + 1]);  // rows 4m..4m+3 of columns 0..3
    if (kCols == 8) hi[m] = O::unpackhi_epi16(a[2 * m], a[2 * m + 1]);  // of columns 4..7
  }
  for (int half = 0; half < kCols / 4; ++half) {
    const V* b = half == 0 ? lo : hi;
    const V top_even = O::unpacklo_epi32(b[0], b[1]);  // rows 0..7 of two columns
    const V top_odd = O::unpackhi_epi32(b[0], b[1]);
    V bottom_even = top_even, bottom_odd = top_odd;
    if constexpr (kLanes == 16) {
      bottom_even = O::unpacklo_epi32(b[2], b[3]);  // rows 8..15
      bottom_odd = O::unpackhi_epi32(b[2], b[3]);
    }
    cols[4 * half + 0] = O::unpacklo_epi64(top_even, bottom_even);
    cols[4 * half + 1] = O::unpackhi_epi64(top_even, bottom_even);
    cols[4 * half + 2] = O::unpacklo_epi64(top_odd, bottom_odd);
    cols[4 * half + 3] = O::unpackhi_epi64(top_odd, bottom_odd);
  }
}

// The inverse for 8 columns: into kLanes rows of 8 bytes (in the low bytes of `rows`).
template <int kLanes, typename V>
[[gnu::always_inline]] inline void eight_columns_to_rows(const V cols[8], V rows[kLanes]) {
  using O = Ops<V>;
  V pairs[2][4];  // 16-bit lanes: one row (of 8) of two adjacent columns
  for (int k = 0; k < 4; ++k) {
    pairs[0][k] = O::unpacklo_epi8(cols[2 * k], cols[2 * k + 1]);
    if (kLanes == 16) pairs[1][k] = O::unpackhi_epi8(cols[2 * k], cols[2 * k + 1]);
  }
  for (int half = 0; half < kLanes / 8; ++half) {
    const V* d = pairs[half];
    const V left_lo = O::unpacklo_epi16(d[0], d[1]);   // rows 0..3, columns 0..3
    const V left_hi = O::unpackhi_epi16(d[0], d[1]);   // rows 4..7
    const V right_lo = O::unpacklo_epi16(d[2], d[3]);  // rows 0..3, columns 4..7
    const V right_hi = O::unpackhi_epi16(d[2], d[3]);
    const V quads[4] = {O::unpacklo_epi32(left_lo, right_lo), O::unpackhi_epi32(left_lo, right_lo),
                        O::unpacklo_epi32(left_hi, right_hi), O::unpackhi_epi32(left_hi, right_hi)};
    V* out = rows + 8 * half;
    for (int q = 0; q < 4; ++q) {
      out[2 * q] = quads[q];
      out[2 * q + 1] = O::unpackhi_epi64(quads[q], quads[q]);
    }
  }
}

}  // namespace
}  // namespace xc::vp8::dsp
