// Parsing of per-macroblock modes and motion vectors (§10, §11, §16, §17, §19.3).
#include "vp8/modes.hh"

#include "vp8/bool_decoder.hh"
#include "vp8/frame_header.hh"
#include "vp8/tables.hh"

namespace xc::vp8 {

namespace {

// Offsets of the fields of one MV component's 19 probabilities (§17.2).
constexpr int kMvpIsShort = 0;
constexpr int kMvpSign = 1;
constexpr int kMvpShort = 2;                 // 7 probabilities of the short tree
constexpr int kMvpLong = kMvpShort + 8 - 1;  // 10 probabilities, one per bit of a long value
constexpr int kMvLongBits = 10;

// The macroblock record used for neighbours outside the frame: intra, zero vector, DC modes.
const MacroblockInfo kOutside{};

// The subblock mode implied by a whole-macroblock intra mode, for key-frame contexts (§11.3).
BMode implied_b_mode(MbMode m) {
  switch (m) {
    case V_PRED:
      return B_VE_PRED;
    case H_PRED:
      return B_HE_PRED;
    case TM_PRED:
      return B_TM_PRED;
    default:
      return B_DC_PRED;
  }
}

int read_mv_component(BoolDecoder& bd, const std::array<uint8_t, kNumMvProbs>& p) {
  int x = 0;
  if (bd.read(p[kMvpIsShort])) {
    // Long form: bits 0-2, then 9 down to 4, then bit 3 only if it can be ambiguous.
    for (int i = 0; i < 3; ++i) x += bd.read(p[kMvpLong + i]) << i;
    for (int i = kMvLongBits - 1; i > 3; --i) x += bd.read(p[kMvpLong + i]) << i;
    if (!(x & 0xfff0) || bd.read(p[kMvpLong + 3])) x += 8;
  } else {
    x = bd.read_tree(kSmallMvTree, p.data() + kMvpShort);
  }
  if (x && bd.read(p[kMvpSign])) x = -x;
  return x;
}

MotionVector read_mv(BoolDecoder& bd, const std::array<std::array<uint8_t, kNumMvProbs>, 2>& probs) {
  MotionVector mv;
  mv.row = int16_t(read_mv_component(bd, probs[0]) * 2);
  mv.col = int16_t(read_mv_component(bd, probs[1]) * 2);
  return mv;
}

// Distances from the macroblock to the frame edges, in eighth pels (negative to the left/top).
struct EdgeDistances {
  int to_left, to_right, to_top, to_bottom;
};

// §5 / libvpx: predictors are clamped so the block lies at most 16 pixels beyond the frame edge.
constexpr int kMvMargin = 16 << 3;

MotionVector clamp_mv(MotionVector mv, const EdgeDistances& e) {
  if (mv.col < e.to_left - kMvMargin) {
    mv.col = int16_t(e.to_left - kMvMargin);
  } else if (mv.col > e.to_right + kMvMargin) {
    mv.col = int16_t(e.to_right + kMvMargin);
  }
  if (mv.row < e.to_top - kMvMargin) {
    mv.row = int16_t(e.to_top - kMvMargin);
  } else if (mv.row > e.to_bottom + kMvMargin) {
    mv.row = int16_t(e.to_bottom + kMvMargin);
  }
  return mv;
}

bool outside_margin(const MotionVector& mv, const EdgeDistances& e) {
  return mv.col < e.to_left - kMvMargin || mv.col > e.to_right + kMvMargin ||
         mv.row < e.to_top - kMvMargin || mv.row > e.to_bottom + kMvMargin;
}

// The sub_mv_ref context of §16.4 from the left and above subblock vectors.
int sub_mv_context(const MotionVector& left, const MotionVector& above) {
  if (left == above) return above.is_zero() ? 4 : 3;  // LEFT_ABOVE_ZED : LEFT_ABOVE_SAME
  if (above.is_zero()) return 2;                      // ABOVE_ZED
  if (left.is_zero()) return 1;                       // LEFT_ZED
  return 0;                                           // NORMAL
}

class ModeParser {
 public:
  ModeParser(BoolDecoder& bd, const FrameHeader& h, const ModeContext& ctx,
             const std::array<uint8_t, 4>& y_probs, const std::array<uint8_t, 3>& uv_probs,
             const std::array<std::array<uint8_t, kNumMvProbs>, 2>& mv_probs)
      : bd_(bd), h_(h), ctx_(ctx), y_probs_(y_probs), uv_probs_(uv_probs), mv_probs_(mv_probs) {}

