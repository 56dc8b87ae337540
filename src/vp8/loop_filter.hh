// The loop filter (§9.6 levels, §15 edges): per-macroblock parameters and edge order; the pixel
// arithmetic is in the DSP kernels.
#pragma once

#include <cstdint>
#include <vector>

#include "vp8/dsp/dsp.hh"
#include "vp8/modes.hh"
#include "vp8/raster.hh"
#include "vp8/state.hh"

namespace xc::vp8 {

struct FrameHeader;

// The filter level of a macroblock (§9.6, §15.1): frame level, segment override, then the
// reference-frame and mode deltas when loop_filter_adj_enable is set; clamped to 0..63.
int macroblock_filter_level(const FrameHeader& header, const SegmentationState& seg, const LoopFilterDeltas& deltas,
                            const MacroblockInfo& mb);

// Filters the whole frame in macroblock raster order. `skip_inner[i]` tells whether macroblock i has
// no coefficients (the inner edges of such macroblocks are not filtered unless the mode is B_PRED or
// SPLITMV). Does nothing when the frame's loop_filter_level is 0, as libvpx does.
void loop_filter_frame(const dsp::Dsp& dsp, Raster& frame, const FrameHeader& header, bool key_frame,
                       const SegmentationState& seg, const LoopFilterDeltas& deltas,
                       const std::vector<MacroblockInfo>& mbs, const std::vector<uint8_t>& no_coeffs);

// The same for macroblock rows first_row .. end_row - 1 only. Filtering row r changes pixels of rows
// r - 1 and r alone, so a decoder may filter each row once the row below it is reconstructed (intra
// prediction reads unfiltered pixels): the rows in order give the same frame as loop_filter_frame.
void loop_filter_rows(const dsp::Dsp& dsp, Raster& frame, const FrameHeader& header, bool key_frame,
                      const SegmentationState& seg, const LoopFilterDeltas& deltas,
                      const std::vector<MacroblockInfo>& mbs, const std::vector<uint8_t>& no_coeffs, int first_row,
                      int end_row);

}  // namespace xc::vp8
