// The decoding pipeline (§5, §19-20): a compressed frame and a state in, a new state and the shown
// picture out. Nothing else is read or changed, so a state can be saved and decoding resumed anywhere.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "vp8/dsp/dsp.hh"
#include "vp8/frame_header.hh"
#include "vp8/loop_filter.hh"
#include "vp8/modes.hh"
#include "vp8/quant.hh"
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

// parse_frame without the tokens: the tag, header and macroblock records (skip flags included),
// with `coeffs` left empty, for users that replace the coefficients. The token partitions' layout
// is checked, their contents are not read. Throws like parse_frame.
ParsedFrame parse_frame_modes(const DecoderState& state, std::span<const uint8_t> frame);

// Reconstructs a parsed frame: the same result as decode_frame on the bytes it was parsed from.
DecodedFrame reconstruct_frame(const DecoderState& state, const ParsedFrame& frame,
                               const dsp::Dsp& dsp = dsp::best_dsp());

// What a frame's macroblocks are parsed, written, reconstructed and coded with, derived once from the
// state the frame is decoded from and its tag and header (§9.3-9.11). The decoder, the frame writer and
// the encoder make it with begin_frame; finish_frame (or decode_frame's loop, by the same steps) ends it.
struct FrameContext {
  // The begun state: the state decoded from, with the key-frame resets and the header's persistent
  // updates (segmentation data, loop-filter deltas) applied; probabilities and references are still
  // those from before the frame.
  DecoderState state;
  ProbabilityTables probs;  // the frame's: the begun state's with the header's updates
  ModeContext modes;        // what the mode syntax needs besides the header (its map is the state's)
  // By segment; all four the same when the frame has no segmentation.
  std::array<DequantFactors, 4> dequant;
  // The loop filter's, from the header given to begin_frame: finish_frame makes them again when the
  // frame it is given has another loop-filter level or sharpness.
  LoopFilterStrengths filter;

  const DequantFactors& dequant_of(const MacroblockInfo& mb) const { return dequant[mb.segment_id]; }
};

FrameContext begin_frame(const DecoderState& state, const FrameTag& tag, const FrameHeader& header);

// Completes a frame begun as `context` whose macroblocks have all been reconstructed into `picture`
// (by reconstruct_macroblock or the encoder): loop filter, borders, segment map, references and
// probabilities, as reconstruct_frame does. The probabilities kept are those of `frame`'s header,
// whose probability updates, loop-filter level and sharpness may have changed since begin_frame
// (its other fields may not). Without a picture the frame is finished as parsing it alone would: the
// state after it has the frame's segment map and probabilities and the references from before it,
// and the result has no picture.
DecodedFrame finish_frame(const FrameContext& context, const ParsedFrame& frame,
                          const std::shared_ptr<Raster>& picture = nullptr, const dsp::Dsp& dsp = dsp::best_dsp());

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