  std::vector<MacroblockInfo> run() {
    std::vector<MacroblockInfo> mbs(size_t(ctx_.mb_cols) * ctx_.mb_rows);
    const bool update_map = h_.segmentation_enabled && h_.segmentation.update_mb_segmentation_map;
    uint8_t seg_probs[3];
    for (int i = 0; i < 3; ++i) seg_probs[i] = h_.segmentation.segment_prob_update[i].value_or(255);

    for (int r = 0; r < ctx_.mb_rows; ++r) {
      for (int c = 0; c < ctx_.mb_cols; ++c) {
        const size_t index = size_t(r) * ctx_.mb_cols + c;
        MacroblockInfo& mb = mbs[index];
        const MacroblockInfo& above = r > 0 ? mbs[index - ctx_.mb_cols] : kOutside;
        const MacroblockInfo& left = c > 0 ? mbs[index - 1] : kOutside;
        const MacroblockInfo& above_left = (r > 0 && c > 0) ? mbs[index - ctx_.mb_cols - 1] : kOutside;

        if (update_map) {
          mb.segment_id = uint8_t(bd_.read_tree(kMbSegmentTree, seg_probs));
        } else if (!ctx_.key_frame && ctx_.previous_segment_map) {
          mb.segment_id = (*ctx_.previous_segment_map)[index];
        }
        if (h_.mb_no_coeff_skip) mb.mb_skip_coeff = bd_.read(h_.prob_skip_false);

        if (ctx_.key_frame) {
          parse_kf_modes(mb, above, left);
        } else if (bd_.read(h_.prob_intra)) {
          const EdgeDistances e{-((c * 16) << 3), ((ctx_.mb_cols - 1 - c) * 16) << 3, -((r * 16) << 3),
                                ((ctx_.mb_rows - 1 - r) * 16) << 3};
          parse_inter_modes(mb, above, left, above_left, e);
        } else {
          parse_intra_modes(mb);
        }
      }
    }
    return mbs;
  }

 private:
  void parse_kf_modes(MacroblockInfo& mb, const MacroblockInfo& above, const MacroblockInfo& left) {
    mb.ref_frame = INTRA_FRAME;
    mb.y_mode = MbMode(bd_.read_tree(kKfYModeTree, kKfYModeProbs.data()));
    if (mb.y_mode == B_PRED) {
      for (int b = 0; b < 16; ++b) {
        const BMode a = b < 4 ? above.b_modes[b + 12] : mb.b_modes[b - 4];
        const BMode l = (b & 3) == 0 ? left.b_modes[b + 3] : mb.b_modes[b - 1];
        mb.b_modes[b] = BMode(bd_.read_tree(kBModeTree, kKfBModeProbs[a][l].data()));
      }
    } else {
      mb.b_modes.fill(implied_b_mode(mb.y_mode));
    }
    mb.uv_mode = MbMode(bd_.read_tree(kUvModeTree, kKfUvModeProbs.data()));
  }

  void parse_intra_modes(MacroblockInfo& mb) {
    mb.ref_frame = INTRA_FRAME;
    mb.y_mode = MbMode(bd_.read_tree(kYModeTree, y_probs_.data()));
    if (mb.y_mode == B_PRED) {
      for (auto& m : mb.b_modes) m = BMode(bd_.read_tree(kBModeTree, kBModeProbs.data()));
    } else {
      mb.b_modes.fill(implied_b_mode(mb.y_mode));
    }
    mb.uv_mode = MbMode(bd_.read_tree(kUvModeTree, uv_probs_.data()));
  }

