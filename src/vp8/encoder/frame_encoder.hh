// Whole-frame encoding on top of a decoder state: an inter frame with full mode decision (the
// re-encoded first frame of a chunk), a key frame, and the rebase of a frame whose modes are kept;
// each finished with a loop-filter level search and frame-level probabilities chosen from counts.
#pragma once

#include <cstdint>
#include <optional>

#include "util/image.hh"
#include "vp8/decoder.hh"
#include "vp8/dsp/dsp.hh"
#include "vp8/encoder/frame_buffers.hh"
#include "vp8/encoder/mode_decision.hh"
#include "vp8/encoder/quantize.hh"

namespace xc::vp8::enc {

// A frame ready to be written (frame) and what decoding it gives (decoded).
struct EncodedFrame {
  ParsedFrame frame;
  DecodedFrame decoded;
};

// How to code a frame that is decided from scratch.
struct FreshFrameParams {
  int qindex = 32;
  bool key_frame = false;
  uint8_t version = 0;
  // Header fields to carry over (segmentation, loop-filter type, sharpness and deltas, quantizer
  // deltas, partitions), from the frame being replaced; absent: plain defaults.
  const FrameHeader* like = nullptr;
  // The state the `like` frame was decoded to, for its effective segmentation and filter deltas.
  const DecoderState* like_state = nullptr;
  // Per-macroblock segment ids to code when `like` has segmentation (may be empty).
  std::vector<uint8_t> segment_ids;
  bool refresh_golden = true;
  bool refresh_alternate = true;
  // An inter frame that refreshes golden hands the previous golden frame to alt-ref instead of
  // refreshing alt-ref too (§9.7, copy_buffer_to_alternate = 2): the references then hold three
  // pictures rather than two.
  bool alternate_from_golden = false;
  ModeDecisionOptions modes;
};

// Encodes `source` as one frame decoded from `state`.
EncodedFrame encode_fresh_frame(const DecoderState& state, const util::Image& source, const FreshFrameParams& params,
                                const dsp::Dsp& dsp = dsp::best_dsp());

// How a re-coded frame gets its loop-filter level and sharpness: searched for the least squared
// error against its target (choose_loop_filter), or kept from the frame being re-coded. The chunk
// steps keep the prediction stream's: its encoder chose them for the same picture at the same
// quantizer, and the least squared error favours stronger filtering than the structure of the
// picture (SSIM) rewards (results/rate-quality.md).
enum class FilterLevel { search, keep };

// Keeps `frame`'s modes, vectors and flags and recomputes its residue against `state` so that it
// decodes close to `target`; the frame-level probabilities are chosen anew, and the loop-filter
// level as `filter` says. `frame` is taken by value so that a caller done with it can move it in.
// With `buffers`, the picture, the filter trials' bands and the coefficients' storage are taken
// from them.
EncodedFrame rebase_frame_fully(const DecoderState& state, ParsedFrame frame, const util::Image& target,
                                const dsp::Dsp& dsp = dsp::best_dsp(),
                                const QuantizerOptions& quantizer = kDeadZoneQuantizer,
                                FrameBuffers* buffers = nullptr, FilterLevel filter = FilterLevel::search);

// Keeps `frame`'s tag and header (quantizer, references refreshed, segmentation, deltas) and decides
// its macroblocks' modes anew against `state`, with each macroblock's own record in `frame` as one
// more candidate; the frame-level probabilities are chosen anew, and the loop-filter level as
// `filter` says.
EncodedFrame redecide_frame(const DecoderState& state, const ParsedFrame& frame, const util::Image& target,
                            const ModeDecisionOptions& modes = {}, const dsp::Dsp& dsp = dsp::best_dsp(),
                            FilterLevel filter = FilterLevel::search);

// A loop-filter level (0..63) and sharpness (0..7) for a frame header.
struct LoopFilterChoice {
  uint8_t level = 0;
  uint8_t sharpness = 0;
  bool operator==(const LoopFilterChoice&) const = default;
};

// Chooses the loop-filter level and sharpness that minimise the squared error of the filtered
// picture against `target`, given the unfiltered reconstruction; every other header field is kept.
// The error is measured on bands of macroblock rows spread over the frame (frames of fewer than 12
// rows whole), from the frame's own level and sharpness by a descent on the level, then on the
// sharpness (then on the level again if the sharpness moved). With `buffers`, the bands' rasters
// are taken from them.
LoopFilterChoice choose_loop_filter(const dsp::Dsp& dsp, const DecoderState& begun, const ParsedFrame& frame,
                                    const Raster& unfiltered, const util::Image& target,
                                    FrameBuffers* buffers = nullptr);

// Squared error of the visible area of `picture` against `target` (all three planes).
int64_t picture_sse(const Raster& picture, const util::Image& target, const dsp::Dsp& dsp = dsp::best_dsp());

}  // namespace xc::vp8::enc
