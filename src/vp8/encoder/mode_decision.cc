// Per-macroblock mode decision (§11, §16) with rate estimates from the bit-cost table.
#include "vp8/encoder/mode_decision.hh"

#include <algorithm>
#include <cstring>
#include <limits>

#include "vp8/bool_encoder.hh"
#include "vp8/encoder/motion_search.hh"
#include "vp8/encoder/quantize.hh"
#include "vp8/encoder/residual.hh"
#include "vp8/encoder/transform.hh"
#include "vp8/predict.hh"
#include "vp8/tables.hh"

namespace xc::vp8::enc {

namespace {

constexpr int64_t kInfinity = std::numeric_limits<int64_t>::max() / 4;


const Raster* reference(const References& refs, RefFrame r) {
  switch (r) {
    case GOLDEN_FRAME:
      return refs.golden.get();
    case ALTREF_FRAME:
      return refs.altref.get();
    default:
      return refs.last.get();
  }
}

bool outside_margin(const MotionVector& mv, const EdgeDistances& e) {
  constexpr int kMargin = 16 << 3;
  return mv.col < e.to_left - kMargin || mv.col > e.to_right + kMargin || mv.row < e.to_top - kMargin ||
         mv.row > e.to_bottom + kMargin;
}

class Decider {
 public:
  Decider(const dsp::Dsp& dsp, const FrameSetup& setup, const util::Image& source, const ModeDecisionOptions& o,
          const std::vector<MacroblockInfo>* hints)
      : dsp_(dsp), s_(setup), src_(source), opt_(o), hints_(hints), cols_(setup.frame->modes.mb_cols),
        rows_(setup.frame->modes.mb_rows) {}

  CodedFrame run(const std::vector<uint8_t>& segment_ids) {
    CodedFrame out;
    out.picture = std::make_shared<Raster>(s_.frame->state.width, s_.frame->state.height);
    out.mbs.resize(size_t(cols_) * rows_);
    out.coeffs.resize(out.mbs.size());
    above_ctx_.assign(size_t(cols_), TokenContext{});
    for (int r = 0; r < rows_; ++r) {
      left_ctx_ = TokenContext{};
      for (int c = 0; c < cols_; ++c) {
        const size_t i = size_t(r) * cols_ + c;
        MacroblockInfo& mb = out.mbs[i];
        mb.segment_id = segment_ids.empty() ? 0 : segment_ids[i];
        const DequantFactors& dq = s_.frame->dequant_of(mb);
        lambda_ = lambda_for_factor(dq.y1[1]);
        rd_lambda_ = rd_lambda_for_factor(dq.y1[1]);
        out.coeffs[i] = decide(out, c, r, mb, dq);
        mb.mb_skip_coeff = s_.header->mb_no_coeff_skip && out.coeffs[i].all_eob;
        if (mb.mb_skip_coeff) {
          out.coeffs[i] = MacroblockCoeffs{};
          reset_token_context(mb.has_y2(), above_ctx_[c], left_ctx_);
        } else {
          macroblock_token_cost(s_.frame->probs.coeff_probs, mb.has_y2(), above_ctx_[c], left_ctx_, out.coeffs[i]);
        }
      }
    }
    return out;
  }

 private:
  // Weight of the rate against the prediction error when choosing within a class of modes (and in
  // the motion search). The prediction error stands for the residual's bits too, so the weight is
  // far below the one of the rate-distortion choice between classes (ac^2 / 10 was clearly worse in
  // Bjontegaard rate on the figures' clips of scripts/excamera-figures).
  static int lambda_for_factor(int ac) { return std::max(1, ac * ac / 200); }
  // Weight of the rate (1/256 bit) against 16 times the reconstruction error when comparing coded
  // candidates: ac^2 / 100 squared error per bit. The high-rate slope of a uniform quantizer on VP8's
  // transform is about step^2 / 33 per bit; the frames this codes are references for the rest of
  // their chunk and, through the rebase chain, beyond it, which makes their error cost more than
  // once, as in the choice of their quantizer (chunk.hh, first_frame_lambda). Compared on the real
  // clips of rate-quality-report --real-clips (results/rate-quality.md).
  static int rd_lambda_for_factor(int ac) { return std::max(1, ac * ac * 16 / 100); }

