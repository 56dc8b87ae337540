// Boolean entropy decoder (RFC 6386 §7) and the generic tree reader (§8.1).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace xc::vp8 {

// Decodes bools from a byte span. Past the end of the data it feeds zero bits, as the spec's decoder
// does, and remembers that it did: overran() tells whether any bit that was *used* came from beyond
// the data (the same criterion libvpx applies, checked by callers once per macroblock row).
//
// The decoder is a small value with everything inline. Hot loops copy it into a local variable and
// copy it back when done (see the token reader): a local whose address is never taken lives in
// registers, while a decoder reached through a reference has to be stored to memory after each bool,
// because the probability bytes the loop reads could, as far as the compiler knows, alias it.
class BoolDecoder {
 public:
  BoolDecoder() = default;
  explicit BoolDecoder(std::span<const uint8_t> data) : pos_(data.data()), end_(data.data() + data.size()) {
    fill_bytewise();
  }

  // One bool whose probability of being zero is prob/256 (§7.3).
  [[gnu::always_inline]] bool read(uint8_t prob) {
    if (count_ < 0) fill();
    const uint32_t split = 1 + (((range_ - 1) * prob) >> 8);
    const uint64_t big_split = uint64_t(split) << kWindowShift;
    const bool bit = value_ >= big_split;
    range_ = bit ? range_ - split : split;
    value_ = bit ? value_ - big_split : value_;
    // Renormalize so that range_ is back in 128..255: range_ is in 1..255 here, so the shift is
    // 7 minus the index of its top bit.
    const int shift = 7 ^ (31 ^ __builtin_clz(range_));
    range_ <<= shift;
    value_ <<= shift;
    count_ -= shift;
    return bit;
  }

  [[gnu::always_inline]] bool read_bit() { return read(128); }

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

  // Called when count_ < 0, which after the constructor means -7..-1 (a bool shifts by 7 at most):
  // room for exactly 7 more bytes. With 8 or more bytes left they come in one load; otherwise byte
  // by byte. Both load the same bytes at the same moments, so where the data ends (and so what
  // overran() says) does not depend on which path ran.
  [[gnu::always_inline]] void fill() {
    if (end_ - pos_ >= 8) {
      uint64_t next;
      std::memcpy(&next, pos_, 8);
      if constexpr (std::endian::native == std::endian::little) next = __builtin_bswap64(next);
      // Bytes 0..6 of `next`, the first one just below the bits still buffered (whose lowest bit is
      // at 56 - count_); the eighth byte is dropped.
      value_ |= (next >> 8) << (kWindowShift - 8 - 48 - count_);
      pos_ += 7;
      count_ += 56;
      return;
    }
    fill_bytewise();
  }

  // Loads whole bytes below the bits already buffered while there is room, and marks the end of the
  // data when a byte is due and none is left.
  [[gnu::always_inline]] void fill_bytewise() {
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
