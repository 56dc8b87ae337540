// Reading and writing of per-macroblock modes and motion vectors (§10, §11, §16, §17, §19.3), sharing
// one walk, the near-MV search and every context between the two directions.
#include "vp8/modes.hh"

#include <fmt/format.h>

#include <stdexcept>
#include <type_traits>
#include <utility>

#include "vp8/bool_decoder.hh"
#include "vp8/bool_encoder.hh"
#include "vp8/branch_counter.hh"
#include "vp8/frame_header.hh"
#include "vp8/state.hh"
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

// The inverse of read_mv_component for |v| < 1024. Values 0-7 use the short tree and 8-1023 the long
// form; a long value below 16 leaves bit 3 implied, which is why short values cannot be coded long.
template <typename Encoder>
void write_mv_component(Encoder& enc, const std::array<uint8_t, kNumMvProbs>& p, int v) {
  const int x = v < 0 ? -v : v;
  enc.write(p[kMvpIsShort], x >= 8);
  if (x >= 8) {
    for (int i = 0; i < 3; ++i) enc.write(p[kMvpLong + i], (x >> i) & 1);
    for (int i = kMvLongBits - 1; i > 3; --i) enc.write(p[kMvpLong + i], (x >> i) & 1);
    if (x & 0xfff0) enc.write(p[kMvpLong + 3], (x >> 3) & 1);
  } else {
    enc.write_tree(kSmallMvTree, p.data() + kMvpShort, x);
  }
  if (x) enc.write(p[kMvpSign], v < 0);
}

MotionVector read_mv(BoolDecoder& bd, const std::array<std::array<uint8_t, kNumMvProbs>, 2>& probs) {
  MotionVector mv;
  mv.row = int16_t(read_mv_component(bd, probs[0]) * 2);
  mv.col = int16_t(read_mv_component(bd, probs[1]) * 2);
  return mv;
}

// Writes mv - base, the difference a NEWMV or NEW4X4 vector is coded as (§17).
template <typename Encoder>
void write_mv(Encoder& enc, const std::array<std::array<uint8_t, kNumMvProbs>, 2>& probs, MotionVector mv,
              MotionVector base) {
  const int rows = mv.row - base.row, cols = mv.col - base.col;
  constexpr int kLimit = 2 * ((1 << kMvLongBits) - 1);
  if ((rows | cols) & 1 || rows < -kLimit || rows > kLimit || cols < -kLimit || cols > kLimit) {
    throw std::invalid_argument(fmt::format("vector ({}, {}) is ({}, {}) from its base, which is not codable",
                                            mv.row, mv.col, rows, cols));
  }
  write_mv_component(enc, probs[0], rows / 2);
  write_mv_component(enc, probs[1], cols / 2);
}

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
int sub_mv_context_index(const MotionVector& left, const MotionVector& above) {
  if (left == above) return above.is_zero() ? 4 : 3;  // LEFT_ABOVE_ZED : LEFT_ABOVE_SAME
  if (above.is_zero()) return 2;                      // ABOVE_ZED
  if (left.is_zero()) return 1;                       // LEFT_ZED
  return 0;                                           // NORMAL
}

// The first subblock (raster order) of part `p` of a split layout.
int first_subblock(SplitMvPartition partition, int p) {
  int first = 0;
  while (kMbSplits[partition][first] != p) ++first;
  return first;
}

// One macroblock's position and neighbours (kOutside beyond the frame edges).
struct MacroblockSite {
  int col, row;
  size_t index;
  const MacroblockInfo& above;
  const MacroblockInfo& left;
  const MacroblockInfo& above_left;
};

// Visits the macroblocks in coding order (§19.3), with neighbours taken from `mbs` as filled so far.
template <typename Visit>
void for_each_macroblock(const ModeContext& ctx, const std::vector<MacroblockInfo>& mbs, Visit&& visit) {
  for (int r = 0; r < ctx.mb_rows; ++r) {
    for (int c = 0; c < ctx.mb_cols; ++c) {
      const size_t index = size_t(r) * ctx.mb_cols + c;
      visit(MacroblockSite{c, r, index, r > 0 ? mbs[index - ctx.mb_cols] : kOutside, c > 0 ? mbs[index - 1] : kOutside,
                           (r > 0 && c > 0) ? mbs[index - ctx.mb_cols - 1] : kOutside});
    }
  }
}