  int64_t cost(int64_t sse, int rate) const { return 256 * sse + int64_t(lambda_) * rate; }

  // A candidate for the rate-distortion choice: modes and the bits they cost (in 1/256 bit), tokens
  // aside.
  struct Candidate {
    MacroblockInfo mb;
    int rate = 0;
  };

  // An inter candidate with its cost by prediction error and mode bits.
  struct Proxy {
    Candidate cand;
    int64_t cost = 0;
  };
  // How many inter candidates (the best by that cost, over every reference and mode) are coded.
  // Measured on the real clips of rate-quality-report --real-clips: coding the second and third
  // best changed the first frames' modes enough to matter; coding all of them (up to 15) changed
  // little more and costs more time.
  static constexpr size_t kCodedInterCandidates = 3;

  // Codes `cand` into the picture; returns its coefficients and sets `j` to its rate-distortion cost.
  MacroblockCoeffs code_candidate(Raster& pic, int c, int r, const SourceMacroblock& src, const DequantFactors& dq,
                                  const Candidate& cand, int64_t& j) {
    MacroblockCoeffs coeffs =
        encode_macroblock_residual(dsp_, pic, s_.frame->state.refs, cand.mb, src_, dq, c, r, s_.version,
                                   opt_.quantizer);
    int64_t sse = dsp_.sse[dsp::kBlock16x16](src.y, 16, pic.y().at(c * 16, r * 16), pic.y().stride());
    sse += dsp_.sse[dsp::kBlock8x8](src.u, 8, pic.u().at(c * 8, r * 8), pic.u().stride());
    sse += dsp_.sse[dsp::kBlock8x8](src.v, 8, pic.v().at(c * 8, r * 8), pic.v().stride());
    int rate = cand.rate;
    if (!coeffs.all_eob || !s_.header->mb_no_coeff_skip) {
      TokenContext above = above_ctx_[size_t(c)], left = left_ctx_;
      rate += macroblock_token_cost(s_.frame->probs.coeff_probs, cand.mb.has_y2(), above, left, coeffs);
    }
    j = 16 * 256 * sse + int64_t(rd_lambda_) * rate;
    return coeffs;
  }

