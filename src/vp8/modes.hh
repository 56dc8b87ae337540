// Per-macroblock prediction records (§10, §11, §16, §17): segment id, skip flag, intra modes,
// reference frame and motion vectors, as read from and written to the first partition.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "vp8/enums.hh"

namespace xc::vp8 {

class BoolDecoder;
class BoolEncoder;
class BranchCounter;
struct FrameHeader;
struct DecoderState;
struct ProbabilityTables;

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

  // The segment id of macroblock `index` (raster order) when the frame does not code one: the
  // persistent one, or 0 on a key frame.
  uint8_t uncoded_segment_id(std::size_t index) const {
    return !key_frame && previous_segment_map ? (*previous_segment_map)[index] : 0;
  }
};

// Parses the modes of every macroblock, row by row (§19.3), with the frame's (already updated)
// probabilities.
std::vector<MacroblockInfo> parse_modes(BoolDecoder& bd, const FrameHeader& header, const ModeContext& ctx,
                                        const ProbabilityTables& probs);

// Writes the modes of every macroblock so that parse_modes, given the same header, context and
// probabilities, returns `mbs`. Throws std::invalid_argument naming the macroblock when a record
// cannot be coded or would not parse back to itself: a vector that differs from the one its mode
// implies (ZEROMV, NEARESTMV, NEARMV, LEFT4X4, ABOVE4X4, ZERO4X4; the split vector of subblock 15
// in `mv`), a NEWMV delta that is odd or out of range, a segment id that is not coded and differs
// from 0 on a key frame, a skip flag without mb_no_coeff_skip, or a mode the frame type cannot code.
// Derived fields (needs_mv_clamp, implied subblock modes) are not checked.
void write_modes(BoolEncoder& enc, const FrameHeader& header, const ModeContext& ctx, const ProbabilityTables& probs,
                 const std::vector<MacroblockInfo>& mbs);

// The same walk, counting the branches taken at each watched probability (the header's, or those
// of `probs`) instead of writing them; throws the same way.
void write_modes(BranchCounter& counter, const FrameHeader& header, const ModeContext& ctx,
                 const ProbabilityTables& probs, const std::vector<MacroblockInfo>& mbs);

// The subblock mode implied by a whole-macroblock intra mode, which key-frame subblock contexts see
// (§11.3): B_VE_PRED for V_PRED, B_HE_PRED for H_PRED, B_TM_PRED for TM_PRED, else B_DC_PRED.
BMode implied_b_mode(MbMode m);

// Distances from a macroblock to the frame edges, in eighth pels (negative to the left and top).
struct EdgeDistances {
  int to_left, to_right, to_top, to_bottom;
  static EdgeDistances of(int mb_col, int mb_row, int mb_cols, int mb_rows);
};

// The near-MV search of an inter macroblock (§16.3), shared by parsing, writing and mode decisions:
// the candidate vectors, clamped as NEARESTMV, NEARMV and NEWMV (as its base) use them, and the
// probabilities of the four kMvRefTree nodes, which depend on the neighbours' vectors and modes.
struct NearMvs {
  MotionVector nearest, near, best;
  std::array<uint8_t, 4> mode_probs{};
};
NearMvs find_near_mvs(const MacroblockInfo& above, const MacroblockInfo& left, const MacroblockInfo& above_left,
                      RefFrame ref_frame, const std::array<bool, kNumRefFrames>& sign_bias, const EdgeDistances& e);

// The vectors left of and above subblock `b` of a SPLITMV macroblock (from `mb` itself for inner
// edges, whose subblocks before `b` must be filled in, else from the neighbours), and the
// sub_mv_ref probabilities they select (§16.4).
struct SubMvContext {
  MotionVector left, above;
  const uint8_t* probs;  // for kSubMvRefTree
};
SubMvContext sub_mv_context(const MacroblockInfo& mb, const MacroblockInfo& above, const MacroblockInfo& left, int b);

// The key-frame probabilities of subblock `b`'s intra mode, selected by the modes of the subblocks
// above and to the left (§11.3; `mb`'s subblocks before `b` must be filled in).
const uint8_t* kf_b_mode_probs(const MacroblockInfo& mb, const MacroblockInfo& above, const MacroblockInfo& left,
                               int b);

}  // namespace xc::vp8
