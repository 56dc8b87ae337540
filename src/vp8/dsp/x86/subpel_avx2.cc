// AVX2 six-tap and bilinear sub-pixel interpolation (RFC 6386 §18.3), bit-exact with dsp_c.cc: the
// SSSE3 kernel's arithmetic (subpel_ssse3.cc) on two rows at a time, one in each 128-bit half of a
// register, so that each vpmaddubsw filters twice the pixels.
#include <immintrin.h>

#include <cstring>

#include "vp8/dsp/dsp_internal.hh"
#include "vp8/dsp/x86/pixels_sse2.hh"
#include "vp8/dsp/x86/subpel_pairs.hh"

namespace xc::vp8::dsp {
namespace {

template <int kTaps>
struct TapPairs : TapPairOrder<kTaps> {
  __m256i pair[TapPairOrder<kTaps>::kPairs];
  explicit TapPairs(const int* taps) {
    for (int i = 0; i < TapPairOrder<kTaps>::kPairs; ++i) pair[i] = _mm256_set1_epi16(TapPairOrder<kTaps>::packed(taps, i));
  }
};

// (the pair sums + 64) >> 7, added with saturation in the order of subpel_pairs.hh.
template <int kTaps>
__m256i round_sum(const __m256i (&sums)[TapPairs<kTaps>::kPairs]) {
  __m256i total = sums[0];
  for (int i = 1; i < TapPairs<kTaps>::kPairs; ++i) total = _mm256_adds_epi16(total, sums[i]);
  return _mm256_srai_epi16(_mm256_adds_epi16(total, _mm256_set1_epi16(64)), 7);
}

// W pixels (16, 8 or 4) of one row, repeated across the register. Broadcasting loads need no shuffle
// unit, which the unpacks below keep busy; they read exactly W bytes.
template <int W>
__m256i broadcast_row(const uint8_t* p) {
  if constexpr (W == 16) {
    return _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  } else if constexpr (W == 8) {
    int64_t v;
    std::memcpy(&v, p, 8);
    return _mm256_set1_epi64x(v);
  } else {
    int32_t v;
    std::memcpy(&v, p, 4);
    return _mm256_set1_epi32(v);
  }
}

// W pixels of two rows: `top`'s in the low half, `bottom`'s in the high half, each starting at the
// half's first byte.
template <int W>
__m256i load_two_rows(const uint8_t* top, const uint8_t* bottom) {
  return _mm256_blend_epi32(broadcast_row<W>(top), broadcast_row<W>(bottom), 0xf0);
}

// Filters rows r and r + 1 (`next` = 1), or row r alone (`next` = 0: both halves filter row r and
// only the low half is stored), so that no row past h is read.
template <int W, int kTaps>
[[gnu::always_inline]] inline void filter_two_rows(uint8_t* dst, int dst_stride, const uint8_t* src, int src_stride,
                                                   int step, int next, const TapPairs<kTaps>& taps) {
  using Pairs = TapPairs<kTaps>;
  const uint8_t* first = src - detail::kTapsBefore<kTaps> * step;
  __m256i lo[Pairs::kPairs], hi[Pairs::kPairs];
  for (int i = 0; i < Pairs::kPairs; ++i) {
    const uint8_t* a = first + Pairs::kFirst[i] * step;
    const uint8_t* b = first + Pairs::kSecond[i] * step;
    const __m256i x = load_two_rows<W>(a, a + next * src_stride);
    const __m256i y = load_two_rows<W>(b, b + next * src_stride);
    lo[i] = _mm256_maddubs_epi16(_mm256_unpacklo_epi8(x, y), taps.pair[i]);
    if constexpr (W == 16) hi[i] = _mm256_maddubs_epi16(_mm256_unpackhi_epi8(x, y), taps.pair[i]);
  }
  const __m256i lo_px = round_sum<kTaps>(lo);
  // Per half: the row's W pixels in its low bytes.
  __m256i packed;
  if constexpr (W == 16) {
    packed = _mm256_packus_epi16(lo_px, round_sum<kTaps>(hi));
  } else {
    packed = _mm256_packus_epi16(lo_px, lo_px);
  }
  store_pixels<W>(dst, _mm256_castsi256_si128(packed));
  if (next) store_pixels<W>(dst + dst_stride, _mm256_extracti128_si256(packed, 1));
}

template <int W, int kTaps>
struct SubpelPassAvx2 {
  static void run(uint8_t* dst, int dst_stride, const uint8_t* src, int src_stride, int step, int h,
                  const int* tap_values) {
    const TapPairs<kTaps> taps(tap_values);
    int r = 0;
    for (; r + 2 <= h; r += 2) {
      filter_two_rows<W, kTaps>(dst + r * dst_stride, dst_stride, src + r * src_stride, src_stride, step, 1, taps);
    }
    if (r < h) filter_two_rows<W, kTaps>(dst + r * dst_stride, dst_stride, src + r * src_stride, src_stride, step, 0, taps);
  }
};

}  // namespace

void detail::install_subpel_avx2(Dsp& d) { install_subpel<SubpelPassAvx2>(d); }

}  // namespace xc::vp8::dsp
