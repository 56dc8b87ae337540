// Boolean entropy encoder (RFC 6386 §7.3): byte output with carry propagation, the libvpx-compatible
// flush, and the tree searches behind write_tree (§8.1).
#include "vp8/bool_encoder.hh"

#include <fmt/format.h>

#include <utility>

namespace xc::vp8 {

void BoolEncoder::emit_byte() {
  const int top = pending_;  // lowest bit of the oldest pending byte (pending bits start at bit 8)
  if ((low_ >> (top + 8)) & 1) {
    // A carry out of the interval: add one to what was written, through any run of 0xff bytes. It
    // never runs past the first byte, since low + range never exceeds 1.
    size_t i = out_.size();
    while (out_[--i] == 0xff) out_[i] = 0;
    ++out_[i];
  }
  out_.push_back(uint8_t(low_ >> top));
  pending_ -= 8;
  low_ &= (uint64_t(1) << top) - 1;
}

std::vector<uint8_t> BoolEncoder::finish() {
  for (int i = 0; i < 32; ++i) write_bit(false);
  std::vector<uint8_t> out = std::move(out_);
  *this = BoolEncoder();
  return out;
}

int BoolEncoder::find_leaf(const int8_t* tree, int size, int value) {
  for (int i = 0; i < size; ++i) {
    if (tree[i] <= 0 && -tree[i] == value) return i;
  }
  throw std::invalid_argument(fmt::format("value {} is not a leaf of the tree", value));
}

int BoolEncoder::find_parent(const int8_t* tree, int size, int pair) {
  if (pair == 0) return -1;  // the root; an entry 0 elsewhere is leaf 0, not a link to it
  for (int i = 0; i < size; ++i) {
    if (tree[i] == pair) return i;
  }
  return -1;
}

}  // namespace xc::vp8