  // Chooses the macroblock's modes and codes it: the best intra 16x16 mode, B_PRED and the best
  // inter prediction are each found by prediction error and mode bits, then coded, and the one with
  // the lowest reconstruction error plus rate (tokens included) is kept. Returns its coefficients.
  MacroblockCoeffs decide(CodedFrame& f, int c, int r, MacroblockInfo& mb, const DequantFactors& dq) {
    const SourceMacroblock src = source_macroblock(src_, c, r);
    Raster& pic = *f.picture;
    const size_t i = size_t(r) * cols_ + c;
    static const MacroblockInfo kOutside{};
    const MacroblockInfo& above = r > 0 ? f.mbs[i - cols_] : kOutside;
    const MacroblockInfo& left = c > 0 ? f.mbs[i - 1] : kOutside;
    const MacroblockInfo& above_left = (r > 0 && c > 0) ? f.mbs[i - cols_ - 1] : kOutside;
    MacroblockInfo base = mb;
    base.mb_skip_coeff = false;
    base.needs_mv_clamp = false;

    std::vector<Candidate> candidates;
    const int intra_flag = s_.key_frame ? 0 : bit_cost(s_.header->prob_intra, false);
    const IntraEdges edges = intra_edges(pic.y(), c, r, cols_, false);
    const uint8_t* uv_probs = s_.key_frame ? kKfUvModeProbs.data() : s_.frame->probs.uv_mode_probs.data();
    const MbMode uv_mode = decide_chroma(pic, c, r, src);
    const int uv_rate = tree_cost(kUvModeTree, uv_probs, uv_mode);
    {
      Candidate best{base, 0};
      int64_t best_cost = kInfinity;
      for (MbMode m : {DC_PRED, V_PRED, H_PRED, TM_PRED}) {
        uint8_t pred[256];
        dsp_.pred16[whole_block_index(m, edges.have_above, edges.have_left)](pred, 16, edges.above(), edges.left);
        const int rate = intra_flag + (s_.key_frame ? tree_cost(kKfYModeTree, kKfYModeProbs.data(), m)
                                                    : tree_cost(kYModeTree, s_.frame->probs.y_mode_probs.data(), m));
        const int64_t j = cost(dsp_.sse[dsp::kBlock16x16](src.y, 16, pred, 16), rate);
        if (j < best_cost) {
          best_cost = j;
          best.mb = base;
          best.mb.ref_frame = INTRA_FRAME;
          best.mb.y_mode = m;
          best.mb.b_modes.fill(implied_b_mode(m));
          best.mb.uv_mode = uv_mode;
          best.rate = rate + uv_rate;
        }
      }
      candidates.push_back(best);
    }
    if (opt_.allow_b_pred) {
      Candidate b{base, 0};
      b.mb.ref_frame = INTRA_FRAME;
      b.mb.y_mode = B_PRED;
      b.mb.uv_mode = uv_mode;
      decide_b_pred(pic, c, r, src, edges, above, left, dq, b.mb, intra_flag, b.rate);
      b.rate += uv_rate;
      candidates.push_back(b);
    }
    if (!s_.key_frame) {
      // The inter predictions that look best by prediction error and mode bits go on to be coded:
      // a prediction with a little more error may quantize to far fewer bits (e.g. ZEROMV against a
      // searched vector), which only coding shows.
      std::vector<Proxy> inter;
      decide_inter(c, r, src, above, left, above_left, base, inter);
      std::stable_sort(inter.begin(), inter.end(), [](const Proxy& a, const Proxy& b) { return a.cost < b.cost; });
      const size_t keep = std::min(inter.size(), kCodedInterCandidates);
      const EdgeDistances e = EdgeDistances::of(c, r, cols_, rows_);
      for (size_t k = 0; k < keep; ++k) {
        Candidate cand = inter[k].cand;
        for (const auto& v : cand.mb.b_mvs) cand.mb.needs_mv_clamp |= outside_margin(v, e);
        candidates.push_back(cand);
      }
    }

    if (hints_ && i < hints_->size()) {
      Candidate h{base, 0};
      if (hint_candidate((*hints_)[i], c, r, above, left, above_left, base, intra_flag, h)) {
        bool known = false;
        for (const auto& k : candidates) known |= k.mb == h.mb;
        if (!known) candidates.push_back(h);
      }
    }

    size_t best = 0;
    int64_t best_j = kInfinity;
    MacroblockCoeffs best_coeffs;
    for (size_t k = 0; k < candidates.size(); ++k) {
      int64_t j = 0;
      MacroblockCoeffs coeffs = code_candidate(pic, c, r, src, dq, candidates[k], j);
      if (j < best_j) {
        best_j = j;
        best = k;
        best_coeffs = coeffs;
      }
    }
    // The picture holds the last candidate's reconstruction; code the winner again if it was another.
    if (best + 1 != candidates.size()) {
      int64_t j = 0;
      best_coeffs = code_candidate(pic, c, r, src, dq, candidates[best], j);
    }
    mb = candidates[best].mb;
    return best_coeffs;
  }

  // The bits (1/256) that say a macroblock is inter-coded from `ref`.
  int reference_rate(RefFrame ref) const {
    const FrameHeader& h = *s_.header;
    if (ref == LAST_FRAME) return bit_cost(h.prob_intra, true) + bit_cost(h.prob_last, false);
    return bit_cost(h.prob_intra, true) + bit_cost(h.prob_last, true) + bit_cost(h.prob_gf, ref == ALTREF_FRAME);
  }

