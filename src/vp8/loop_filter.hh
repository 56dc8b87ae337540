// The loop filter (§9.3-9.4 and §15): per-macroblock strengths and edge order; the pixel arithmetic is
// in the DSP kernels.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "vp8/dsp/dsp.hh"
#include "vp8/modes.hh"
#include "vp8/raster.hh"
#include "vp8/state.hh"

namespace xc::vp8 {

struct FrameHeader;

// What the edges of one macroblock are filtered with: its level (0: not filtered) and the limits
// derived from it and the sharpness (§15.4).
struct FilterStrength {
  uint8_t level = 0;
  uint8_t mb_edge_limit = 0;   // edges between macroblocks
  uint8_t sub_edge_limit = 0;  // edges between subblocks
  uint8_t interior_limit = 0;
  uint8_t hev_threshold = 0;
  bool operator==(const FilterStrength&) const = default;
};

// A frame's filter strengths, derived once from its header, the segment levels and the loop-filter
// deltas in effect (those of the begun state) and the frame type: one for every segment, reference
// frame and mode class, so that filtering a macroblock only looks its strength up. A macroblock's level
// is the frame's loop_filter_level, or its segment's (absolute, or added to the frame's) when the frame
// has segmentation (§9.3), clamped to 0..63; then, when loop_filter_adj_enable is set, plus the delta of
// its reference frame and that of its mode (B_PRED for intra macroblocks; ZEROMV, SPLITMV or any other
// mode for inter ones), clamped again (§9.4). When the frame's loop_filter_level is 0 nothing is
// filtered, whatever the segments say, as libvpx does.
class LoopFilterStrengths {
 public:
  LoopFilterStrengths() = default;  // filters nothing
  LoopFilterStrengths(const FrameHeader& header, const SegmentationState& seg, const LoopFilterDeltas& deltas,
                      bool key_frame);

  const FilterStrength& of(const MacroblockInfo& mb) const {
    return table_[mb.segment_id][mb.ref_frame][kModeClass[mb.ref_frame != INTRA_FRAME][mb.y_mode]];
  }
  bool filters_anything() const { return filters_anything_; }
  bool simple() const { return simple_; }  // filter_type 1 (§15.2)

  // Whether these are the strengths of a frame with `header`'s filter type, level and sharpness (the
  // segment levels and deltas being the same).
  bool made_for(const FrameHeader& header) const;

 private:
  // Mode classes: the index of the mode delta (§9.4: B_PRED, ZEROMV, other inter modes, SPLITMV),
  // or kNoModeDelta for intra modes other than B_PRED. By whether the reference frame is inter, then
  // the mode.
  static constexpr int kNoModeDelta = 4;
  static constexpr std::array<std::array<uint8_t, kNumMbModes>, 2> kModeClass{{
      {4, 4, 4, 4, 0, 4, 4, 4, 4, 4},  // intra: DC_PRED .. TM_PRED, B_PRED, (inter modes)
      {2, 2, 2, 2, 2, 2, 2, 1, 2, 3},  // inter: (intra modes), NEARESTMV, NEARMV, ZEROMV, NEWMV, SPLITMV
  }};

  std::array<std::array<std::array<FilterStrength, kNoModeDelta + 1>, kNumRefFrames>, 4> table_{};  // [segment]
  bool filters_anything_ = false;
  bool simple_ = false;
  uint8_t frame_level_ = 0;
  uint8_t sharpness_ = 0;
};

// Filters the whole frame in macroblock raster order. `no_coeffs[i]` tells whether macroblock i has no
// coefficients (the inner edges of such macroblocks are not filtered unless the mode is B_PRED or
// SPLITMV).
void loop_filter_frame(const dsp::Dsp& dsp, Raster& frame, const LoopFilterStrengths& strengths,
                       const std::vector<MacroblockInfo>& mbs, const std::vector<uint8_t>& no_coeffs);

// The same for macroblock rows first_row .. end_row - 1 only. Filtering row r changes pixels of rows
// r - 1 and r alone, so a decoder may filter each row once the row below it is reconstructed (intra
// prediction reads unfiltered pixels): the rows in order give the same frame as loop_filter_frame.
void loop_filter_rows(const dsp::Dsp& dsp, Raster& frame, const LoopFilterStrengths& strengths,
                      const std::vector<MacroblockInfo>& mbs, const std::vector<uint8_t>& no_coeffs, int first_row,
                      int end_row);

}  // namespace xc::vp8
