// Forward transforms (the encoder's side of RFC 6386 §14.3-14.4): the 4x4 DCT whose inverse is the
// decoder's idct_add, and the Walsh-Hadamard transform of the 16 luma DCs into the Y2 block.
#pragma once

#include <cstdint>

namespace xc::vp8::enc {

// Forward DCT of a 4x4 residual block (raster order, values -255..255) into coefficients in raster
// order, scaled so that the decoder's inverse DCT (dsp idct_add) adds the residual back within +-1
// per pixel when the coefficients are not quantized. The scalar DSP kernel (dsp::Dsp::fdct).
void forward_dct(const int16_t residual[16], int16_t coeffs[16]);

// Forward WHT of the luma DCs: dc[b] is the DC coefficient of luma block b (raster order within the
// macroblock); out is the Y2 block in raster order. Unquantized, the decoder's inverse WHT gives the
// DCs back exactly.
void forward_wht(const int16_t dc[16], int16_t out[16]);

}  // namespace xc::vp8::enc