  // The hint's prediction as a candidate in this frame's context: its intra modes, or its
  // reference and vectors with the modes that code them here. False when it cannot be coded (a
  // vector too far from this macroblock's base vector).
  bool hint_candidate(const MacroblockInfo& h, int c, int r, const MacroblockInfo& above, const MacroblockInfo& left,
                      const MacroblockInfo& above_left, const MacroblockInfo& base, int intra_flag, Candidate& out) {
    out.mb = base;
    out.mb.ref_frame = h.ref_frame;
    out.mb.y_mode = h.y_mode;
    if (h.ref_frame == INTRA_FRAME) {
      if (s_.key_frame) return false;
      out.mb.uv_mode = h.uv_mode;
      out.rate = intra_flag + tree_cost(kYModeTree, s_.frame->probs.y_mode_probs.data(), h.y_mode) +
                 tree_cost(kUvModeTree, s_.frame->probs.uv_mode_probs.data(), h.uv_mode);
      if (h.y_mode == B_PRED) {
        out.mb.b_modes = h.b_modes;
        for (BMode b : h.b_modes) out.rate += inter_b_mode_rates_[size_t(b)];
      } else {
        out.mb.b_modes.fill(implied_b_mode(h.y_mode));
      }
      return true;
    }
    const EdgeDistances e = EdgeDistances::of(c, r, cols_, rows_);
    const NearMvs nm = find_near_mvs(above, left, above_left, h.ref_frame, s_.frame->modes.sign_bias, e);
    auto codable = [&](const MotionVector& v) { return new_mv_codable(v, nm.best); };
    int rate = reference_rate(h.ref_frame);
    out.mb.b_modes.fill(B_DC_PRED);
    if (h.y_mode != SPLITMV) {
      const MotionVector v = h.mv;
      MbMode mode = NEWMV;
      if (v.is_zero()) {
        mode = ZEROMV;
      } else if (v == nm.nearest) {
        mode = NEARESTMV;
      } else if (v == nm.near) {
        mode = NEARMV;
      } else if (!codable(v)) {
        return false;
      }
      out.mb.y_mode = mode;
      out.mb.mv = v;
      out.mb.b_mvs.fill(v);
      out.mb.partition = MV_16;
      out.rate = rate + tree_cost(kMvRefTree, nm.mode_probs.data(), mode) +
                 (mode == NEWMV ? 256 * mv_bits(v, nm.best) : 0);
      out.mb.needs_mv_clamp = outside_margin(v, e);
      return true;
    }
    out.mb.partition = h.partition;
    rate += tree_cost(kMvRefTree, nm.mode_probs.data(), SPLITMV) +
            tree_cost(kSplitMvTree, kMbSplitProbs.data(), h.partition);
    const auto& parts = kMbSplits[size_t(h.partition)];
    for (int part = 0; part < kMbSplitCounts[size_t(h.partition)]; ++part) {
      int first = 0;
      while (parts[size_t(first)] != part) ++first;
      const MotionVector v = h.b_mvs[size_t(first)];
      const SubMvContext ctx = sub_mv_context(out.mb, above, left, first);
      BMode sub = NEW4X4;
      if (v == ctx.left) {
        sub = LEFT4X4;
      } else if (v == ctx.above) {
        sub = ABOVE4X4;
      } else if (v.is_zero()) {
        sub = ZERO4X4;
      } else if (!codable(v)) {
        return false;
      }
      rate += tree_cost(kSubMvRefTree, ctx.probs, sub);
      if (sub == NEW4X4) rate += 256 * mv_bits(v, nm.best);
      for (int k = 0; k < 16; ++k) {
        if (parts[size_t(k)] == part) {
          out.mb.b_mvs[size_t(k)] = v;
          out.mb.b_modes[size_t(k)] = sub;
        }
      }
    }
    out.mb.mv = out.mb.b_mvs[15];
    for (const auto& v : out.mb.b_mvs) out.mb.needs_mv_clamp |= outside_margin(v, e);
    out.rate = rate;
    return true;
  }

