// SSE2 block metrics for the encoder (sums of absolute and squared differences), equal to the
// scalar ones in dsp_c.cc for every input.
#include <emmintrin.h>

#include "vp8/dsp/dsp_internal.hh"
#include "vp8/dsp/x86/pixels_sse2.hh"

namespace xc::vp8::dsp {
namespace {

// Rows of a W-pixel-wide block gathered 16 bytes at a time: one row of 16, two rows of 8, or four
// rows of 4. `row` counts 16-byte groups.
template <int W>
__m128i load_group(const uint8_t* p, int stride, int row) {
  if constexpr (W == 16) {
    return load_pixels<16>(p + row * stride);
  } else if constexpr (W == 8) {
    const uint8_t* q = p + 2 * row * stride;
    return _mm_unpacklo_epi64(load_pixels<8>(q), load_pixels<8>(q + stride));
  } else {
    const uint8_t* q = p + 4 * row * stride;
    return _mm_unpacklo_epi64(
        _mm_unpacklo_epi32(load_pixels<4>(q), load_pixels<4>(q + stride)),
        _mm_unpacklo_epi32(load_pixels<4>(q + 2 * stride), load_pixels<4>(q + 3 * stride)));
  }
}

// Adds the four 32-bit lanes.
uint32_t horizontal_sum32(__m128i v) {
  v = _mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm_add_epi32(v, _mm_shuffle_epi32(v, _MM_SHUFFLE(2, 3, 0, 1)));
  return static_cast<uint32_t>(_mm_cvtsi128_si32(v));
}

// Squares of the differences of 16 pixel pairs, summed in pairs into four 32-bit lanes.
__m128i squared_differences(__m128i a, __m128i b) {
  const __m128i zero = _mm_setzero_si128();
  const __m128i lo = _mm_sub_epi16(_mm_unpacklo_epi8(a, zero), _mm_unpacklo_epi8(b, zero));
  const __m128i hi = _mm_sub_epi16(_mm_unpackhi_epi8(a, zero), _mm_unpackhi_epi8(b, zero));
  return _mm_add_epi32(_mm_madd_epi16(lo, lo), _mm_madd_epi16(hi, hi));
}

template <int W, int H>
struct MetricsSse2 {
  static constexpr int kGroups = W * H / 16;

  static uint32_t sad(const uint8_t* a, int a_stride, const uint8_t* b, int b_stride) {
    __m128i sum = _mm_setzero_si128();
    for (int g = 0; g < kGroups; ++g) {
      sum = _mm_add_epi64(
          sum, _mm_sad_epu8(load_group<W>(a, a_stride, g), load_group<W>(b, b_stride, g)));
    }
    // psadbw leaves one sum in each 64-bit half.
    return static_cast<uint32_t>(_mm_cvtsi128_si32(sum) +
                                 _mm_cvtsi128_si32(_mm_unpackhi_epi64(sum, sum)));
  }

  static uint32_t sse(const uint8_t* a, int a_stride, const uint8_t* b, int b_stride) {
    __m128i sum = _mm_setzero_si128();
    for (int g = 0; g < kGroups; ++g) {
      sum = _mm_add_epi32(
          sum, squared_differences(load_group<W>(a, a_stride, g), load_group<W>(b, b_stride, g)));
    }
    return horizontal_sum32(sum);
  }
};

// Each row is summed in 32-bit lanes (a lane gets w / 4 squares, at most 4096 * 255^2 < 2^31 for
// w <= 16384) and added to the 64-bit total.
uint64_t sse_area_sse2(const uint8_t* a, int a_stride, const uint8_t* b, int b_stride, int w,
                       int h) {
  // An empty area reads nothing, and its pointers may be null: step no pointer then.
  if (w <= 0) return 0;
  uint64_t total = 0;
  for (int r = 0; r < h; ++r, a += a_stride, b += b_stride) {
    __m128i sum = _mm_setzero_si128();
    int c = 0;
    for (; c + 16 <= w; c += 16)
      sum = _mm_add_epi32(sum, squared_differences(load_pixels<16>(a + c), load_pixels<16>(b + c)));
    if (c + 8 <= w) {
      sum = _mm_add_epi32(sum, squared_differences(load_pixels<8>(a + c), load_pixels<8>(b + c)));
      c += 8;
    }
    uint32_t row = horizontal_sum32(sum);
    for (; c < w; ++c) {
      const int d = a[c] - b[c];
      row += static_cast<uint32_t>(d * d);
    }
    total += row;
  }
  return total;
}

}  // namespace

void detail::install_metrics_sse2(Dsp& d) {
  detail::install_metrics<MetricsSse2>(d);
  d.sse_area = sse_area_sse2;
}

}  // namespace xc::vp8::dsp
