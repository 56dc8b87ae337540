// The decoding pipeline (§5, §19-20): a compressed frame and a state in, a new state and the shown
// picture out. Nothing else is read or changed, so a state can be saved and decoding resumed anywhere.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "vp8/dsp/dsp.hh"
#include "vp8/frame_header.hh"
#include "vp8/modes.hh"
#include "vp8/raster.hh"
#include "vp8/state.hh"
#include "vp8/tokens.hh"

namespace xc::util {
class ThreadPool;
}

namespace xc::vp8 {

struct DecodedFrame {
  DecoderState state;  // the state after this frame
  RasterRef picture;   // the reconstructed frame; shown only if `shown`
  bool shown = false;  // show_frame
  FrameTag tag;
  FrameHeader header;
};

// A frame's complete syntax as a value: what the bitstream says, before any reconstruction. It can be
// changed and written back (see the frame writer), or reconstructed against a state.
struct ParsedFrame {
  FrameTag tag;
  FrameHeader header;
  std::vector<MacroblockInfo> mbs;       // raster order
  std::vector<MacroblockCoeffs> coeffs;  // raster order; all zero for macroblocks with mb_skip_coeff
};

// Parses a frame against the state it is decoded from (which supplies the probabilities and the
// persistent segment map). Throws like decode_frame.
ParsedFrame parse_frame(const DecoderState& state, std::span<const uint8_t> frame);

// Reconstructs a parsed frame: the same result as decode_frame on the bytes it was parsed from.
DecodedFrame reconstruct_frame(const DecoderState& state, const ParsedFrame& frame,
                               const dsp::Dsp& dsp = dsp::best_dsp());

// The state a frame's macroblocks are reconstructed against: `state` with the key-frame resets and
// the header's persistent updates (segmentation data, loop-filter deltas) applied; probabilities and
// references are still those from before the frame.
DecoderState frame_begin_state(const DecoderState& state, const FrameTag& tag, const FrameHeader& header);

// Completes a frame whose macroblocks have all been reconstructed into `frame` (by
// reconstruct_macroblock or the encoder) against `begun` (from frame_begin_state): loop filter,
// borders, segment map, references and probabilities, as reconstruct_frame does.
DecodedFrame finish_frame(const DecoderState& begun, const ParsedFrame& frame, const std::shared_ptr<Raster>& picture,
                          const dsp::Dsp& dsp = dsp::best_dsp());

// The probabilities a frame is coded with (the state's, reset on key frames, with the header's
// updates), and the state's persistent tables after it.
ProbabilityTables frame_probabilities(const DecoderState& state, const FrameTag& tag, const FrameHeader& header);

// What the mode parser needs besides the header for a frame decoded from `state`: the frame's size in
// macroblocks, its sign biases and the persistent segment map (which stays owned by `state`).
ModeContext frame_mode_context(const DecoderState& state, const FrameTag& tag, const FrameHeader& header);

// Decodes one frame. Throws util::InvalidBitstream (with the problem and, where it applies, the
// partition and macroblock row) for corrupt or truncated data, and for an inter frame when no key
// frame has been decoded. `state` is never modified, so a failed frame leaves the caller's state as it
// was. With a `pool`, the new picture is taken from it (see RasterPool) instead of allocated; with
// `threads` of more than one thread, macroblock rows are decoded on them in a wavefront. The result
// is the same either way.
DecodedFrame decode_frame(const DecoderState& state, std::span<const uint8_t> frame,
                          const dsp::Dsp& dsp = dsp::best_dsp(), RasterPool* pool = nullptr,
                          util::ThreadPool* threads = nullptr);

}  // namespace xc::vp8
