// Reconstruction of one macroblock: prediction plus dequantized, inverse-transformed residual
// (§14), in the order the spec requires (B_PRED subblock by subblock). The pieces are public so the
// encoder reconstructs with exactly the decoder's code.
#pragma once

#include <array>
#include <cstdint>

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

// The prediction of a macroblock written into `frame`: luma and chroma, except the luma of B_PRED
// macroblocks, whose subblocks must each be predicted (predict_intra_subblock) after the residual of
// the ones before them is added.
void predict_macroblock(const dsp::Dsp& dsp, Raster& frame, const References& refs, const MacroblockInfo& mb,
                        int mb_col, int mb_row, int version);

// Adds one block's residual to the 4x4 area at dst: dequantizes `levels` (raster order) with
// factors[0] at the DC and factors[1] elsewhere, then inverse-transforms, DC-only when token_end <= 1.
// For luma blocks of macroblocks with Y2, use add_luma_residual, which supplies the DC.
void add_block_residual(const dsp::Dsp& dsp, const std::array<int16_t, 16>& levels,
                        const std::array<int16_t, 2>& factors, int token_end, uint8_t* dst, int stride);

// Adds the residual of the 16 luma blocks of a macroblock that is not B_PRED (with Y2 when it has one).
void add_luma_residual(const dsp::Dsp& dsp, Plane& y, const MacroblockInfo& mb, const MacroblockCoeffs& coeffs,
                       const DequantFactors& dq, int mb_col, int mb_row);

// Adds the residual of the 8 chroma blocks.
void add_chroma_residual(const dsp::Dsp& dsp, Raster& frame, const MacroblockCoeffs& coeffs, const DequantFactors& dq,
                         int mb_col, int mb_row);

}  // namespace xc::vp8
