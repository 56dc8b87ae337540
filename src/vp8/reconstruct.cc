// Macroblock reconstruction: prediction (predict.cc) plus residual (§14.1-14.5).
#include "vp8/reconstruct.hh"

#include <algorithm>

#include "vp8/predict.hh"
#include "vp8/state.hh"

namespace xc::vp8 {

namespace {

// Dequantizes one block (§14.1): products are kept in 16 bits, as the spec requires.
void dequantize(const std::array<int16_t, 16>& q, int16_t dc_factor, int16_t ac_factor, int16_t out[16]) {
  out[0] = int16_t(q[0] * dc_factor);
  for (int i = 1; i < 16; ++i) out[i] = int16_t(q[i] * ac_factor);
}

// Adds the residual of a block whose dequantized coefficients are in `dq` to the 4x4 area at dst.
// Blocks with nothing coded past the DC use the DC-only transform (identical results, less work).
void add_residual(const dsp::Dsp& dsp, const int16_t dq[16], int token_end, uint8_t* dst, int stride) {
  if (token_end > 1) {
    dsp.idct_add(dq, dst, stride);
  } else if (dq[0] != 0) {
    dsp.idct_dc_add(dq[0], dst, stride);
  }
}

const Raster& reference_for(const References& refs, RefFrame r) {
  switch (r) {
    case GOLDEN_FRAME:
      return *refs.golden;
    case ALTREF_FRAME:
      return *refs.altref;
    default:
      return *refs.last;
  }
}

}  // namespace

void predict_macroblock(const dsp::Dsp& dsp, Raster& frame, const References& refs, const MacroblockInfo& mb,
                        int mb_col, int mb_row, int version) {
  if (mb.ref_frame == INTRA_FRAME) {
    predict_intra_chroma(dsp, frame.u(), frame.v(), mb_col, mb_row, frame.mb_cols(), mb.uv_mode);
    if (mb.y_mode != B_PRED) predict_intra_luma(dsp, frame.y(), mb_col, mb_row, frame.mb_cols(), mb.y_mode);
  } else {
    predict_inter(dsp, frame, reference_for(refs, mb.ref_frame), mb, mb_col, mb_row, version);
  }
}

void add_block_residual(const dsp::Dsp& dsp, const std::array<int16_t, 16>& levels,
                        const std::array<int16_t, 2>& factors, int token_end, uint8_t* dst, int stride) {
  if (token_end <= 1) {  // at most a DC: what add_residual would do, without dequantizing the rest
    const int16_t dc = int16_t(levels[0] * factors[0]);
    if (dc != 0) dsp.idct_dc_add(dc, dst, stride);
    return;
  }
  int16_t c[16];
  dequantize(levels, factors[0], factors[1], c);
  add_residual(dsp, c, token_end, dst, stride);
}

void add_luma_residual(const dsp::Dsp& dsp, Plane& y, const MacroblockInfo& mb, const MacroblockCoeffs& coeffs,
                       const DequantFactors& f, int mb_col, int mb_row) {
  const int x0 = mb_col * 16, y0 = mb_row * 16;
  if (!mb.has_y2()) {
    for (int b = 0; b < 16; ++b) {
      add_block_residual(dsp, coeffs.coeffs[b], f.y1, coeffs.token_end[b], y.at(x0 + (b & 3) * 4, y0 + (b >> 2) * 4),
                         y.stride());
    }
    return;
  }
  int16_t y2[16];
  dequantize(coeffs.coeffs[kY2Block], f.y2[0], f.y2[1], y2);
  int16_t dc[16 * 16];
  if (coeffs.token_end[kY2Block] > 1) {
    dsp.iwht(y2, dc);
  } else {
    // Only the DC coded: libvpx takes a shortcut here that forms (dc + 3) >> 3 without wrapping,
    // which differs from the full transform when dc + 3 leaves the 16-bit range.
    for (int b = 0; b < 16; ++b) dc[16 * b] = int16_t((y2[0] + 3) >> 3);
  }
  for (int b = 0; b < 16; ++b) {
    uint8_t* dst = y.at(x0 + (b & 3) * 4, y0 + (b >> 2) * 4);
    // A row of four blocks with nothing coded past their DCs: one call for the row.
    if ((b & 3) == 0 && std::max({coeffs.token_end[b], coeffs.token_end[b + 1], coeffs.token_end[b + 2],
                                  coeffs.token_end[b + 3]}) <= 1) {
      const int16_t row_dc[4] = {dc[16 * b], dc[16 * (b + 1)], dc[16 * (b + 2)], dc[16 * (b + 3)]};
      dsp.idct_dc_add_row(row_dc, dst, y.stride());
      b += 3;
      continue;
    }
    // A luma block has a DC from the WHT even when its own tokens were all EOB; with nothing coded
    // past it (token end 1, the block's first position) only that DC remains.
    if (coeffs.token_end[b] <= 1) {
      if (dc[16 * b] != 0) dsp.idct_dc_add(dc[16 * b], dst, y.stride());
      continue;
    }
    int16_t c[16];
    dequantize(coeffs.coeffs[b], f.y1[0], f.y1[1], c);
    c[0] = dc[16 * b];
    add_residual(dsp, c, coeffs.token_end[b], dst, y.stride());
  }
}

void add_chroma_residual(const dsp::Dsp& dsp, Raster& frame, const MacroblockCoeffs& coeffs, const DequantFactors& f,
                         int mb_col, int mb_row) {
  for (int b = 16; b < 24; ++b) {
    Plane& p = b < 20 ? frame.u() : frame.v();
    const int i = (b - 16) & 3;
    add_block_residual(dsp, coeffs.coeffs[b], f.uv, coeffs.token_end[b],
                       p.at(mb_col * 8 + (i & 1) * 4, mb_row * 8 + (i >> 1) * 4), p.stride());
  }
}

void reconstruct_macroblock(const dsp::Dsp& dsp, Raster& frame, const References& refs, const MacroblockInfo& mb,
                            const MacroblockCoeffs* coeffs, const DequantFactors& dq, int mb_col, int mb_row,
                            int version) {
  const bool residual = coeffs && !coeffs->all_eob;
  predict_macroblock(dsp, frame, refs, mb, mb_col, mb_row, version);
  Plane& y = frame.y();
  if (mb.y_mode == B_PRED) {
    const IntraEdges edges = intra_edges(y, mb_col, mb_row, frame.mb_cols(), false);
    for (int b = 0; b < 16; ++b) {
      predict_intra_subblock(dsp, y, edges, mb_col, mb_row, b, mb.b_modes[b]);
      if (residual) {
        add_block_residual(dsp, coeffs->coeffs[b], dq.y1, coeffs->token_end[b],
                           y.at(mb_col * 16 + (b & 3) * 4, mb_row * 16 + (b >> 2) * 4), y.stride());
      }
    }
  }
  if (!residual) return;
  if (mb.y_mode != B_PRED) add_luma_residual(dsp, y, mb, *coeffs, dq, mb_col, mb_row);
  add_chroma_residual(dsp, frame, *coeffs, dq, mb_col, mb_row);
}

}  // namespace xc::vp8
