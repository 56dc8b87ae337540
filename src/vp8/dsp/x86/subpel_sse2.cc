// SSE2 six-tap and bilinear sub-pixel interpolation (RFC 6386 §18.3), bit-exact with dsp_c.cc.
#include <emmintrin.h>

#include <cstdlib>

#include "vp8/dsp/dsp_internal.hh"
#include "vp8/dsp/x86/pixels_sse2.hh"

namespace xc::vp8::dsp {
namespace {

// The taps as 16-bit magnitudes. Six-tap taps 1 and 4 are never positive and the others never
// negative (dsp_internal.hh), so each sum splits into a positive part of at most 160 * 255 = 40800
// and a negative part of at most 32 * 255 = 8160: both fit unsigned 16-bit lanes, which the
// signed sum would not.
template <int kTaps>
struct Taps {
  __m128i magnitude[kTaps];
  explicit Taps(const int* taps) {
    for (int k = 0; k < kTaps; ++k)
      magnitude[k] = _mm_set1_epi16(static_cast<int16_t>(std::abs(taps[k])));
  }
  static constexpr bool negative(int k) { return kTaps == 6 && (k == 1 || k == 4); }
};

// Filters kBytes consecutive outputs starting at p along `step`; returns them as 16-bit lanes in
// 0..319, for _mm_packus_epi16 to clamp. max(0, positive + 64 - negative) >> 7 equals the RFC's
// clamp255((sum + 64) >> 7) wherever the result is below 256, and is above 255 otherwise.
template <int kTaps, int kBytes>
__m128i filter_lanes(const uint8_t* p, int step, const Taps<kTaps>& taps) {
  const __m128i zero = _mm_setzero_si128();
  const uint8_t* first = p - detail::kTapsBefore<kTaps> * step;
  __m128i positive = _mm_set1_epi16(64);
  __m128i negative = zero;
  for (int k = 0; k < kTaps; ++k) {
    const __m128i px = _mm_unpacklo_epi8(load_pixels<kBytes>(first + k * step), zero);
    const __m128i product = _mm_mullo_epi16(px, taps.magnitude[k]);
    if (Taps<kTaps>::negative(k)) {
      negative = _mm_add_epi16(negative, product);
    } else {
      positive = _mm_add_epi16(positive, product);
    }
  }
  return _mm_srli_epi16(_mm_subs_epu16(positive, negative), 7);
}

template <int W, int kTaps>
struct SubpelPassSse2 {
  static void run(uint8_t* dst, int dst_stride, const uint8_t* src, int src_stride, int step, int h,
                  const int* tap_values) {
    const Taps<kTaps> taps(tap_values);
    for (int r = 0; r < h; ++r) {
      const uint8_t* s = src + r * src_stride;
      uint8_t* d = dst + r * dst_stride;
      if constexpr (W == 16) {
        const __m128i lo = filter_lanes<kTaps, 8>(s, step, taps);
        const __m128i hi = filter_lanes<kTaps, 8>(s + 8, step, taps);
        store_pixels<16>(d, _mm_packus_epi16(lo, hi));
      } else {
        const __m128i v = filter_lanes<kTaps, W>(s, step, taps);
        store_pixels<W>(d, _mm_packus_epi16(v, v));
      }
    }
  }
};

}  // namespace

void detail::install_subpel_sse2(Dsp& d) { install_subpel<SubpelPassSse2>(d); }

}  // namespace xc::vp8::dsp
