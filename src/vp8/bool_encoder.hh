// Boolean entropy encoder (RFC 6386 §7), the exact inverse of bool_decoder.hh, with the tree writer
// (§8.1) and a per-probability bit-cost table for rate estimates.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace xc::vp8 {

// Encodes bools into a growing byte vector. Arithmetic is the §7.3 encoder's: the interval is
// [low, low + range) with range kept in 128..255 by shifting; bytes leave from the top of `low_`
// and a carry out of `low_` is added into the bytes already written.
//
// Flush (finish): libvpx ends every partition by coding 32 zero bools at probability 1/2 and keeps
// whatever has not been shifted out by then unwritten. Its encoder writes a byte once 24 bits have
// been shifted past the 8-bit window (and then every 8 more), so this encoder holds back the same
// 16 bits: with the same flush, its bytes are identical to libvpx's, which is what makes re-serialized
// frames byte-identical. The decoder needs none of the held-back bits (they lie below every split it
// compares), and reads zeros past the end anyway.
class BoolEncoder {
 public:
  // Writes `bit`, whose probability of being 0 is prob/256 (prob 1..255; §7.3).
  void write(uint8_t prob, bool bit) {
    const uint32_t split = 1 + (((range_ - 1) * prob) >> 8);
    if (bit) {
      low_ += split;
      range_ -= split;
    } else {
      range_ = split;
    }
    const int shift = __builtin_clz(range_) - 24;  // back to 128..255
    range_ <<= shift;
    low_ <<= shift;
    pending_ += shift;
    if (pending_ >= kHeldBits + 8) emit_byte();
  }

  void write_bit(bool bit) { write(128, bit); }

  // An n-bit unsigned literal, most significant bit first (§7.3 L(n)).
  void write_literal(uint32_t value, int bits) {
    while (bits-- > 0) write_bit((value >> bits) & 1);
  }

  // Writes `value` with a tree in the form BoolDecoder::read_tree reads (§8.1, tables.hh), starting
  // at pair `start` (the coefficient tree is entered at 2 after a zero token). Throws
  // std::invalid_argument when the value is not a leaf below `start`.
  template <typename Tree>
  void write_tree(const Tree& tree, const uint8_t* probs, int value, int start = 0) {
    walk_tree(tree, value, start, [&](int node, bool bit) { write(probs[node], bit); });
  }

  // The branches that code `value` with `tree` from pair `start`, root first: visit(node, bit) per
  // bool, where node indexes the tree's probabilities. Throws like write_tree. Any writer of trees
  // (the branch counter too) walks them through this, so they all agree.
  template <typename Tree, typename Visit>
  static void walk_tree(const Tree& tree, int value, int start, Visit&& visit) {
    // Climb from the leaf to `start`, remembering the branch taken at each pair.
    int path[32];
    int depth = 0;
    int i = find_leaf(tree.data(), int(tree.size()), value);
    while (true) {
      const int pair = i & ~1;
      path[depth++] = i;
      if (pair == start) break;
      i = find_parent(tree.data(), int(tree.size()), pair);
      if (i < 0 || depth == 32) throw std::invalid_argument("tree value is not below the start node");
    }
    while (depth-- > 0) visit(path[depth] >> 1, bool(path[depth] & 1));
  }

  // Ends the partition the way libvpx does (see above) and returns its bytes. The encoder is empty
  // and ready for a new partition afterwards.
  std::vector<uint8_t> finish();

  // Bytes written so far (the flush adds a few more).
  size_t size() const { return out_.size(); }

 private:
  static constexpr int kHeldBits = 16;  // bits kept back beyond each byte, as libvpx's encoder does

  // Index of the tree entry holding leaf `value`, or throws.
  static int find_leaf(const int8_t* tree, int size, int value);
  // Index of the entry pointing at pair `pair`, or -1 when it is the root.
  static int find_parent(const int8_t* tree, int size, int pair);
  void emit_byte();

  std::vector<uint8_t> out_;
  // Bits 0-7 align with range_; above them lie `pending_` bits not yet written; one bit above those
  // can hold a carry into out_.
  uint64_t low_ = 0;
  uint32_t range_ = 255;
  int pending_ = 0;
};

// -----------------------------------------------------------------------------
// Bit costs for rate estimates, in 1/256 bit: kBitCost[p] = 256 * log2(256 / p), rounded, the cost of
// a bool whose probability is p/256. Index 256 (a certain bool) costs 0, and index 0 is priced as 1,
// so that bit_cost is defined for every uint8_t probability.
// -----------------------------------------------------------------------------
namespace bool_cost_detail {

// log2(x) for x >= 1, from the binary expansion of the mantissa by repeated squaring.
constexpr double log2_of(double x) {
  double result = 0;
  while (x >= 2) {
    x /= 2;
    result += 1;
  }
  double bit = 0.5;
  for (int i = 0; i < 40; ++i) {
    x *= x;
    if (x >= 2) {
      x /= 2;
      result += bit;
    }
    bit /= 2;
  }
  return result;
}

constexpr std::array<uint16_t, 257> make_costs() {
  std::array<uint16_t, 257> costs{};
  for (int p = 1; p <= 256; ++p) costs[p] = uint16_t(256 * (8 - log2_of(p)) + 0.5);
  costs[0] = costs[1];
  return costs;
}

}  // namespace bool_cost_detail

inline constexpr std::array<uint16_t, 257> kBitCost = bool_cost_detail::make_costs();
static_assert(kBitCost[128] == 256 && kBitCost[1] == 2048 && kBitCost[64] == 512 && kBitCost[255] == 1 &&
              kBitCost[256] == 0);

// Cost in 1/256 bit of writing `bit` at probability `prob` (of a zero).
constexpr int bit_cost(uint8_t prob, bool bit) { return kBitCost[bit ? 256 - prob : prob]; }

// Cost of writing `value` with `tree` from pair `start` (same walk as BoolEncoder::write_tree).
template <typename Tree>
constexpr int tree_cost(const Tree& tree, const uint8_t* probs, int value, int start = 0) {
  // Walks every root-to-leaf path; trees are at most 22 entries, so a plain search is fine.
  struct Walker {
    const Tree& tree;
    const uint8_t* probs;
    int value;
    constexpr int cost(int pair) const {  // -1 when value is not below pair
      for (int b = 0; b < 2; ++b) {
        const int next = tree[pair + b];
        const int here = bit_cost(probs[pair >> 1], b);
        if (next <= 0) {
          if (-next == value) return here;
        } else if (const int rest = cost(next); rest >= 0) {
          return here + rest;
        }
      }
      return -1;
    }
  };
  return Walker{tree, probs, value}.cost(start);
}

}  // namespace xc::vp8
