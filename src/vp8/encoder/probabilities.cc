// Frame probabilities from the frame's own branch counts (§9.10-9.11 skip, intra and reference
// probabilities; §13.4 coefficient, §16.2 intra-mode and §17.2 MV probability updates). Counts come
// from count_frame_branches, the frame writer's own walk; costs from the bool encoder's table.
#include "vp8/encoder/probabilities.hh"

#include <algorithm>
#include <cmath>
#include <optional>

#include "vp8/bool_encoder.hh"
#include "vp8/frame_writer.hh"

namespace xc::vp8::enc {

namespace {

using Counts = FrameBranchCounts::Counts;

// Costs are in 1/256 bit.
constexpr int64_t kBit = 256;

// kBitCost prices a bool at log2(256 / p); the coder's real split (§7.3) makes extreme
// probabilities somewhat cheaper, so savings come out a few percent high on average. A table
// averaged over the coder's ranges predicts bytes better but, measured on the conformance vectors
// and libvpx clips, chooses no better, so the shared table is used.
int64_t cost_at(const Counts& n, uint8_t prob) {
  return int64_t(n[0]) * bit_cost(prob, false) + int64_t(n[1]) * bit_cost(prob, true);
}

struct Choice {
  uint8_t prob;
  int64_t cost;  // of the counted bools at prob
};

// The cheapest probability among prob_of(0..last) for the counts, by a plain scan (the cost is
// convex in the probability only up to rounding, and the scan is cheap).
template <typename ProbOf>
Choice cheapest(const Counts& n, int last, ProbOf&& prob_of) {
  Choice best{prob_of(0), cost_at(n, prob_of(0))};
  for (int v = 1; v <= last; ++v) {
    const uint8_t p = prob_of(v);
    if (const int64_t c = cost_at(n, p); c < best.cost) best = {p, c};
  }
  return best;
}

// Any probability 1..255 (8-bit header values and coefficient updates); 128 without counts.
Choice cheapest_8bit(const Counts& n) {
  if (n[0] + n[1] == 0) return {128, 0};
  return cheapest(n, 254, [](int v) { return uint8_t(v + 1); });
}

// A lower bound on cheapest_8bit(n).cost: the counts' entropy at the best real probability, less
// the table's rounding (each kBitCost entry is within half a unit of the exact cost, which
// tests/bool_coder_test.cc checks; a whole unit per bool is allowed, and one more for the floating
// point). Only used to skip scans that cannot lead to an update, so it never changes a choice.
int64_t cost_lower_bound(const Counts& n) {
  if (n[0] == 0 || n[1] == 0) return 0;
  const double zeros = n[0], ones = n[1], total = zeros + ones;
  const double bits = zeros * std::log2(total / zeros) + ones * std::log2(total / ones);
  return int64_t(std::floor(double(kBit) * bits - total)) - 1;
}

// The cost of coding a set of bools with no update, and what the chosen updates save on it (both
// including the update flags and values).
struct Estimate {
  int64_t kept = 0;
  int64_t saving = 0;
};

// Decides one updatable probability: `updated` is the cost of the bools at the best new value
// plus that value's bits; the update is made when it beats keeping `base`.
bool worth_updating(const Counts& n, uint8_t base, uint8_t flag_prob, int64_t updated,
                    Estimate& e) {
  const int64_t kept = cost_at(n, base) + bit_cost(flag_prob, false);
  e.kept += kept;
  if (n[0] + n[1] == 0) return false;
  updated += bit_cost(flag_prob, true);
  if (updated >= kept) return false;
  e.saving += kept - updated;
  return true;
}

// §13.4: each entry is updated, at the cost of its flag being set and 8 bits, only where that
// saves bits on the frame's tokens.
Estimate choose_coeff_updates(const ProbabilityTables::CoeffProbs& base,
                              const decltype(FrameBranchCounts::coeff)& counts,
                              CoeffProbUpdates& updates) {
  Estimate e;
  for (int i = 0; i < kNumBlockTypes; ++i)
    for (int j = 0; j < kNumCoeffBands; ++j)
      for (int k = 0; k < kNumPrevCoeffContexts; ++k)
        for (int l = 0; l < kNumEntropyNodes; ++l) {
          const Counts& n = counts[i][j][k][l];
          const uint8_t b = base[i][j][k][l], flag = kCoeffUpdateProbs[i][j][k][l];
          // Where even the bound cannot pay for the flag and 8 bits, no probability can, and the
          // scan is skipped: keeping b is then priced as the update (which worth_updating refuses).
          const bool hopeless = cost_lower_bound(n) + 8 * kBit + bit_cost(flag, true) >=
                                cost_at(n, b) + bit_cost(flag, false);
          const Choice c = hopeless ? Choice{b, cost_at(n, b)} : cheapest_8bit(n);
          const bool update = worth_updating(n, b, flag, c.cost + 8 * kBit, e);
          updates[i][j][k][l] = update ? c.prob : -1;
        }
  return e;
}

// §17.2: the same per MV probability, whose update is a 7-bit value v coding probability 2v (or 1
// for v = 0).
Estimate choose_mv_updates(const std::array<std::array<uint8_t, kNumMvProbs>, 2>& base,
                           const std::array<std::array<Counts, kNumMvProbs>, 2>& counts,
                           std::array<std::array<int16_t, kNumMvProbs>, 2>& updates) {
  Estimate e;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < kNumMvProbs; ++j) {
      const Choice c = cheapest(counts[i][j], 127, [](int v) { return uint8_t(v ? v << 1 : 1); });
      const bool update =
          worth_updating(counts[i][j], base[i][j], kMvUpdateProbs[i][j], c.cost + 7 * kBit, e);
      updates[i][j] = update ? int16_t(c.prob >> 1) : -1;
    }
  return e;
}

// §16.2: a mode probability set is sent whole (8 bits each) or not at all; its presence flag costs
// the same either way.
template <size_t N>
Estimate choose_mode_probs(const std::array<uint8_t, N>& base, const std::array<Counts, N>& counts,
                           std::optional<std::array<uint8_t, N>>& update) {
  std::array<uint8_t, N> probs;
  Estimate e;
  int64_t updated = int64_t(N) * 8 * kBit;
  for (size_t i = 0; i < N; ++i) {
    const Choice c = cheapest_8bit(counts[i]);
    probs[i] = c.prob;
    updated += c.cost;
    e.kept += cost_at(counts[i], base[i]);
  }
  update.reset();
  if (updated < e.kept) {
    update = probs;
    e.saving = e.kept - updated;
  }
  return e;
}

void remove_updates(FrameHeader& h) {
  h.coeff_prob_updates = FrameHeader::no_coeff_updates();
  h.mv_prob_updates = FrameHeader::no_mv_updates();
  h.intra_16x16_prob.reset();
  h.intra_chroma_prob.reset();
}

// Skip flags follow the coefficients: with mb_no_coeff_skip, exactly the macroblocks without
// coefficients are skipped; without it, none is.
void set_skip_flags(ParsedFrame& f) {
  for (size_t i = 0; i < f.mbs.size(); ++i) {
    f.mbs[i].mb_skip_coeff = f.header.mb_no_coeff_skip && f.coeffs[i].all_eob;
    if (f.mbs[i].mb_skip_coeff) f.coeffs[i] = MacroblockCoeffs{};
  }
}

// The estimated cost of a frame's tokens and skip flags with the best coefficient updates and
// prob_skip_false for its current mb_no_coeff_skip.
int64_t token_and_skip_cost(const DecoderState& state, const ProbabilityTables::CoeffProbs& base,
                            const ParsedFrame& f) {
  const FrameBranchCounts n = count_frame_branches(state, f);
  CoeffProbUpdates unused;
  const Estimate e = choose_coeff_updates(base, n.coeff, unused);
  int64_t cost = e.kept - e.saving;
  if (f.header.mb_no_coeff_skip) cost += 8 * kBit + cheapest_8bit(n.skip).cost;
  return cost;
}

// §9.11: codes skip flags when that is cheaper than coding the skipped macroblocks' tokens.
void choose_skip_coding(const DecoderState& state, const ProbabilityTables::CoeffProbs& base,
                        ParsedFrame& f) {
  const bool any_empty = std::any_of(f.coeffs.begin(), f.coeffs.end(),
                                     [&](const MacroblockCoeffs& c) { return c.all_eob; });
  if (!any_empty) {
    // Nothing to skip: the flags would only cost bits, the tokens are the same either way.
    f.header.mb_no_coeff_skip = false;
  } else if (!f.header.mb_no_coeff_skip) {
    // Skipping saves the empty macroblocks' end-of-block tokens but costs a flag per macroblock.
    ParsedFrame with_skip = f;
    with_skip.header.mb_no_coeff_skip = true;
    set_skip_flags(with_skip);
    if (token_and_skip_cost(state, base, with_skip) < token_and_skip_cost(state, base, f)) {
      f.header.mb_no_coeff_skip = true;
    }
  }
  set_skip_flags(f);
  if (!f.header.mb_no_coeff_skip) f.header.prob_skip_false = 0;  // not coded; as parsing leaves it
}

}  // namespace

