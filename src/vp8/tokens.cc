// Coefficient token reading and writing (§13.2-13.3): the token tree with its zero-run shortcut,
// extra bits of the dct_cat tokens, bands, and the three-way context of each block's first
// coefficient, shared by both directions.
#include "vp8/tokens.hh"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <stdexcept>

#include "vp8/bool_decoder.hh"
#include "vp8/bool_encoder.hh"
#include "vp8/branch_counter.hh"
#include "vp8/tables.hh"

namespace xc::vp8 {

namespace {

using BlockProbs = std::array<std::array<std::array<uint8_t, kNumEntropyNodes>, kNumPrevCoeffContexts>, kNumCoeffBands>;

// Offsets into a block type's probabilities: kBandOffset[n] of scan position n's band (n = 16 is
// never read), kContextStride between contexts.
constexpr int kContextStride = kNumEntropyNodes;
constexpr std::array<uint16_t, 17> kBandOffset = [] {
  std::array<uint16_t, 17> offsets{};
  for (int n = 0; n < 17; ++n) offsets[n] = uint16_t(kCoeffBands[n] * kNumPrevCoeffContexts * kNumEntropyNodes);
  return offsets;
}();

// Reads one block starting at scan position `first`. Returns the token end (see MacroblockCoeffs).
// Inlined into the macroblock loop, where `bd` is a local copy kept in registers.
[[gnu::always_inline]] inline int read_block(BoolDecoder& bd, const BlockProbs& block_probs, int first, int context,
                                             std::array<int16_t, 16>& out) {
  const uint8_t* const probs = block_probs[0][0].data();
  const uint8_t* p = probs + kBandOffset[first] + context * kContextStride;
  if (!bd.read(p[0])) return first;  // EOB at once
  int n = first;
  while (true) {
    // Here the previous token was not EOB (or this is the first): read "zero or not".
    if (!bd.read(p[1])) {
      // DCT_0: next token cannot be EOB, so the tree is entered past the EOB node.
      if (++n == 16) return 16;
      p = probs + kBandOffset[n];  // context 0
      continue;
    }
    int v;
    const uint8_t* next;  // the next position's probabilities: context 1 after a 1, else 2
    if (!bd.read(p[2])) {
      v = 1;
      next = probs + kBandOffset[n + 1] + kContextStride;
    } else {
      next = probs + kBandOffset[n + 1] + 2 * kContextStride;
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
    if (++n == 16) return 16;
    p = next;
    if (!bd.read(p[0])) return n;  // EOB
  }
}

// The branches coding each token with kCoeffTree from its root, root first: node (probability
// index) and bit per step, as BoolEncoder::walk_tree finds them. Looked up once here so writing a
// token does not search the tree.
struct TokenPath {
  int length = 0;
  std::array<uint8_t, 16> node{};
  std::array<bool, 16> bit{};
};

constexpr std::array<TokenPath, kNumTokens> kTokenPaths = [] {
  std::array<TokenPath, kNumTokens> paths{};
  for (int token = 0; token < kNumTokens; ++token) {
    int climb[16];
    int depth = 0;
    int i = 0;
    while (!(kCoeffTree[i] <= 0 && -kCoeffTree[i] == token)) ++i;  // the leaf's entry
    while (true) {
      climb[depth++] = i;
      const int pair = i & ~1;
      if (pair == 0) break;
      i = 0;
      while (kCoeffTree[i] != pair) ++i;  // the entry linking to the pair
    }
    TokenPath& path = paths[token];
    for (int s = 0; s < depth; ++s) {
      path.node[s] = uint8_t(climb[depth - 1 - s] >> 1);
      path.bit[s] = (climb[depth - 1 - s] & 1) != 0;
    }
    path.length = depth;
  }
  return paths;
}();

// After a DCT_0 the tree is entered at pair 2, which every token but dct_eob reaches by one branch
// (node 0, bit 1): skipping that step gives the path from pair 2.
constexpr bool paths_pass_pair_2() {
  for (int token = 0; token < kNumTokens; ++token) {
    if (token == dct_eob) continue;
    const TokenPath& p = kTokenPaths[token];
    if (p.length < 2 || p.node[0] != 0 || !p.bit[0] || p.node[1] != 1) return false;
  }
  return true;
}
static_assert(paths_pass_pair_2());

// kTailLanes[end]: for the block's 16 coefficients read as four 64-bit words of four, the bits of
// the coefficients at scan positions end..15. A block has nothing past its token end when its words
// ANDed with these are all zero, four word tests instead of a test per position.
constexpr std::array<std::array<uint64_t, 4>, 17> kTailLanes = [] {
  std::array<std::array<uint64_t, 4>, 17> lanes{};
  for (int end = 0; end <= 16; ++end) {
    for (int n = end; n < 16; ++n) {
      const int pos = kZigzag[n];
      lanes[end][pos >> 2] |= uint64_t(0xFFFF) << (16 * (pos & 3));
    }
  }
  return lanes;
}();

bool zero_past(const std::array<int16_t, 16>& coeffs, int end) {
  static_assert(std::endian::native == std::endian::little, "lanes are laid out little-endian");
  uint64_t words[4];
  std::memcpy(words, coeffs.data(), sizeof(words));
  const std::array<uint64_t, 4>& lanes = kTailLanes[size_t(end)];
  return ((words[0] & lanes[0]) | (words[1] & lanes[1]) | (words[2] & lanes[2]) | (words[3] & lanes[3])) == 0;
}

// Writes one block's tokens from scan position `first` to `end` (then EOB unless end is 16): the
// inverse of read_block, through the tree form of the same token alphabet (§13.2). `Encoder` is
// BoolEncoder, or BranchCounter to count the branches instead.
template <typename Encoder>
void write_block(Encoder& enc, const BlockProbs& probs, int first, int end, int context, const std::array<int16_t, 16>& coeffs) {
  if (end < first || end > 16) throw std::invalid_argument(fmt::format("token end {} is out of range", end));
  if (!zero_past(coeffs, end)) {
    for (int n = end; n < 16; ++n) {
      if (coeffs[kZigzag[n]] != 0) {
        throw std::invalid_argument(fmt::format("coefficient at scan position {} lies past the token end {}", n, end));
      }
    }
  }
  bool after_zero = false;  // no EOB may follow a DCT_0
  for (int n = first; n < end; ++n) {
    const int v = coeffs[kZigzag[n]];
    const int magnitude = v < 0 ? -v : v;
    int token = magnitude <= 4 ? magnitude : dct_cat6;
    while (token > DCT_4 && magnitude < kDctCatBase[token - dct_cat1]) --token;
    const uint8_t* p = probs[kCoeffBands[n]][context].data();
    const TokenPath& path = kTokenPaths[token];
    for (int step = after_zero ? 1 : 0; step < path.length; ++step) enc.write(p[path.node[step]], path.bit[step]);
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

// The blocks of a macroblock in bitstream order (Y2, 16 Y, 4 U, 4 V), each with the entries of the
// above and left contexts it uses (luma blocks their column and row, U blocks 4-5 and V blocks 6-7 by
// column and row within the plane, Y2 entry 8) and, indexed by whether the macroblock has Y2, its block
// type and first coefficient.
struct BlockSlot {
  uint8_t block, above, left;
  std::array<uint8_t, 2> type, first;
};

constexpr std::array<BlockSlot, 25> kBlockSlots = [] {
  std::array<BlockSlot, 25> slots{};
  slots[0] = {kY2Block, 8, 8, {kBlockY2, kBlockY2}, {0, 0}};
  for (int b = 0; b < 16; ++b) {
    slots[1 + b] = {uint8_t(b), uint8_t(b & 3), uint8_t(b >> 2), {kBlockYWithDc, kBlockYAfterY2}, {0, 1}};
  }
  for (int b = 16; b < 24; ++b) {
    const int base = b < 20 ? 4 : 6;
    slots[1 + b] = {uint8_t(b), uint8_t(base + (b & 1)), uint8_t(base + (((b - 16) >> 1) & 1)),
                    {kBlockUV, kBlockUV}, {0, 0}};
  }
  return slots;
}();

// Codes the blocks of one macroblock in bitstream order with their type, first coefficient and above +
// left context; `code(block, type, first, context)` reads or writes the block and returns its token
// end. Updates the contexts and returns whether any block had a token other than EOB. One loop over a
// table, so the reader's block code is inlined once.
template <typename Code>
bool code_blocks(bool has_y2, TokenContext& above, TokenContext& left, Code&& code) {
  bool any = false;
  for (int s = has_y2 ? 0 : 1; s < 25; ++s) {
    const BlockSlot& slot = kBlockSlots[s];
    const int first = slot.first[has_y2];
    uint8_t& a = above[slot.above];
    uint8_t& l = left[slot.left];
    const int end = code(slot.block, slot.type[has_y2], first, a + l);
    a = l = end > first;
    any |= end > first;
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
  BoolDecoder local = bd;  // in registers for the whole macroblock (see BoolDecoder)
  const bool any = code_blocks(has_y2, above, left, [&](int b, int type, int first, int context) {
    const int end = read_block(local, probs[type], first, context, out.coeffs[b]);
    out.token_end[b] = uint8_t(end);
    return end;
  });
  bd = local;
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