  MbMode decide_chroma(Raster& pic, int c, int r, const SourceMacroblock& src) {
    const IntraEdges eu = intra_edges(pic.u(), c, r, cols_, true);
    const IntraEdges ev = intra_edges(pic.v(), c, r, cols_, true);
    MbMode best = DC_PRED;
    int64_t best_cost = kInfinity;
    const uint8_t* probs = s_.key_frame ? kKfUvModeProbs.data() : s_.frame->probs.uv_mode_probs.data();
    for (MbMode m : {DC_PRED, V_PRED, H_PRED, TM_PRED}) {
      uint8_t pu[64], pv[64];
      const int idx = whole_block_index(m, eu.have_above, eu.have_left);
      dsp_.pred8[idx](pu, 8, eu.above(), eu.left);
      dsp_.pred8[idx](pv, 8, ev.above(), ev.left);
      const int64_t j =
          cost(dsp_.sse[dsp::kBlock8x8](src.u, 8, pu, 8) + dsp_.sse[dsp::kBlock8x8](src.v, 8, pv, 8), tree_cost(kUvModeTree, probs, m));
      if (j < best_cost) {
        best_cost = j;
        best = m;
      }
    }
    return best;
  }

  // Chooses each subblock's mode in order, reconstructing it before the next (later subblocks
  // predict from it). Returns the estimated cost of B_PRED.
  int64_t decide_b_pred(Raster& pic, int c, int r, const SourceMacroblock& src, const IntraEdges& edges,
                        const MacroblockInfo& above, const MacroblockInfo& left, const DequantFactors& dq,
                        MacroblockInfo& mb, int intra_flag, int& rate_out) {
    Plane& y = pic.y();
    int64_t total = 0;
    int rate = intra_flag + (s_.key_frame ? tree_cost(kKfYModeTree, kKfYModeProbs.data(), B_PRED)
                                          : tree_cost(kYModeTree, s_.frame->probs.y_mode_probs.data(), B_PRED));
    for (int b = 0; b < 16; ++b) {
      const int bx = (b & 3) * 4, by = (b >> 2) * 4;
      uint8_t* dst = y.at(c * 16 + bx, r * 16 + by);
      const uint8_t* probs = s_.key_frame ? kf_b_mode_probs(mb, above, left, b) : kBModeProbs.data();
      BMode best = B_DC_PRED;
      int64_t best_j = kInfinity, best_sse = 0;
      int best_rate = 0;
      uint8_t best_pred[16];  // the best mode's prediction, put back after the trials
      for (int m = 0; m < kNumIntraBModes; ++m) {
        predict_intra_subblock(dsp_, y, edges, c, r, b, BMode(m));
        const int mr = s_.key_frame ? tree_cost(kBModeTree, probs, m) : inter_b_mode_rates_[size_t(m)];
        const int64_t sse = dsp_.sse[dsp::kBlock4x4](src.y + by * 16 + bx, 16, dst, y.stride());
        const int64_t j = cost(sse, mr);
        if (j < best_j) {
          best_j = j;
          best = BMode(m);
          best_rate = mr;
          best_sse = sse;
          for (int row = 0; row < 4; ++row) std::memcpy(best_pred + 4 * row, dst + row * y.stride(), 4);
        }
      }
      mb.b_modes[b] = best;
      for (int row = 0; row < 4; ++row) std::memcpy(dst + row * y.stride(), best_pred + 4 * row, 4);
      total += best_sse;
      rate += best_rate;
      reconstruct_subblock(src.y + by * 16 + bx, dst, y.stride(), dq);
    }
    rate_out = rate;
    return cost(total, rate);
  }

