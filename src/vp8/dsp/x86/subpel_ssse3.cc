// SSSE3 six-tap and bilinear sub-pixel interpolation (RFC 6386 §18.3) with pmaddubsw, bit-exact
// with dsp_c.cc.
#include <tmmintrin.h>

#include "vp8/dsp/dsp_internal.hh"
#include "vp8/dsp/x86/pixels_sse2.hh"
#include "vp8/dsp/x86/subpel_pairs.hh"

namespace xc::vp8::dsp {
namespace {

template <int kTaps>
struct TapPairs : TapPairOrder<kTaps> {
  __m128i pair[TapPairOrder<kTaps>::kPairs];
  explicit TapPairs(const int* taps) {
    for (int i = 0; i < TapPairOrder<kTaps>::kPairs; ++i) pair[i] = _mm_set1_epi16(TapPairOrder<kTaps>::packed(taps, i));
  }
};

// (the pair sums + 64) >> 7, added with saturation in the order of subpel_pairs.hh.
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