uint8_t prob_from_counts(int64_t zeros, int64_t ones) {
  if (zeros + ones == 0) return 128;
  return uint8_t(std::clamp<int64_t>((256 * zeros + (zeros + ones) / 2) / (zeros + ones), 1, 255));
}

void optimize_probabilities(const DecoderState& state, ParsedFrame& f) {
  FrameHeader& h = f.header;
  // The tables the frame's updates apply to: the state's, or the defaults after a key frame's
  // reset.
  const ProbabilityTables base = begin_frame(state, f.tag, h).state.probs;
  choose_skip_coding(state, base.coeff_probs, f);

  const FrameBranchCounts n = count_frame_branches(state, f);
  int64_t saving = choose_coeff_updates(base.coeff_probs, n.coeff, h.coeff_prob_updates).saving;
  if (h.mb_no_coeff_skip) h.prob_skip_false = cheapest_8bit(n.skip).prob;
  if (!f.tag.key_frame) {  // the rest is coded in inter frames only
    h.prob_intra = cheapest_8bit(n.intra).prob;
    h.prob_last = cheapest_8bit(n.last).prob;
    h.prob_gf = cheapest_8bit(n.gf).prob;
    saving += choose_mode_probs(base.y_mode_probs, n.y_mode, h.intra_16x16_prob).saving;
    saving += choose_mode_probs(base.uv_mode_probs, n.uv_mode, h.intra_chroma_prob).saving;
    saving += choose_mv_updates(base.mv_probs, n.mv, h.mv_prob_updates).saving;
  }
  // Updates grow the first partition and shrink the others, and each partition is rounded to whole
  // bytes: below about a byte per partition, the rounding rather than the saving decides whether
  // the frame gets smaller, so there the frame is written both ways and the bytes decide.
  if (saving < 8 * kBit * (h.num_partitions() + 1)) {
    const size_t updated_size = write_frame(state, f).size();
    const FrameHeader updated = h;
    remove_updates(h);
    if (write_frame(state, f).size() > updated_size) h = updated;
  }
}

}  // namespace xc::vp8::enc
