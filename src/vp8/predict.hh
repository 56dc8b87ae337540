// Prediction of one macroblock (§12 intra, §18 inter): prepares edges and reference blocks
// (frame-edge rules, motion-vector clamping, borders) and calls the DSP kernels.
#pragma once

#include "vp8/dsp/dsp.hh"
#include "vp8/modes.hh"
#include "vp8/raster.hh"

namespace xc::vp8 {

// The 21 pixels above a macroblock (index 0 is the top-left pixel, then 16 above, then 4
// above-right) and the 16 to its left, with the §12.2-12.3 rules for pixels outside the frame.
struct IntraEdges {
  uint8_t above_storage[1 + 16 + 4];
  uint8_t left[16];
  bool have_above, have_left;
  const uint8_t* above() const { return above_storage + 1; }  // above()[-1] is the top-left pixel
};

// Gathers the luma (plane 0) or chroma (plane 1, 2) edges of macroblock (mb_col, mb_row) from the
// frame under construction.
IntraEdges intra_edges(const Plane& plane, int mb_col, int mb_row, int mb_cols, bool chroma);

// The DSP predictor index of a whole-block intra mode, with the DC variant the frame edges require.
int whole_block_index(MbMode mode, bool have_above, bool have_left);

// 16x16 luma or 8x8 chroma whole-block prediction into the frame.
void predict_intra_luma(const dsp::Dsp& dsp, Plane& y, int mb_col, int mb_row, int mb_cols, MbMode mode);
void predict_intra_chroma(const dsp::Dsp& dsp, Plane& u, Plane& v, int mb_col, int mb_row, int mb_cols,
                          MbMode mode);

// One 4x4 luma subblock b (0-15) of a B_PRED macroblock; earlier subblocks must be reconstructed.
void predict_intra_subblock(const dsp::Dsp& dsp, Plane& y, const IntraEdges& mb_edges, int mb_col,
                            int mb_row, int b, BMode mode);

// Inter prediction of the whole macroblock (luma and chroma) from `ref` into `frame`.
// `version` is the frame's version (§9.1): 0 six-tap, 1-2 bilinear, 3 bilinear with full-pixel chroma.
void predict_inter(const dsp::Dsp& dsp, Raster& frame, const Raster& ref, const MacroblockInfo& mb,
                   int mb_col, int mb_row, int version);

}  // namespace xc::vp8
