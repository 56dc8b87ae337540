// SSSE3 six-tap and bilinear sub-pixel interpolation (RFC 6386 §18.3) with pmaddubsw, bit-exact
// with dsp_c.cc.
#include <tmmintrin.h>

#include "vp8/dsp/dsp_internal.hh"
#include "vp8/dsp/x86/pixels_sse2.hh"

namespace xc::vp8::dsp {
namespace {

// pmaddubsw multiplies pixel pairs by signed 8-bit tap pairs. The taps are paired (1, 2), (3, 4),
// (0, 5) for six taps and (0, 1) for two: a pass never runs with fraction 0 (subpel_predict skips
// it), so no tap is 128 and all fit in int8, and each pair sum lies within -16 * 255 .. 123 * 255,
// so pmaddubsw never saturates.
template <int kTaps>
struct TapPairs {
  static constexpr int kPairs = kTaps / 2;
  static constexpr int kFirst[3] = {kTaps == 6 ? 1 : 0, 3, 0};
  static constexpr int kSecond[3] = {kTaps == 6 ? 2 : 1, 4, 5};
  __m128i pair[kPairs];
  explicit TapPairs(const int* taps) {
    for (int i = 0; i < kPairs; ++i) {
      const int first = taps[kFirst[i]] & 0xff, second = taps[kSecond[i]] & 0xff;
      pair[i] = _mm_set1_epi16(static_cast<int16_t>(first | (second << 8)));
    }
  }
};

// Sums of the pairs, in the order (1, 2) + (3, 4) + (0, 5) + 64 with signed saturation. Only the
// first pair sums can exceed 32767 together, and then the true total (the rest being
// non-negative) is beyond 255 as well, so saturating keeps the clamped result exact; negative
// totals stay far above -32768.
template <int kTaps>
__m128i round_sum(const __m128i (&sums)[TapPairs<kTaps>::kPairs]) {
  __m128i total = sums[0];
  for (int i = 1; i < TapPairs<kTaps>::kPairs; ++i) total = _mm_adds_epi16(total, sums[i]);
  return _mm_srai_epi16(_mm_adds_epi16(total, _mm_set1_epi16(64)), 7);
}

template <int W, int kTaps>
struct SubpelPassSsse3 {
  static void run(uint8_t* dst, int dst_stride, const uint8_t* src, int src_stride, int step, int h,
                  const int* tap_values) {
    using Pairs = TapPairs<kTaps>;
    const Pairs taps(tap_values);
    for (int r = 0; r < h; ++r) {
      const uint8_t* first = src + r * src_stride - detail::kTapsBefore<kTaps> * step;
      __m128i lo[Pairs::kPairs], hi[Pairs::kPairs];
      for (int i = 0; i < Pairs::kPairs; ++i) {
        const __m128i a = load_pixels<W>(first + Pairs::kFirst[i] * step);
        const __m128i b = load_pixels<W>(first + Pairs::kSecond[i] * step);
        lo[i] = _mm_maddubs_epi16(_mm_unpacklo_epi8(a, b), taps.pair[i]);
        if constexpr (W == 16) hi[i] = _mm_maddubs_epi16(_mm_unpackhi_epi8(a, b), taps.pair[i]);
      }
      uint8_t* d = dst + r * dst_stride;
      const __m128i lo_px = round_sum<kTaps>(lo);
      if constexpr (W == 16) {
        store_pixels<16>(d, _mm_packus_epi16(lo_px, round_sum<kTaps>(hi)));
      } else {
        store_pixels<W>(d, _mm_packus_epi16(lo_px, lo_px));
      }
    }
  }
};

}  // namespace

void detail::install_subpel_ssse3(Dsp& d) { install_subpel<SubpelPassSsse3>(d); }

}  // namespace xc::vp8::dsp