  // Adds the quantized residual of one 4x4 luma block (no Y2) to its prediction in place.
  void reconstruct_subblock(const uint8_t* src, uint8_t* dst, int stride, const DequantFactors& dq) {
    int16_t coeffs[16];
    dsp_.fdct(src, 16, dst, stride, coeffs);
    std::array<int16_t, 16> q{};
    quantize_block(coeffs, dq.y1[0], dq.y1[1], 0, opt_.quantizer, q, dsp_);
    int16_t dqc[16];
    dqc[0] = int16_t(q[0] * dq.y1[0]);
    for (int k = 1; k < 16; ++k) dqc[k] = int16_t(q[k] * dq.y1[1]);
    dsp_.idct_add(dqc, dst, stride);
  }

  void decide_inter(int c, int r, const SourceMacroblock& src, const MacroblockInfo& above,
                    const MacroblockInfo& left, const MacroblockInfo& above_left, const MacroblockInfo& base,
                    std::vector<Proxy>& out) {
    const References& refs = s_.frame->state.refs;
    const EdgeDistances e = EdgeDistances::of(c, r, cols_, rows_);
    const bool sixtap = s_.version == 0 || s_.version > 3;
    const dsp::InterPredFn* fns = sixtap ? dsp_.sixtap : dsp_.bilinear;
    const int x = c * 16, y = r * 16;
    for (RefFrame ref : {LAST_FRAME, GOLDEN_FRAME, ALTREF_FRAME}) {
      const Raster* rr = reference(refs, ref);
      if (ref != LAST_FRAME && (rr == refs.last.get() || (ref == ALTREF_FRAME && rr == refs.golden.get()))) continue;
      const Plane& ry = rr->y();
      const int ref_rate = reference_rate(ref);
      const NearMvs nm = find_near_mvs(above, left, above_left, ref, s_.frame->modes.sign_bias, e);

      auto try_vector = [&](MbMode mode, const MotionVector& mv, int extra_rate) {
        uint8_t pred[256];
        fns[dsp::kBlock16x16](pred, 16, ry.at(x + (mv.col >> 3), y + (mv.row >> 3)), ry.stride(), mv.col & 7,
                              mv.row & 7);
        const int rate = ref_rate + tree_cost(kMvRefTree, nm.mode_probs.data(), mode) + extra_rate;
        const int64_t j = cost(dsp_.sse[dsp::kBlock16x16](src.y, 16, pred, 16), rate);
        Proxy px;
        px.cost = j;
        px.cand.rate = rate;
        px.cand.mb = base;
        px.cand.mb.ref_frame = ref;
        px.cand.mb.y_mode = mode;
        px.cand.mb.mv = mv;
        px.cand.mb.b_mvs.fill(mv);
        px.cand.mb.b_modes.fill(B_DC_PRED);
        px.cand.mb.partition = MV_16;
        out.push_back(px);
      };
      try_vector(ZEROMV, MotionVector{}, 0);
      try_vector(NEARESTMV, nm.nearest, 0);
      if (!(nm.near == nm.nearest)) try_vector(NEARMV, nm.near, 0);

      const MvBounds bounds = MvBounds::for_macroblock(e, nm.best);
      MotionSearchParams p;
      p.size = dsp::kBlock16x16;
      p.range = opt_.search_range;
      p.lambda = std::max(1, int(isqrt(lambda_)) / 4);
      p.sixtap = sixtap;
      const MotionVector starts[3] = {nm.best, nm.nearest, nm.near};
      const MotionSearchResult found = search_motion(dsp_, ry, src.y, 16, x, y, starts, 3, nm.best, bounds, p);
      if (!(found.mv == nm.nearest) && !(found.mv == nm.near) && !found.mv.is_zero()) {
        try_vector(NEWMV, found.mv, 256 * mv_bits(found.mv, nm.best));
      }
      if (opt_.allow_split) {
        try_split(ref, ry, fns, src, above, left, base, nm, bounds, found.mv, x, y, ref_rate, out);
      }
    }
  }

