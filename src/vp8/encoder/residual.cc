// Residual coding for fixed modes and frame rebasing: prediction as the decoder makes it (§12, §18),
// forward DCT/WHT and quantization (§14 in reverse), reconstruction with the decoder's own code.
#include "vp8/encoder/residual.hh"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "util/errors.hh"
#include "vp8/encoder/transform.hh"
#include "vp8/predict.hh"
#include "vp8/reconstruct.hh"

namespace xc::vp8::enc {

namespace {

void gather(const std::vector<uint8_t>& plane, int width, int height, int x0, int y0, int n, uint8_t* out) {
  for (int r = 0; r < n; ++r) {
    const uint8_t* row = plane.data() + size_t(std::min(y0 + r, height - 1)) * width;
    if (x0 + n <= width) {
      std::memcpy(out + r * n, row + x0, n);
    } else {
      for (int c = 0; c < n; ++c) out[r * n + c] = row[std::min(x0 + c, width - 1)];
    }
  }
}

}  // namespace

SourceMacroblock source_macroblock(const util::Image& img, int mb_col, int mb_row) {
  SourceMacroblock s;
  gather(img.y, img.width, img.height, mb_col * 16, mb_row * 16, 16, s.y);
  gather(img.u, img.chroma_width(), img.chroma_height(), mb_col * 8, mb_row * 8, 8, s.u);
  gather(img.v, img.chroma_width(), img.chroma_height(), mb_col * 8, mb_row * 8, 8, s.v);
  return s;
}

QuantizerOptions for_macroblock(const QuantizerOptions& opts, const MacroblockInfo& mb) {
  QuantizerOptions o = opts;
  if (!o.widen_after_zeros || mb.ref_frame == INTRA_FRAME || mb.y_mode == SPLITMV) return o;
  // An inter macroblock's residue is mostly noise left by a good prediction, the more so without a
  // vector: widen the zero bin by 1/32 of a step with a vector, 3/64 without one from the last
  // frame and 3/32 without one from the golden or altref frame.
  o.zero_bin += mb.y_mode != ZEROMV ? 4 : mb.ref_frame == LAST_FRAME ? 6 : 12;
  return o;
}

MacroblockCoeffs encode_macroblock_residual(const dsp::Dsp& dsp, Raster& frame, const References& refs,
                                            const MacroblockInfo& mb, const util::Image& source,
                                            const DequantFactors& dq, int mb_col, int mb_row, int version,
                                            const QuantizerOptions& base_opts) {
  MacroblockCoeffs out;
  const QuantizerOptions opts = for_macroblock(base_opts, mb);
  const BlockQuantizer quantize_y1(dq.y1[0], dq.y1[1], opts, dsp), quantize_y2(dq.y2[0], dq.y2[1], opts, dsp),
      quantize_uv(dq.uv[0], dq.uv[1], opts, dsp);
  const SourceMacroblock src = source_macroblock(source, mb_col, mb_row);
  predict_macroblock(dsp, frame, refs, mb, mb_col, mb_row, version);

  Plane& y = frame.y();
  const int x0 = mb_col * 16, y0 = mb_row * 16;
  auto luma_at = [&](int b) { return y.at(x0 + (b & 3) * 4, y0 + (b >> 2) * 4); };
  auto luma_src = [&](int b) { return src.y + (b >> 2) * 4 * 16 + (b & 3) * 4; };
  int16_t coeffs[16];
  if (mb.y_mode == B_PRED) {
    // Each subblock predicts from the reconstruction of those above and to its left, so each is
    // coded and rebuilt before the next.
    const IntraEdges edges = intra_edges(y, mb_col, mb_row, frame.mb_cols(), false);
    for (int b = 0; b < 16; ++b) {
      predict_intra_subblock(dsp, y, edges, mb_col, mb_row, b, mb.b_modes[b]);
      dsp.fdct(luma_src(b), 16, luma_at(b), y.stride(), coeffs);
      out.token_end[b] = uint8_t(quantize_y1(coeffs, 0, out.coeffs[b]));
      add_block_residual(dsp, out.coeffs[b], dq.y1, out.token_end[b], luma_at(b), y.stride());
    }
  } else {
    // With Y2 the luma DCs are collected, Walsh-transformed and quantized as one more block.
    const int first = mb.has_y2() ? 1 : 0;
    int16_t dc[16];
    for (int b = 0; b < 16; ++b) {
      dsp.fdct(luma_src(b), 16, luma_at(b), y.stride(), coeffs);
      dc[b] = coeffs[0];
      out.token_end[b] = uint8_t(quantize_y1(coeffs, first, out.coeffs[b]));
    }
    if (mb.has_y2()) {
      forward_wht(dc, coeffs);
      out.token_end[kY2Block] = uint8_t(quantize_y2(coeffs, 0, out.coeffs[kY2Block]));
    }
  }
  for (int b = 16; b < 24; ++b) {
    const int i = (b - 16) & 3;
    const uint8_t* s = (b < 20 ? src.u : src.v) + (i >> 1) * 4 * 8 + (i & 1) * 4;
    Plane& p = b < 20 ? frame.u() : frame.v();
    dsp.fdct(s, 8, p.at(mb_col * 8 + (i & 1) * 4, mb_row * 8 + (i >> 1) * 4), p.stride(), coeffs);
    out.token_end[b] = uint8_t(quantize_uv(coeffs, 0, out.coeffs[b]));
  }
  out.all_eob = all_eob(out, mb.has_y2());
  // What reconstruct_macroblock adds after prediction (B_PRED luma is already done; a macroblock
  // with nothing coded gets nothing, and its levels are all zero anyway).
  if (!out.all_eob) {
    if (mb.y_mode != B_PRED) add_luma_residual(dsp, y, mb, out, dq, mb_col, mb_row);
    add_chroma_residual(dsp, frame, out, dq, mb_col, mb_row);
  }
  return out;
}

UnfilteredFrame rebase_macroblocks(const DecoderState& state, const ParsedFrame& frame, const util::Image& source,
                                   const dsp::Dsp& dsp, const QuantizerOptions& opts, FrameBuffers* buffers) {
  const bool key = frame.tag.key_frame;
  if (!key && !state.has_key_frame()) {
    throw util::StateMismatch("rebase: an inter frame needs a state that has decoded a key frame");
  }
  UnfilteredFrame out{ParsedFrame{}, begin_frame(state, frame.tag, frame.header), nullptr};
  const DecoderState& begun = out.context.state;
  const int mb_cols = begun.mb_cols(), mb_rows = begun.mb_rows();
  const size_t count = size_t(mb_cols) * mb_rows;
  if (frame.mbs.size() != count) {
    throw util::StateMismatch(fmt::format("rebase: the frame has {} macroblocks but a {}x{} frame has {}",
                                          frame.mbs.size(), begun.width, begun.height, count));
  }
  if (source.width != begun.width || source.height != begun.height) {
    throw util::UsageError(fmt::format("rebase: the source picture is {}x{} but the frame is {}x{}", source.width,
                                       source.height, begun.width, begun.height));
  }

  out.picture =
      buffers ? buffers->picture(begun.width, begun.height) : std::make_shared<Raster>(begun.width, begun.height);
  ParsedFrame& p = out.frame;
  p.tag = frame.tag;
  p.header = frame.header;
  p.mbs = frame.mbs;
  // Every macroblock's coefficients are assigned below, so reused storage need not be cleared.
  if (buffers) {
    p.coeffs = buffers->coefficients(count);
  } else {
    p.coeffs.resize(count);
  }
  const FrameHeader& h = p.header;
  // Segment ids that are not coded come from the persistent map of the state decoded from.
  const bool map_coded = h.codes_segment_map();
  const ModeContext& modes = out.context.modes;
  if (modes.previous_segment_map && modes.previous_segment_map->size() != count) {
    throw util::StateMismatch(fmt::format("rebase: the state's segment map has {} entries for {} macroblocks",
                                          modes.previous_segment_map->size(), count));
  }

  for (size_t i = 0; i < count; ++i) {
    MacroblockInfo& mb = p.mbs[i];
    if (!map_coded) mb.segment_id = modes.uncoded_segment_id(i);
    const int col = int(i % mb_cols), row = int(i / mb_cols);
    MacroblockCoeffs& c = p.coeffs[i];
    c = encode_macroblock_residual(dsp, *out.picture, out.context.state.refs, mb, source, out.context.dequant_of(mb),
                                   col, row, p.tag.version, opts);
    mb.mb_skip_coeff = h.mb_no_coeff_skip && c.all_eob;
    // A skipped macroblock's coefficients are all zero with no token ends, as the parser leaves them.
    if (mb.mb_skip_coeff) c = MacroblockCoeffs{};
  }
  return out;
}

RebasedFrame rebase_and_reconstruct(const DecoderState& state, const ParsedFrame& frame, const util::Image& source,
                                    const dsp::Dsp& dsp, const QuantizerOptions& opts) {
  UnfilteredFrame u = rebase_macroblocks(state, frame, source, dsp, opts);
  RebasedFrame out;
  out.decoded = finish_frame(u.context, u.frame, u.picture, dsp);
  out.frame = std::move(u.frame);
  return out;
}

ParsedFrame rebase_frame(const DecoderState& state, const ParsedFrame& frame, const util::Image& source,
                         const dsp::Dsp& dsp, const QuantizerOptions& opts) {
  return rebase_and_reconstruct(state, frame, source, dsp, opts).frame;
}

}  // namespace xc::vp8::enc
