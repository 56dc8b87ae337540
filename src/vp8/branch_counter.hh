// A counting stand-in for the bool encoder (§7.3, §8.1): the mode and token writers code a frame
// through it to learn how often each branch is taken at each probability, which is what choosing
// probabilities (§13.4, §16.2, §17.2, §9.10-9.11) needs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "vp8/bool_encoder.hh"

namespace xc::vp8 {

// Takes the calls a writer makes on a BoolEncoder and, instead of producing bytes, counts for every
// watched probability how many zeros and ones were coded at it. A probability is recognised by its
// address, so the counts follow exactly the table entries the writer reads, through the same walk
// that writes the frame; bools at probabilities outside the watched objects (fixed tables,
// literals, signs) are ignored. Watched objects must outlive the counting.
class BranchCounter {
 public:
  using Counts = std::array<uint32_t, 2>;  // [bit]

  // Counts bools coded at any probability stored in `object` (a uint8_t, an array or a table of
  // them) from now on.
  template <typename T>
  void watch(const T& object) {
    static_assert(std::is_trivially_copyable_v<T>,
                  "watch probabilities, not objects that own them");
    regions_.push_back(
        {reinterpret_cast<uintptr_t>(&object), sizeof(T), std::vector<Counts>(sizeof(T))});
  }

  // The counts of the probability `prob`, which must lie in a watched object.
  const Counts& counts(const uint8_t& prob) const {
    const uintptr_t address = reinterpret_cast<uintptr_t>(&prob);
    for (const Region& r : regions_) {
      if (address - r.start < r.size) return r.counts[address - r.start];
    }
    throw std::logic_error("BranchCounter::counts: the probability is not watched");
  }

  // The BoolEncoder interface, as the templated writers use it.
  void write(const uint8_t& prob, bool bit) {
    const uintptr_t address = reinterpret_cast<uintptr_t>(&prob);
    for (Region& r : regions_) {
      if (address - r.start < r.size) {
        ++r.counts[address - r.start][bit];
        return;
      }
    }
  }
  void write_bit(bool) {}
  void write_literal(uint32_t, int) {}
  template <typename Tree>
  void write_tree(const Tree& tree, const uint8_t* probs, int value, int start = 0) {
    BoolEncoder::walk_tree(tree, value, start,
                           [&](int node, bool bit) { write(probs[node], bit); });
  }

 private:
  struct Region {
    uintptr_t start;
    size_t size;
    std::vector<Counts> counts;  // by byte offset from start
  };
  std::vector<Region> regions_;
};

}  // namespace xc::vp8