// The segment tree probabilities of a frame (§9.3; absent updates are 255).
std::array<uint8_t, 3> segment_probs(const FrameHeader& h) {
  std::array<uint8_t, 3> p;
  for (int i = 0; i < 3; ++i) p[i] = h.segmentation.segment_prob_update[i].value_or(255);
  return p;
}

// The coders of ModeSyntax. Each provides:
//   kReads                       whether it fills the records (true) or codes what they hold
//   bit(b, prob)                 a bool at `prob` (passed by reference: the counter knows it by address)
//   tree(v, tree, probs)         a tree-coded value (§8.1)
//   new_mv(mv, base, probs)      a vector coded as its difference from `base` (§17)
//   implied(field, value)        a field the syntax does not code: a reader sets it to `value`, a
//                                writer answers whether it holds `value`
struct ModeReader {
  static constexpr bool kReads = true;
  BoolDecoder& bd;

  void bit(bool& b, uint8_t prob) { b = bd.read(prob); }
  template <typename T, typename Tree>
  void tree(T& v, const Tree& tree, const uint8_t* probs) {
    v = T(bd.read_tree(tree.data(), probs));
  }
  void new_mv(MotionVector& mv, const MotionVector& base, const std::array<std::array<uint8_t, kNumMvProbs>, 2>& p) {
    const MotionVector delta = read_mv(bd, p);
    mv.row = int16_t(delta.row + base.row);
    mv.col = int16_t(delta.col + base.col);
  }
  template <typename T>
  bool implied(T& field, const T& value) {
    field = value;
    return true;
  }
};

// Writes through a BoolEncoder, or counts the branches through a BranchCounter.
template <typename Encoder>
struct ModeWriter {
  static constexpr bool kReads = false;
  Encoder& enc;

  void bit(bool b, const uint8_t& prob) { enc.write(prob, b); }
  template <typename T, typename Tree>
  void tree(T v, const Tree& tree, const uint8_t* probs) {
    enc.write_tree(tree, probs, v);
  }
  void new_mv(const MotionVector& mv, const MotionVector& base,
              const std::array<std::array<uint8_t, kNumMvProbs>, 2>& p) {
    write_mv(enc, p, mv, base);
  }
  template <typename T>
  bool implied(const T& field, const T& value) {
    return field == value;
  }
};

// The macroblock mode syntax (§19.3), described once for a reader and a writer: `Mb` is
// MacroblockInfo for a reader, which also fills the derived fields (implied subblock modes, the
// vectors of every subblock, needs_mv_clamp), and const MacroblockInfo for a writer, which refuses
// records that would not read back as themselves.
template <typename Coder>
class ModeSyntax {
  // What a reader fills and a writer only reads.
  template <typename T>
  using Field = std::conditional_t<Coder::kReads, T, const T>;
  using Mb = Field<MacroblockInfo>;

 public:
  // The coder is held by value (it holds only a reference), which spares the reader an indirection
  // on every bool.
  ModeSyntax(Coder c, const FrameHeader& h, const ModeContext& ctx, const ProbabilityTables& probs)
      : c_(c), h_(h), ctx_(ctx), probs_(probs) {}

  // Every macroblock of `mbs` in coding order; a writer names the macroblock of a record it refuses.
  void run(Field<std::vector<MacroblockInfo>>& mbs) {
    const bool update_map = h_.codes_segment_map();
    const std::array<uint8_t, 3> seg_probs = segment_probs(h_);
    for_each_macroblock(ctx_, mbs, [&](const MacroblockSite& site) {
      if constexpr (Coder::kReads) {
        macroblock(mbs[site.index], site, update_map, seg_probs);
      } else {
        try {
          macroblock(mbs[site.index], site, update_map, seg_probs);
        } catch (const std::invalid_argument& e) {
          throw std::invalid_argument(fmt::format("macroblock row {} column {}: {}", site.row, site.col, e.what()));
        }
      }
    });
  }