  // SPLITMV with four 8x8 quarters, each with its own search.
  void try_split(RefFrame ref, const Plane& ry, const dsp::InterPredFn* fns, const SourceMacroblock& src,
                 const MacroblockInfo& above, const MacroblockInfo& left, const MacroblockInfo& base, const NearMvs& nm,
                 const MvBounds& bounds, const MotionVector& whole, int x, int y, int ref_rate, std::vector<Proxy>& out) {
    MacroblockInfo cand = base;
    cand.ref_frame = ref;
    cand.y_mode = SPLITMV;
    cand.partition = MV_QUARTERS;
    int rate = ref_rate + tree_cost(kMvRefTree, nm.mode_probs.data(), SPLITMV) +
               tree_cost(kSplitMvTree, kMbSplitProbs.data(), MV_QUARTERS);
    int64_t sse = 0;
    MotionSearchParams p;
    p.size = dsp::kBlock8x8;
    p.range = 8;
    p.lambda = std::max(1, int(isqrt(lambda_)) / 4);
    p.sixtap = fns == dsp_.sixtap;
    for (int q : {0, 2, 8, 10}) {
      const int qx = (q & 3) * 4, qy = (q >> 2) * 4;
      const MotionVector starts[2] = {whole, nm.best};
      const MotionSearchResult found =
          search_motion(dsp_, ry, src.y + qy * 16 + qx, 16, x + qx, y + qy, starts, 2, nm.best, bounds, p);
      const SubMvContext ctx = sub_mv_context(cand, above, left, q);
      BMode sub = NEW4X4;
      if (found.mv == ctx.left) {
        sub = LEFT4X4;
      } else if (found.mv == ctx.above) {
        sub = ABOVE4X4;
      } else if (found.mv.is_zero()) {
        sub = ZERO4X4;
      }
      rate += tree_cost(kSubMvRefTree, ctx.probs, sub);
      if (sub == NEW4X4) rate += 256 * mv_bits(found.mv, nm.best);
      for (int k : {0, 1, 4, 5}) {
        cand.b_mvs[q + k] = found.mv;
        cand.b_modes[q + k] = sub;
      }
      uint8_t pred[64];
      const MotionVector& mv = found.mv;
      fns[dsp::kBlock8x8](pred, 8, ry.at(x + qx + (mv.col >> 3), y + qy + (mv.row >> 3)), ry.stride(), mv.col & 7,
                          mv.row & 7);
      sse += dsp_.sse[dsp::kBlock8x8](src.y + qy * 16 + qx, 16, pred, 8);
    }
    cand.mv = cand.b_mvs[15];
    Proxy px;
    px.cost = cost(sse, rate);
    px.cand.mb = cand;
    px.cand.rate = rate;
    out.push_back(px);
  }

  static int64_t isqrt(int64_t v) {
    int64_t r = 0;
    while ((r + 1) * (r + 1) <= v) ++r;
    return r;
  }

  const dsp::Dsp& dsp_;
  const FrameSetup& s_;
  const util::Image& src_;
  const ModeDecisionOptions& opt_;
  const std::vector<MacroblockInfo>* hints_;
  const int cols_, rows_;
  int lambda_ = 1;
  int rd_lambda_ = 1;
  // B_PRED subblock mode bits in inter frames, where their probabilities are fixed (§16.1).
  const std::array<int, kNumIntraBModes> inter_b_mode_rates_ = [] {
    std::array<int, kNumIntraBModes> r{};
    for (int m = 0; m < kNumIntraBModes; ++m) r[size_t(m)] = tree_cost(kBModeTree, kBModeProbs.data(), m);
    return r;
  }();
  std::vector<TokenContext> above_ctx_;  // token contexts of the macroblocks coded so far
  TokenContext left_ctx_{};
};

}  // namespace

CodedFrame decide_and_code(const dsp::Dsp& dsp, const FrameSetup& setup, const util::Image& source,
                           const std::vector<uint8_t>& segment_ids, const ModeDecisionOptions& options,
                           const std::vector<MacroblockInfo>* hints) {
  return Decider(dsp, setup, source, options, hints).run(segment_ids);
}

}  // namespace xc::vp8::enc
