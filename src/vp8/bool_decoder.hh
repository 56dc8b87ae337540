// Boolean entropy decoder (RFC 6386 §7) and the generic tree reader (§8.1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace xc::vp8 {

// Decodes bools from a byte span. Past the end of the data it feeds zero bits, as the spec's decoder
// does, and remembers that it did: overran() tells whether any bit that was *used* came from beyond
// the data (the same criterion libvpx applies, checked by callers once per macroblock row).
class BoolDecoder {
 public:
  BoolDecoder() = default;
  explicit BoolDecoder(std::span<const uint8_t> data) : pos_(data.data()), end_(data.data() + data.size()) {
    fill();
  }

  // One bool whose probability of being zero is prob/256 (§7.3).
  bool read(uint8_t prob) {
    const uint32_t split = 1 + (((range_ - 1) * prob) >> 8);
    if (count_ < 0) fill();
    const uint64_t big_split = uint64_t(split) << kWindowShift;
    bool bit;
    if (value_ >= big_split) {
      range_ -= split;
      value_ -= big_split;
      bit = true;
    } else {
      range_ = split;
      bit = false;
    }
    // Renormalize so that range_ is back in 128..255.
    const int shift = __builtin_clz(range_) - 24;
    range_ <<= shift;
    value_ <<= shift;
    count_ -= shift;
    return bit;
  }

  bool read_bit() { return read(128); }

  // An n-bit unsigned literal, most significant bit first (§7.3 L(n)).
  uint32_t read_literal(int bits) {
    uint32_t v = 0;
    while (bits-- > 0) v = (v << 1) | uint32_t(read_bit());
    return v;
  }

  // A tree-coded value (§8.1): tree holds pairs of entries, positive entries index the next pair,
  // leaves are stored negated. probs[i >> 1] is the probability at node i.
  template <typename Tree>
  int read_tree(const Tree& tree, const uint8_t* probs, int start = 0) {
    int i = start;
    while ((i = tree[i + read(probs[i >> 1])]) > 0) {
    }
    return -i;
  }

  bool overran() const { return count_ > kValueBits && count_ < kPastEnd; }

 private:
  static constexpr int kValueBits = 64;
  static constexpr int kWindowShift = kValueBits - 8;
  static constexpr int kPastEnd = 0x40000000;  // added to count_ once the data is exhausted

  // Loads whole bytes below the bits already buffered.
  void fill() {
    int shift = kWindowShift - 8 - count_;  // bit position of the next byte's least significant bit
    while (shift >= 0) {
      if (pos_ == end_) {
        count_ += kPastEnd;
        return;
      }
      value_ |= uint64_t(*pos_++) << shift;
      count_ += 8;
      shift -= 8;
    }
  }

  const uint8_t* pos_ = nullptr;
  const uint8_t* end_ = nullptr;
  uint64_t value_ = 0;  // the top 8 bits are compared with the split; lower bits are buffered input
  int count_ = -8;      // number of buffered bits below the top 8
  uint32_t range_ = 255;
};

}  // namespace xc::vp8