 private:
  void macroblock(Mb& mb, const MacroblockSite& site, bool update_map, const std::array<uint8_t, 3>& seg_probs) {
    if (update_map) {
      c_.tree(mb.segment_id, kMbSegmentTree, seg_probs.data());
    } else if (const uint8_t id = ctx_.uncoded_segment_id(site.index); !c_.implied(mb.segment_id, id)) {
      throw std::invalid_argument(
          fmt::format("segment id {} is not coded and differs from the persistent {}", mb.segment_id, id));
    }
    if (h_.mb_no_coeff_skip) {
      c_.bit(mb.mb_skip_coeff, h_.prob_skip_false);
    } else if (!c_.implied(mb.mb_skip_coeff, false)) {
      throw std::invalid_argument("mb_skip_coeff set in a frame without mb_no_coeff_skip");
    }

    if (ctx_.key_frame) {
      kf_modes(mb, site);
      return;
    }
    bool inter = mb.ref_frame != INTRA_FRAME;
    c_.bit(inter, h_.prob_intra);
    if (inter) {
      inter_modes(mb, site);
    } else {
      intra_modes(mb);
    }
  }

  // Intra macroblocks have no reference frame; a writer also refuses modes that are not intra.
  void intra_reference(Mb& mb) {
    if constexpr (Coder::kReads) {
      mb.ref_frame = INTRA_FRAME;
    } else if (mb.ref_frame != INTRA_FRAME || mb.y_mode > B_PRED || mb.uv_mode > TM_PRED) {
      throw std::invalid_argument(fmt::format("modes (reference {}, y {}, uv {}) are not intra modes",
                                              int(mb.ref_frame), int(mb.y_mode), int(mb.uv_mode)));
    }
  }

  // §11.2-11.4: key frames code intra modes with fixed probabilities, subblock modes in the context
  // of their neighbours.
  void kf_modes(Mb& mb, const MacroblockSite& site) {
    intra_reference(mb);
    c_.tree(mb.y_mode, kKfYModeTree, kKfYModeProbs.data());
    if (mb.y_mode == B_PRED) {
      for (int b = 0; b < 16; ++b) c_.tree(mb.b_modes[b], kBModeTree, kf_b_mode_probs(mb, site.above, site.left, b));
    } else if constexpr (Coder::kReads) {
      mb.b_modes.fill(implied_b_mode(mb.y_mode));
    }
    c_.tree(mb.uv_mode, kUvModeTree, kKfUvModeProbs.data());
  }

  // §16.1: intra macroblocks of inter frames, with the frame's probabilities.
  void intra_modes(Mb& mb) {
    intra_reference(mb);
    c_.tree(mb.y_mode, kYModeTree, probs_.y_mode_probs.data());
    if (mb.y_mode == B_PRED) {
      for (auto& m : mb.b_modes) c_.tree(m, kBModeTree, kBModeProbs.data());
    } else if constexpr (Coder::kReads) {
      mb.b_modes.fill(implied_b_mode(mb.y_mode));
    }
    c_.tree(mb.uv_mode, kUvModeTree, probs_.uv_mode_probs.data());
  }

  void implied_mv(const char* what, Field<MotionVector>& mv, const MotionVector& value) {
    if (!c_.implied(mv, value)) {
      throw std::invalid_argument(fmt::format("{} vector ({}, {}) differs from the ({}, {}) its mode implies", what,
                                              mv.row, mv.col, value.row, value.col));
    }
  }

