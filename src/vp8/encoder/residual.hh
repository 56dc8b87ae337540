// Residual coding of macroblocks whose modes are already decided, and rebasing a frame onto another
// decoder state: the prediction the decoder will make (§12, §18), forward transforms and
// quantization of what it misses (§14 in reverse), and the decoder's own reconstruction.
#pragma once

#include <cstdint>
#include <memory>

#include "util/image.hh"
#include "vp8/decoder.hh"
#include "vp8/dsp/dsp.hh"
#include "vp8/encoder/frame_buffers.hh"
#include "vp8/encoder/quantize.hh"
#include "vp8/modes.hh"
#include "vp8/quant.hh"
#include "vp8/raster.hh"
#include "vp8/state.hh"
#include "vp8/tokens.hh"

namespace xc::vp8::enc {

// The source pixels of one macroblock (row-major, 16 or 8 to a row), with the picture's last column
// and row repeated past its edges: the area a decoder reconstructs but never shows is coded too.
struct SourceMacroblock {
  uint8_t y[16 * 16];
  uint8_t u[8 * 8];
  uint8_t v[8 * 8];
};
SourceMacroblock source_macroblock(const util::Image& source, int mb_col, int mb_row);

// The quantizer options for one macroblock: when `opts` widens the zero bin after zeros, an inter
// macroblock other than SPLITMV widens it by its mode as well (more without a vector, most for a
// zero vector from the golden or altref frame).
QuantizerOptions for_macroblock(const QuantizerOptions& opts, const MacroblockInfo& mb);

// Codes the residual of macroblock (mb_col, mb_row) with the modes and vectors of `mb` against
// `source` (the raw picture, its last column and row repeated to fill whole macroblocks). `frame` is
// the frame under construction: macroblocks before this one in raster order must be reconstructed,
// and on return this one is, exactly as reconstruct_macroblock rebuilds it from the returned
// coefficients (B_PRED subblocks are coded one by one, each predicted from the reconstruction of
// the ones before it). `refs` supplies inter references; `version` is the frame's (§9.1).
// mb.mb_skip_coeff is ignored: the result says by all_eob whether anything was coded. Coefficients
// are quantized with for_macroblock(opts, mb).
MacroblockCoeffs encode_macroblock_residual(const dsp::Dsp& dsp, Raster& frame, const References& refs,
                                            const MacroblockInfo& mb, const util::Image& source,
                                            const DequantFactors& dq, int mb_col, int mb_row, int version,
                                            const QuantizerOptions& opts = {});

// A rebased frame, with what decoding it from the state it was rebased onto gives (the same as
// reconstruct_frame(state, frame), without reconstructing twice).
struct RebasedFrame {
  ParsedFrame frame;
  DecodedFrame decoded;
};

// Keeps `frame`'s header, modes and motion vectors and recomputes every macroblock's coefficients
// against `state` (its references, segmentation and loop-filter values) so that the result decodes
// to a picture close to `source`. Skip flags are set for macroblocks without coefficients when the
// frame has mb_no_coeff_skip (and stay clear otherwise). Segment ids that the frame does not code
// (no map update) become those `state` implies, since they are what a decoder will use. `frame`'s
// own coefficients are not read (they may be absent).
// Throws util::StateMismatch for an inter frame on a state without a key frame, or a frame whose
// macroblock count does not fit the state, and util::UsageError when `source` has another size.
RebasedFrame rebase_and_reconstruct(const DecoderState& state, const ParsedFrame& frame, const util::Image& source,
                                    const dsp::Dsp& dsp = dsp::best_dsp(), const QuantizerOptions& opts = {});

// The same rebase stopped before the loop filter: the frame, the context its macroblocks were
// reconstructed in (begin_frame) and their reconstruction, which finish_frame(context, frame,
// picture) completes, after changing the frame's loop-filter level or probabilities if wanted.
// With `buffers`, the picture and the coefficients' storage are taken from them.
struct UnfilteredFrame {
  ParsedFrame frame;
  FrameContext context;
  std::shared_ptr<Raster> picture;
};
UnfilteredFrame rebase_macroblocks(const DecoderState& state, const ParsedFrame& frame, const util::Image& source,
                                   const dsp::Dsp& dsp = dsp::best_dsp(), const QuantizerOptions& opts = {},
                                   FrameBuffers* buffers = nullptr);

// The rebased frame alone.
ParsedFrame rebase_frame(const DecoderState& state, const ParsedFrame& frame, const util::Image& source,
                         const dsp::Dsp& dsp = dsp::best_dsp(), const QuantizerOptions& opts = {});

}  // namespace xc::vp8::enc
