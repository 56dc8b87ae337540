// Private to the DSP layer: the sub-pixel filter taps (RFC 6386 §18.3) and the functions that build
// each instruction set's kernel table.
#pragma once

#include "vp8/dsp/dsp.hh"

namespace xc::vp8::dsp::detail {

// §18.3 `filters`, indexed by the eighth-pel fraction. The DSP layer keeps its own copy (src/vp8 is
// the layer above and must not be a dependency). Taps 1 and 4 are never positive and the others
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

// The scalar reference table (dsp_c.cc).
Dsp make_scalar_table();

}  // namespace xc::vp8::dsp::detail