  // §16.3: reference frame, near-MV search, mode, and vectors.
  void inter_modes(Mb& mb, const MacroblockSite& site) {
    if constexpr (!Coder::kReads) {
      if (mb.ref_frame > ALTREF_FRAME) throw std::invalid_argument("invalid reference frame");
    }
    bool not_last = mb.ref_frame != LAST_FRAME;
    c_.bit(not_last, h_.prob_last);
    bool altref = mb.ref_frame == ALTREF_FRAME;
    if (not_last) c_.bit(altref, h_.prob_gf);
    if constexpr (Coder::kReads) mb.ref_frame = not_last ? RefFrame(GOLDEN_FRAME + altref) : LAST_FRAME;

    const EdgeDistances e = EdgeDistances::of(site.col, site.row, ctx_.mb_cols, ctx_.mb_rows);
    const NearMvs near = find_near_mvs(site.above, site.left, site.above_left, mb.ref_frame, ctx_.sign_bias, e);
    c_.tree(mb.y_mode, kMvRefTree, near.mode_probs.data());
    switch (mb.y_mode) {
      case NEARESTMV:
        implied_mv("NEARESTMV", mb.mv, near.nearest);
        break;
      case NEARMV:
        implied_mv("NEARMV", mb.mv, near.near);
        break;
      case NEWMV:
        c_.new_mv(mb.mv, near.best, probs_.mv_probs);
        if constexpr (Coder::kReads) mb.needs_mv_clamp = outside_margin(mb.mv, e);
        break;
      case SPLITMV:
        split_mv(mb, site, near.best, e);
        implied_mv("SPLITMV", mb.mv, mb.b_mvs[15]);
        return;
      default:  // ZEROMV
        implied_mv("ZEROMV", mb.mv, MotionVector{});
        break;
    }
    if constexpr (Coder::kReads) mb.b_mvs.fill(mb.mv);
  }

  // §16.4: partitioning, then one sub_mv_ref (and maybe a vector) per partition, which a reader
  // copies to the partition's every subblock (later partitions refer back to it) and a writer
  // requires of them.
  void split_mv(Mb& mb, const MacroblockSite& site, const MotionVector& best, const EdgeDistances& e) {
    c_.tree(mb.partition, kSplitMvTree, kMbSplitProbs.data());
    for (int p = 0; p < kMbSplitCounts[mb.partition]; ++p) {
      const int first = first_subblock(mb.partition, p);
      const SubMvContext sub_ctx = sub_mv_context(mb, site.above, site.left, first);
      Field<BMode> sub = mb.b_modes[first];
      Field<MotionVector> mv = mb.b_mvs[first];
      c_.tree(sub, kSubMvRefTree, sub_ctx.probs);
      switch (sub) {
        case LEFT4X4:
          implied_mv("LEFT4X4", mv, sub_ctx.left);
          break;
        case ABOVE4X4:
          implied_mv("ABOVE4X4", mv, sub_ctx.above);
          break;
        case ZERO4X4:
          implied_mv("ZERO4X4", mv, MotionVector{});
          break;
        default:  // NEW4X4
          c_.new_mv(mv, best, probs_.mv_probs);
          break;
      }
      if constexpr (Coder::kReads) mb.needs_mv_clamp |= outside_margin(mv, e);
      for (int b = 0; b < 16; ++b) {
        if (kMbSplits[mb.partition][b] != p) continue;
        if constexpr (Coder::kReads) {
          mb.b_mvs[b] = mv;
          mb.b_modes[b] = sub;
        } else if (!(mb.b_mvs[b] == mv && mb.b_modes[b] == sub)) {
          throw std::invalid_argument(fmt::format("subblock {} differs from the rest of its partition", b));
        }
      }
    }
  }

  Coder c_;
  const FrameHeader& h_;
  const ModeContext& ctx_;
  const ProbabilityTables& probs_;
};

template <typename Encoder>
void write_modes_with(Encoder& enc, const FrameHeader& header, const ModeContext& ctx,
                      const ProbabilityTables& probs, const std::vector<MacroblockInfo>& mbs) {
  if (mbs.size() != size_t(ctx.mb_cols) * ctx.mb_rows) {
    throw std::invalid_argument(
        fmt::format("{} macroblock records for a {}x{}-macroblock frame", mbs.size(), ctx.mb_cols, ctx.mb_rows));
  }
  ModeSyntax(ModeWriter<Encoder>{enc}, header, ctx, probs).run(mbs);
}

}  // namespace

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

EdgeDistances EdgeDistances::of(int mb_col, int mb_row, int mb_cols, int mb_rows) {
  return {-((mb_col * 16) << 3), ((mb_cols - 1 - mb_col) * 16) << 3, -((mb_row * 16) << 3),
          ((mb_rows - 1 - mb_row) * 16) << 3};
}

