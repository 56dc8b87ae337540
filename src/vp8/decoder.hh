// The decoding pipeline (§5, §19-20): a compressed frame and a state in, a new state and the shown
// picture out. Nothing else is read or changed, so a state can be saved and decoding resumed anywhere.
#pragma once

#include <cstdint>
#include <span>

#include "vp8/dsp/dsp.hh"
#include "vp8/frame_header.hh"
#include "vp8/raster.hh"
#include "vp8/state.hh"

namespace xc::vp8 {

struct DecodedFrame {
  DecoderState state;  // the state after this frame
  RasterRef picture;   // the reconstructed frame; shown only if `shown`
  bool shown = false;  // show_frame
  FrameTag tag;
  FrameHeader header;
};

// Decodes one frame. Throws util::InvalidBitstream (with the problem and, where it applies, the
// partition and macroblock row) for corrupt or truncated data, and for an inter frame when no key
// frame has been decoded. `state` is never modified, so a failed frame leaves the caller's state as it
// was.
DecodedFrame decode_frame(const DecoderState& state, std::span<const uint8_t> frame,
                          const dsp::Dsp& dsp = dsp::best_dsp());

}  // namespace xc::vp8
