// DCT coefficient tokens (§13): per-macroblock quantized coefficients read from and written to a
// token partition, with the above/left "has coefficients" contexts.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "vp8/state.hh"

namespace xc::vp8 {

class BoolDecoder;
class BoolEncoder;
class BranchCounter;
struct MacroblockInfo;

// Block numbering inside a macroblock: 0-15 luma (raster order), 16-19 U, 20-23 V, 24 Y2.
constexpr int kY2Block = 24;

struct MacroblockCoeffs {
  // Quantized coefficients in raster (de-zigzagged) order.
  std::array<std::array<int16_t, 16>, 25> coeffs{};
  // Scan position one past the last token coded before EOB (or 16); equal to the block's first
  // coefficient (1 for luma blocks after Y2, else 0) when the block's first token is EOB.
  std::array<uint8_t, 25> token_end{};
  // No token other than EOB in any block (libvpx's eobtotal == 0). With modes other than B_PRED and
  // SPLITMV this makes the loop filter skip the inner edges.
  bool all_eob = true;
};

// Above context: 4 Y + 2 U + 2 V + 1 Y2 flags per macroblock column; left context: the same for the
// current row.
using TokenContext = std::array<uint8_t, 9>;

// Reads the tokens of one macroblock (§13.2-13.3) into `out` (which must be zeroed), updating the
// contexts. For macroblocks with mb_skip_coeff set, call reset_token_context instead.
void parse_macroblock_tokens(BoolDecoder& bd, const ProbabilityTables::CoeffProbs& probs, bool has_y2,
                             TokenContext& above, TokenContext& left, MacroblockCoeffs& out);

// Writes the tokens of one macroblock so that parse_macroblock_tokens reads `in` back (coefficients
// and token ends), updating the contexts the same way. Throws std::invalid_argument naming the block
// when a block cannot be coded so: a nonzero coefficient at or past its token end, a token end after
// a zero (EOB cannot follow DCT_0) or below the block's first coefficient, or a magnitude over 2114.
void write_macroblock_tokens(BoolEncoder& enc, const ProbabilityTables::CoeffProbs& probs, bool has_y2,
                             TokenContext& above, TokenContext& left, const MacroblockCoeffs& in);

// The same walk, counting the branches taken at each entry of `probs` (which the counter must
// watch) instead of writing them; throws the same way.
void write_macroblock_tokens(BranchCounter& counter, const ProbabilityTables::CoeffProbs& probs, bool has_y2,
                             TokenContext& above, TokenContext& left, const MacroblockCoeffs& in);

// What writing the macroblock's tokens would cost, in 1/256 bit (bool costs from kBitCost, signs
// and extra bits of fixed probability included), updating the contexts like the writer; throws the
// same way.
int macroblock_token_cost(const ProbabilityTables::CoeffProbs& probs, bool has_y2, TokenContext& above,
                          TokenContext& left, const MacroblockCoeffs& in);

// A skipped macroblock leaves zero contexts, except that Y2 context survives when it has no Y2.
void reset_token_context(bool has_y2, TokenContext& above, TokenContext& left);

}  // namespace xc::vp8