NearMvs find_near_mvs(const MacroblockInfo& above, const MacroblockInfo& left, const MacroblockInfo& above_left,
                      RefFrame ref_frame, const std::array<bool, kNumRefFrames>& sign_bias, const EdgeDistances& e) {
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
    if (sign_bias[nb.ref_frame] != sign_bias[ref_frame]) {
      mv.row = int16_t(-mv.row);
      mv.col = int16_t(-mv.col);
    }
    if (n == 0 || !(mv == near_mvs[n])) near_mvs[++n] = mv;
    cnt[n] += weights[k];
  }

  NearMvs out;
  // The first node's context counts zero vectors only; the later ones see the merged counts.
  out.mode_probs[0] = kModeContexts[cnt[kCntIntra]][0];
  // With three distinct vectors, merge above-left into nearest when they are equal.
  if (cnt[kCntSplit] > 0 && near_mvs[n] == near_mvs[kCntNearest]) cnt[kCntNearest] += 1;
  if (cnt[kCntNear] > cnt[kCntNearest]) {
    std::swap(cnt[kCntNearest], cnt[kCntNear]);
    std::swap(near_mvs[kCntNearest], near_mvs[kCntNear]);
  }
  out.mode_probs[1] = kModeContexts[cnt[kCntNearest]][1];
  out.mode_probs[2] = kModeContexts[cnt[kCntNear]][2];
  const int split_count =
      (above.y_mode == SPLITMV) * 2 + (left.y_mode == SPLITMV) * 2 + (above_left.y_mode == SPLITMV);
  out.mode_probs[3] = kModeContexts[split_count][3];

  out.nearest = clamp_mv(near_mvs[kCntNearest], e);
  out.near = clamp_mv(near_mvs[kCntNear], e);
  out.best = clamp_mv(cnt[kCntNearest] >= cnt[kCntIntra] ? near_mvs[kCntNearest] : MotionVector{}, e);
  return out;
}

SubMvContext sub_mv_context(const MacroblockInfo& mb, const MacroblockInfo& above, const MacroblockInfo& left,
                            int b) {
  SubMvContext out;
  out.left = (b & 3) ? mb.b_mvs[b - 1] : (left.y_mode == SPLITMV ? left.b_mvs[b + 3] : left.mv);
  out.above = (b >> 2) ? mb.b_mvs[b - 4] : (above.y_mode == SPLITMV ? above.b_mvs[b + 12] : above.mv);
  out.probs = kSubMvRefProbs[sub_mv_context_index(out.left, out.above)].data();
  return out;
}

const uint8_t* kf_b_mode_probs(const MacroblockInfo& mb, const MacroblockInfo& above, const MacroblockInfo& left,
                               int b) {
  const BMode a = b < 4 ? above.b_modes[b + 12] : mb.b_modes[b - 4];
  const BMode l = (b & 3) == 0 ? left.b_modes[b + 3] : mb.b_modes[b - 1];
  return kKfBModeProbs[a][l].data();
}

std::vector<MacroblockInfo> parse_modes(BoolDecoder& bd, const FrameHeader& header, const ModeContext& ctx,
                                        const ProbabilityTables& probs) {
  // Copies of one default record: value-initializing each element instead zeroes its arrays with a
  // separate `rep stos`, whose start-up cost made that a fifth of this function's time at 1080p.
  static constexpr MacroblockInfo kDefault{};
  std::vector<MacroblockInfo> mbs(size_t(ctx.mb_cols) * ctx.mb_rows, kDefault);
  ModeSyntax(ModeReader{bd}, header, ctx, probs).run(mbs);
  return mbs;
}

void write_modes(BoolEncoder& enc, const FrameHeader& header, const ModeContext& ctx, const ProbabilityTables& probs,
                 const std::vector<MacroblockInfo>& mbs) {
  write_modes_with(enc, header, ctx, probs, mbs);
}

void write_modes(BranchCounter& counter, const FrameHeader& header, const ModeContext& ctx,
                 const ProbabilityTables& probs, const std::vector<MacroblockInfo>& mbs) {
  write_modes_with(counter, header, ctx, probs, mbs);
}

}  // namespace xc::vp8
