// Coefficient token reading and writing (§13.2-13.3): the token tree with its zero-run shortcut,
// extra bits of the dct_cat tokens, bands, and the three-way context of each block's first
// coefficient, shared by both directions.
#include "vp8/tokens.hh"

#include <fmt/format.h>

#include <stdexcept>

#include "vp8/bool_decoder.hh"
#include "vp8/bool_encoder.hh"
#include "vp8/branch_counter.hh"
#include "vp8/tables.hh"

namespace xc::vp8 {

namespace {

// Reads one block starting at scan position `first`. Returns the token end (see MacroblockCoeffs).
int read_block(BoolDecoder& bd, const std::array<std::array<std::array<uint8_t, kNumEntropyNodes>,
                                                            kNumPrevCoeffContexts>, kNumCoeffBands>& probs,
               int first, int context, std::array<int16_t, 16>& out) {
  const uint8_t* p = probs[kCoeffBands[first]][context].data();
  if (!bd.read(p[0])) return first;  // EOB at once
  int n = first;
  while (true) {
    // Here the previous token was not EOB (or this is the first): read "zero or not".
    if (!bd.read(p[1])) {
      // DCT_0: next token cannot be EOB, so the tree is entered past the EOB node.
      ++n;
      if (n == 16) return 16;
      p = probs[kCoeffBands[n]][0].data();
      continue;
    }
    int v;
    int next_ctx;
    if (!bd.read(p[2])) {
      v = 1;
      next_ctx = 1;
    } else {
      next_ctx = 2;
      if (!bd.read(p[3])) {
        if (!bd.read(p[4])) {
          v = 2;
        } else {
          v = 3 + bd.read(p[5]);
        }
      } else if (!bd.read(p[6])) {
        if (!bd.read(p[7])) {
          v = kDctCatBase[0] + bd.read(kDctCatProbs[0].probs[0]);  // dct_cat1: 5-6
        } else {
          v = kDctCatBase[1];  // dct_cat2: 7-10
          v += 2 * bd.read(kDctCatProbs[1].probs[0]);
          v += bd.read(kDctCatProbs[1].probs[1]);
        }
      } else {
        const int bit1 = bd.read(p[8]);
        const int bit0 = bd.read(p[9 + bit1]);
        const int cat = 2 + 2 * bit1 + bit0;  // dct_cat3 .. dct_cat6
        int extra = 0;
        for (int i = 0; i < kDctCatProbs[cat].num_bits; ++i) extra = (extra << 1) | bd.read(kDctCatProbs[cat].probs[i]);
        v = kDctCatBase[cat] + extra;
      }
    }
    out[kZigzag[n]] = int16_t(bd.read_bit() ? -v : v);
    ++n;
    if (n == 16) return 16;
    p = probs[kCoeffBands[n]][next_ctx].data();
    if (!bd.read(p[0])) return n;  // EOB
  }
}

// Writes one block's tokens from scan position `first` to `end` (then EOB unless end is 16): the
// inverse of read_block, through the tree form of the same token alphabet (§13.2). `Encoder` is
// BoolEncoder, or BranchCounter to count the branches instead.
template <typename Encoder>
void write_block(Encoder& enc, const std::array<std::array<std::array<uint8_t, kNumEntropyNodes>,
                                                                 kNumPrevCoeffContexts>, kNumCoeffBands>& probs,
                 int first, int end, int context, const std::array<int16_t, 16>& coeffs) {
  if (end < first || end > 16) throw std::invalid_argument(fmt::format("token end {} is out of range", end));
  for (int n = end; n < 16; ++n) {
    if (coeffs[kZigzag[n]] != 0) {
      throw std::invalid_argument(fmt::format("coefficient at scan position {} lies past the token end {}", n, end));
    }
  }
  bool after_zero = false;  // no EOB may follow a DCT_0
  for (int n = first; n < end; ++n) {
    const int v = coeffs[kZigzag[n]];
    const int magnitude = v < 0 ? -v : v;
    int token = magnitude <= 4 ? magnitude : dct_cat6;
    while (token > DCT_4 && magnitude < kDctCatBase[token - dct_cat1]) --token;
    const uint8_t* p = probs[kCoeffBands[n]][context].data();
    enc.write_tree(kCoeffTree, p, token, after_zero ? 2 : 0);
    if (token >= dct_cat1) {
      const DctCatProbs& cat = kDctCatProbs[token - dct_cat1];
      const int extra = magnitude - kDctCatBase[token - dct_cat1];
      if (extra >> cat.num_bits) {
        throw std::invalid_argument(fmt::format("coefficient {} is too large to code", v));
      }
      for (int i = 0; i < cat.num_bits; ++i) enc.write(cat.probs[i], (extra >> (cat.num_bits - 1 - i)) & 1);
    }
    if (magnitude) enc.write_bit(v < 0);
    after_zero = magnitude == 0;
    context = magnitude == 0 ? 0 : magnitude == 1 ? 1 : 2;
  }
  if (end < 16) {
    if (after_zero) {
      throw std::invalid_argument(fmt::format("token end {} follows a zero, where EOB cannot be coded", end));
    }
    enc.write(probs[kCoeffBands[end]][context][0], false);
  }
}

// Codes the blocks of one macroblock in bitstream order (Y2, 16 Y, 4 U, 4 V) with their type, first
// coefficient and above + left context; `code(block, type, first, context)` reads or writes the
// block and returns its token end. Updates the contexts and returns whether any block had a token
// other than EOB.
template <typename Code>
bool code_blocks(bool has_y2, TokenContext& above, TokenContext& left, Code&& code) {
  bool any = false;
  int first = 0;
  int luma_type = kBlockYWithDc;
  if (has_y2) {
    const int end = code(kY2Block, kBlockY2, 0, above[8] + left[8]);
    above[8] = left[8] = end > 0;
    any |= end > 0;
    first = 1;
    luma_type = kBlockYAfterY2;
  }
  for (int b = 0; b < 16; ++b) {
    uint8_t& a = above[b & 3];
    uint8_t& l = left[b >> 2];
    const int end = code(b, luma_type, first, a + l);
    a = l = end > first;
    any |= end > first;
  }
  for (int b = 16; b < 24; ++b) {
    // U blocks use contexts 4-5, V blocks 6-7; within a plane: column (b & 1), row ((b - 16) >> 1 & 1).
    const int base = b < 20 ? 4 : 6;
    uint8_t& a = above[base + (b & 1)];
    uint8_t& l = left[base + (((b - 16) >> 1) & 1)];
    const int end = code(b, kBlockUV, 0, a + l);
    a = l = end > 0;
    any |= end > 0;
  }
  return any;
}

template <typename Encoder>
void write_tokens(Encoder& enc, const ProbabilityTables::CoeffProbs& probs, bool has_y2, TokenContext& above,
                  TokenContext& left, const MacroblockCoeffs& in) {
  code_blocks(has_y2, above, left, [&](int b, int type, int first, int context) {
    try {
      write_block(enc, probs[type], first, in.token_end[b], context, in.coeffs[b]);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("block {}: {}", b, e.what()));
    }
    return int(in.token_end[b]);
  });
}

}  // namespace

