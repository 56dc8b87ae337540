// Private to the DSP layer: the sub-pixel filter taps (RFC 6386 §18.3) and the functions that build
// each instruction set's kernel table.
#pragma once

#include <cstring>
#include <type_traits>

#include "vp8/dsp/dsp.hh"

namespace xc::vp8::dsp::detail {

// §18.3 `filters`, indexed by the eighth-pel fraction: the project's only copy, here in the layer that
// applies them (src/vp8 above reads them from here). Taps 1 and 4 are never positive and the others
// never negative; the SIMD kernels rely on that to split each sum into positive and negative parts.
inline constexpr int kSixtapTaps[8][6] = {
    {0, 0, 128, 0, 0, 0},      // whole pixel
    {0, -6, 123, 12, -1, 0},   // 1/8
    {2, -11, 108, 36, -8, 1},  // 1/4
    {0, -9, 93, 50, -6, 0},    // 3/8
    {3, -16, 77, 77, -16, 3},  // 1/2
    {0, -6, 50, 93, -9, 0},    // 5/8
    {1, -8, 36, 108, -11, 2},  // 3/4
    {0, -1, 12, 123, -6, 0},   // 7/8
};

// §18.3 `BilinearFilters`: only the two non-zero taps, applied to the pixels at offsets 0 and +1.
inline constexpr int kBilinearTaps[8][2] = {
    {128, 0}, {112, 16}, {96, 32}, {80, 48}, {64, 64}, {48, 80}, {32, 96}, {16, 112},
};

constexpr bool taps_sum_to_128() {
  for (const auto& taps : kSixtapTaps) {
    if (taps[0] + taps[1] + taps[2] + taps[3] + taps[4] + taps[5] != 128) return false;
  }
  for (const auto& taps : kBilinearTaps) {
    if (taps[0] + taps[1] != 128) return false;
  }
  return true;
}
static_assert(taps_sum_to_128());

// Pixels a sub-pixel filter with `taps` taps reads before the current one (§18.3): two for six-tap,
// none for bilinear. It reads kTaps - 1 - kTapsBefore after it.
template <int kTaps>
inline constexpr int kTapsBefore = kTaps == 6 ? 2 : 0;

// One 1-D pass of W-wide rows: filters h rows along `step` (1 horizontally, the source stride
// vertically), rounding (+64) >> 7 and clamping to 0..255 as the RFC's interp().
using SubpelPassFn = void (*)(uint8_t* dst, int dst_stride, const uint8_t* src, int src_stride,
                              int step, int h, const int* taps);

// The §18.3 prediction shared by every instruction set: a copy for a whole-pel vector, one pass
// when only one fraction is non-zero (the other pass would be the identity, which is exact), else
// a horizontal pass over the rows the vertical pass needs (-2 .. H + 2 for six taps, 0 .. H for
// bilinear) into a temporary, then the vertical pass. Skipping identity passes also keeps a kernel
// from reading pixels the filter would weight by 0. Instantiated per ISA with its own `kPass`;
// everything it calls is its own or kPass, so that no inline function is shared between files
// compiled for different instruction sets (the linker would keep just one of the copies).
template <int W, int H, int kTaps, SubpelPassFn kPass>
void subpel_predict(uint8_t* dst, int dst_stride, const uint8_t* src, int src_stride, int mx,
                    int my) {
  auto subpel_taps = [](int fraction) -> const int* {
    if constexpr (kTaps == 6) {
      return kSixtapTaps[fraction];
    } else {
      return kBilinearTaps[fraction];
    }
  };
  if (mx == 0 && my == 0) {
    for (int r = 0; r < H; ++r) std::memcpy(dst + r * dst_stride, src + r * src_stride, W);
  } else if (my == 0) {
    kPass(dst, dst_stride, src, src_stride, 1, H, subpel_taps(mx));
  } else if (mx == 0) {
    kPass(dst, dst_stride, src, src_stride, src_stride, H, subpel_taps(my));
  } else {
    constexpr int before = kTapsBefore<kTaps>;
    uint8_t temp[(H + kTaps - 1) * W];
    kPass(temp, W, src - before * src_stride, src_stride, 1, H + kTaps - 1, subpel_taps(mx));
    kPass(dst, dst_stride, temp + before * W, W, W, H, subpel_taps(my));
  }
}

// Fills the sixtap and bilinear entries from an ISA's pass, given as Pass<W, kTaps>::run.
template <template <int, int> class Pass>
void install_subpel(Dsp& d) {
  d.sixtap[kBlock16x16] = subpel_predict<16, 16, 6, Pass<16, 6>::run>;
  d.sixtap[kBlock8x8] = subpel_predict<8, 8, 6, Pass<8, 6>::run>;
  d.sixtap[kBlock8x4] = subpel_predict<8, 4, 6, Pass<8, 6>::run>;
  d.sixtap[kBlock4x4] = subpel_predict<4, 4, 6, Pass<4, 6>::run>;
  d.bilinear[kBlock16x16] = subpel_predict<16, 16, 2, Pass<16, 2>::run>;
  d.bilinear[kBlock8x8] = subpel_predict<8, 8, 2, Pass<8, 2>::run>;
  d.bilinear[kBlock8x4] = subpel_predict<8, 4, 2, Pass<8, 2>::run>;
  d.bilinear[kBlock4x4] = subpel_predict<4, 4, 2, Pass<4, 2>::run>;
}

// Fills the sad and sse entries from an ISA's Metrics<W, H>::sad and ::sse.
template <template <int, int> class Metrics>
void install_metrics(Dsp& d) {
  d.sad[kBlock16x16] = Metrics<16, 16>::sad;
  d.sad[kBlock8x8] = Metrics<8, 8>::sad;
  d.sad[kBlock8x4] = Metrics<8, 4>::sad;
  d.sad[kBlock4x4] = Metrics<4, 4>::sad;
  d.sse[kBlock16x16] = Metrics<16, 16>::sse;
  d.sse[kBlock8x8] = Metrics<8, 8>::sse;
  d.sse[kBlock8x4] = Metrics<8, 4>::sse;
  d.sse[kBlock4x4] = Metrics<4, 4>::sse;
}

// Fills the whole-block intra predictors (16x16 and 8x8) from an ISA's Preds<N>, whose members dc, v, h,
// tm, dc_top, dc_left and dc_128 are the kernels of the IntraPredIndex of the same name.
template <template <int> class Preds>
void install_whole_block_preds(Dsp& d) {
  auto install = [](auto size, IntraPredFn(&table)[kNumPredIndices]) {
    using P = Preds<decltype(size)::value>;
    table[kPredDc] = P::dc;
    table[kPredV] = P::v;
    table[kPredH] = P::h;
    table[kPredTm] = P::tm;
    table[kPredDcTop] = P::dc_top;
    table[kPredDcLeft] = P::dc_left;
    table[kPredDc128] = P::dc_128;
  };
  install(std::integral_constant<int, 16>{}, d.pred16);
  install(std::integral_constant<int, 8>{}, d.pred8);
}

// The scalar reference table (dsp_c.cc).
Dsp make_scalar_table();

#if defined(__x86_64__) || defined(__i386__)
// Each overwrites the entries its file has SIMD versions of and leaves the others alone.
void install_subpel_sse2(Dsp& dsp);       // x86/subpel_sse2.cc
void install_idct_sse2(Dsp& dsp);         // x86/idct_sse2.cc
void install_intra_sse2(Dsp& dsp);        // x86/intra_sse2.cc
void install_loop_filter_sse2(Dsp& dsp);  // x86/loop_filter_sse2.cc
void install_metrics_sse2(Dsp& dsp);      // x86/metrics_sse2.cc
void install_fdct_quantize_sse2(Dsp& dsp);  // x86/fdct_quantize_sse2.cc
void install_subpel_ssse3(Dsp& dsp);      // x86/subpel_ssse3.cc
void install_subpel_avx2(Dsp& dsp);       // x86/subpel_avx2.cc
void install_loop_filter_avx2(Dsp& dsp);  // x86/loop_filter_avx2.cc
#endif

}  // namespace xc::vp8::dsp::detail