  // §16.3: reference frame, near-MV search, mode, and vectors.
  void parse_inter_modes(MacroblockInfo& mb, const MacroblockInfo& above, const MacroblockInfo& left,
                         const MacroblockInfo& above_left, const EdgeDistances& e) {
    mb.ref_frame = LAST_FRAME;
    if (bd_.read(h_.prob_last)) mb.ref_frame = RefFrame(GOLDEN_FRAME + bd_.read(h_.prob_gf));

    // Find the distinct non-zero neighbour vectors, weighted above 2, left 2, above-left 1.
    enum { kCntIntra = 0, kCntNearest, kCntNear, kCntSplit };
    MotionVector near_mvs[4];
    int cnt[4] = {0, 0, 0, 0};
    int n = 0;  // index of the last vector found
    const MacroblockInfo* neighbours[3] = {&above, &left, &above_left};
    const int weights[3] = {2, 2, 1};
    for (int k = 0; k < 3; ++k) {
      const MacroblockInfo& nb = *neighbours[k];
      if (nb.ref_frame == INTRA_FRAME) continue;
      if (nb.mv.is_zero()) {
        cnt[kCntIntra] += weights[k];
        continue;
      }
      MotionVector mv = nb.mv;
      if (ctx_.sign_bias[nb.ref_frame] != ctx_.sign_bias[mb.ref_frame]) {
        mv.row = int16_t(-mv.row);
        mv.col = int16_t(-mv.col);
      }
      if (n == 0 || !(mv == near_mvs[n])) near_mvs[++n] = mv;
      cnt[n] += weights[k];
    }

    if (!bd_.read(kModeContexts[cnt[kCntIntra]][0])) {
      mb.y_mode = ZEROMV;
      mb.mv = {};
      mb.b_mvs.fill(mb.mv);
      return;
    }
    // With three distinct vectors, merge above-left into nearest when they are equal.
    if (cnt[kCntSplit] > 0 && near_mvs[n] == near_mvs[kCntNearest]) cnt[kCntNearest] += 1;
    if (cnt[kCntNear] > cnt[kCntNearest]) {
      std::swap(cnt[kCntNearest], cnt[kCntNear]);
      std::swap(near_mvs[kCntNearest], near_mvs[kCntNear]);
    }

    if (!bd_.read(kModeContexts[cnt[kCntNearest]][1])) {
      mb.y_mode = NEARESTMV;
      mb.mv = clamp_mv(near_mvs[kCntNearest], e);
    } else if (!bd_.read(kModeContexts[cnt[kCntNear]][2])) {
      mb.y_mode = NEARMV;
      mb.mv = clamp_mv(near_mvs[kCntNear], e);
    } else {
      const MotionVector best =
          clamp_mv(cnt[kCntNearest] >= cnt[kCntIntra] ? near_mvs[kCntNearest] : MotionVector{}, e);
      const int split_count = (above.y_mode == SPLITMV) * 2 + (left.y_mode == SPLITMV) * 2 +
                              (above_left.y_mode == SPLITMV);
      if (bd_.read(kModeContexts[split_count][3])) {
        mb.y_mode = SPLITMV;
        parse_split_mv(mb, above, left, best, e);
        mb.mv = mb.b_mvs[15];
        return;
      }
      mb.y_mode = NEWMV;
      const MotionVector delta = read_mv(bd_, mv_probs_);
      mb.mv.row = int16_t(delta.row + best.row);
      mb.mv.col = int16_t(delta.col + best.col);
      mb.needs_mv_clamp = outside_margin(mb.mv, e);
    }
    mb.b_mvs.fill(mb.mv);
  }

  // §16.4: partitioning, then one sub_mv_ref (and maybe a vector) per partition.
  void parse_split_mv(MacroblockInfo& mb, const MacroblockInfo& above, const MacroblockInfo& left,
                      const MotionVector& best, const EdgeDistances& e) {
    mb.partition = SplitMvPartition(bd_.read_tree(kSplitMvTree, kMbSplitProbs.data()));
    const auto& part_of = kMbSplits[mb.partition];
    const int parts = kMbSplitCounts[mb.partition];
    for (int p = 0; p < parts; ++p) {
      int first = 0;  // first subblock (raster order) of partition p
      while (part_of[first] != p) ++first;
      const MotionVector left_mv =
          (first & 3) ? mb.b_mvs[first - 1] : (left.y_mode == SPLITMV ? left.b_mvs[first + 3] : left.mv);
      const MotionVector above_mv =
          (first >> 2) ? mb.b_mvs[first - 4] : (above.y_mode == SPLITMV ? above.b_mvs[first + 12] : above.mv);
      const uint8_t* probs = kSubMvRefProbs[sub_mv_context(left_mv, above_mv)].data();
      const BMode sub = BMode(bd_.read_tree(kSubMvRefTree, probs));
      MotionVector mv;
      switch (sub) {
        case LEFT4X4:
          mv = left_mv;
          break;
        case ABOVE4X4:
          mv = above_mv;
          break;
        case ZERO4X4:
          mv = {};
          break;
        default: {
          const MotionVector delta = read_mv(bd_, mv_probs_);
          mv.row = int16_t(delta.row + best.row);
          mv.col = int16_t(delta.col + best.col);
          break;
        }
      }
      mb.needs_mv_clamp |= outside_margin(mv, e);
      // Fill the whole partition now: later partitions refer back to it.
      for (int b = 0; b < 16; ++b) {
        if (part_of[b] == p) {
          mb.b_mvs[b] = mv;
          mb.b_modes[b] = sub;
        }
      }
    }
  }

  BoolDecoder& bd_;
  const FrameHeader& h_;
  const ModeContext& ctx_;
  const std::array<uint8_t, 4>& y_probs_;
  const std::array<uint8_t, 3>& uv_probs_;
  const std::array<std::array<uint8_t, kNumMvProbs>, 2>& mv_probs_;
};

}  // namespace

std::vector<MacroblockInfo> parse_modes(BoolDecoder& bd, const FrameHeader& header, const ModeContext& ctx,
                                        const std::array<uint8_t, 4>& y_mode_probs,
                                        const std::array<uint8_t, 3>& uv_mode_probs,
                                        const std::array<std::array<uint8_t, kNumMvProbs>, 2>& mv_probs) {
  return ModeParser(bd, header, ctx, y_mode_probs, uv_mode_probs, mv_probs).run();
}

}  // namespace xc::vp8
