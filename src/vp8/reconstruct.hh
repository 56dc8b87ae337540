// Reconstruction of one macroblock: prediction plus dequantized, inverse-transformed residual
// (§14), in the order the spec requires (B_PRED subblock by subblock).
#pragma once

#include "vp8/dsp/dsp.hh"
#include "vp8/modes.hh"
#include "vp8/quant.hh"
#include "vp8/raster.hh"
#include "vp8/tokens.hh"

namespace xc::vp8 {

struct References;

// Reconstructs macroblock (mb_col, mb_row) of `frame`. `coeffs` may be null for a macroblock without
// residual (mb_skip_coeff). `refs` supplies the reference of inter macroblocks.
void reconstruct_macroblock(const dsp::Dsp& dsp, Raster& frame, const References& refs, const MacroblockInfo& mb,
                            const MacroblockCoeffs* coeffs, const DequantFactors& dq, int mb_col, int mb_row,
                            int version);

}  // namespace xc::vp8
