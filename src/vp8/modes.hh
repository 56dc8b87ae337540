// Per-macroblock prediction records (§10, §11, §16, §17): segment id, skip flag, intra modes,
// reference frame and motion vectors, as parsed from the first partition.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "vp8/enums.hh"

namespace xc::vp8 {

class BoolDecoder;
struct FrameHeader;
struct DecoderState;

// A motion vector in eighth-pel luma units (the coded quarter-pel value times two, as libvpx keeps
// it), so luma uses mv >> 3 and mv & 7, and the chroma rules of §5 fall out of integer halving.
struct MotionVector {
  int16_t row = 0;
  int16_t col = 0;
  bool is_zero() const { return row == 0 && col == 0; }
  bool operator==(const MotionVector&) const = default;
};

struct MacroblockInfo {
  MbMode y_mode = DC_PRED;
  MbMode uv_mode = DC_PRED;  // intra macroblocks only
  RefFrame ref_frame = INTRA_FRAME;
  uint8_t segment_id = 0;
  bool mb_skip_coeff = false;  // as coded (false when the frame has mb_no_coeff_skip = 0)
  SplitMvPartition partition = MV_16;  // SPLITMV only
  // Whether some vector points so far outside the frame that prediction clamps it (libvpx's
  // need_to_clamp_mvs; see predict.cc).
  bool needs_mv_clamp = false;
  MotionVector mv;  // for SPLITMV, the vector of subblock 15
  // B_PRED: the ten intra subblock modes. Other intra modes: the implied subblock mode (contexts
  // for key frames, §11.3). SPLITMV: the sub_mv_ref of each subblock's partition (LEFT4X4..NEW4X4).
  std::array<BMode, 16> b_modes{};
  std::array<MotionVector, 16> b_mvs{};  // SPLITMV: per subblock; otherwise all equal to mv

  bool has_y2() const { return y_mode != B_PRED && y_mode != SPLITMV; }
  bool operator==(const MacroblockInfo&) const = default;
};

// Frame-level values the mode parser needs besides the header.
struct ModeContext {
  int mb_cols = 0;
  int mb_rows = 0;
  bool key_frame = true;
  std::array<bool, kNumRefFrames> sign_bias{};  // by RefFrame
  // Persistent segment ids (may be null: all zero) used when the map is not updated.
  const std::vector<uint8_t>* previous_segment_map = nullptr;
};

// Parses the modes of every macroblock, row by row (§19.3). `mv_probs`, `y_mode_probs` and
// `uv_mode_probs` are the frame's (already updated) probabilities.
std::vector<MacroblockInfo> parse_modes(BoolDecoder& bd, const FrameHeader& header, const ModeContext& ctx,
                                        const std::array<uint8_t, 4>& y_mode_probs,
                                        const std::array<uint8_t, 3>& uv_mode_probs,
                                        const std::array<std::array<uint8_t, kNumMvProbs>, 2>& mv_probs);

}  // namespace xc::vp8