void parse_macroblock_tokens(BoolDecoder& bd, const ProbabilityTables::CoeffProbs& probs, bool has_y2,
                             TokenContext& above, TokenContext& left, MacroblockCoeffs& out) {
  const bool any = code_blocks(has_y2, above, left, [&](int b, int type, int first, int context) {
    const int end = read_block(bd, probs[type], first, context, out.coeffs[b]);
    out.token_end[b] = uint8_t(end);
    return end;
  });
  out.all_eob = !any;
}

void write_macroblock_tokens(BoolEncoder& enc, const ProbabilityTables::CoeffProbs& probs, bool has_y2,
                             TokenContext& above, TokenContext& left, const MacroblockCoeffs& in) {
  write_tokens(enc, probs, has_y2, above, left, in);
}

void write_macroblock_tokens(BranchCounter& counter, const ProbabilityTables::CoeffProbs& probs, bool has_y2,
                             TokenContext& above, TokenContext& left, const MacroblockCoeffs& in) {
  write_tokens(counter, probs, has_y2, above, left, in);
}

namespace {

// The writer's interface, summing the cost of every bool in 1/256 bit instead of coding it.
struct CostCounter {
  int total = 0;
  void write(const uint8_t& prob, bool bit) { total += bit_cost(prob, bit); }
  void write_bit(bool) { total += 256; }
  void write_literal(uint32_t, int bits) { total += 256 * bits; }
  template <typename Tree>
  void write_tree(const Tree& tree, const uint8_t* probs, int value, int start = 0) {
    BoolEncoder::walk_tree(tree, value, start, [&](int node, bool bit) { total += bit_cost(probs[node], bit); });
  }
};

}  // namespace

int macroblock_token_cost(const ProbabilityTables::CoeffProbs& probs, bool has_y2, TokenContext& above,
                          TokenContext& left, const MacroblockCoeffs& in) {
  CostCounter counter;
  write_tokens(counter, probs, has_y2, above, left, in);
  return counter.total;
}

void reset_token_context(bool has_y2, TokenContext& above, TokenContext& left) {
  for (int i = 0; i < 8; ++i) above[i] = left[i] = 0;
  if (has_y2) above[8] = left[8] = 0;
}

}  // namespace xc::vp8
