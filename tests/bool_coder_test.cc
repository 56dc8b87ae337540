// The bool encoder against the bool decoder (RFC 6386 §7): random bits under fixed, random and
// alternating probabilities, literals, every leaf of every tree (§8.1), and the bit-cost table.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "vp8/bool_decoder.hh"
#include "vp8/bool_encoder.hh"
#include "vp8/tables.hh"

namespace {

using xc::vp8::BoolDecoder;
using xc::vp8::BoolEncoder;

// How the probability of each bool is chosen.
enum class Pattern { kFixed, kRandom, kAlternating };

struct Case {
  Pattern pattern;
  int fixed_prob;      // kFixed: the probability; kAlternating: one of the two
  int bits_follow;     // 0: bits are uniform; 1: bits are drawn with the probability the coder assumes
  uint32_t seed;
};

std::string describe(const Case& c) {
  return "pattern " + std::to_string(int(c.pattern)) + " prob " + std::to_string(c.fixed_prob) + " follow " +
         std::to_string(c.bits_follow) + " seed " + std::to_string(c.seed);
}

void round_trip(const Case& c, int count) {
  std::mt19937 rng(c.seed);
  std::vector<uint8_t> probs(count);
  std::vector<bool> bits(count);
  for (int i = 0; i < count; ++i) {
    switch (c.pattern) {
      case Pattern::kFixed:
        probs[i] = uint8_t(c.fixed_prob);
        break;
      case Pattern::kRandom:
        probs[i] = uint8_t(1 + rng() % 255);
        break;
      case Pattern::kAlternating:
        probs[i] = uint8_t(i % 2 ? c.fixed_prob : 256 - c.fixed_prob);
        break;
    }
    bits[i] = c.bits_follow ? (rng() % 256) >= probs[i] : (rng() & 1);
  }
  BoolEncoder enc;
  for (int i = 0; i < count; ++i) enc.write(probs[i], bits[i]);
  const std::vector<uint8_t> data = enc.finish();
  BoolDecoder dec(data);
  for (int i = 0; i < count; ++i) {
    ASSERT_EQ(dec.read(probs[i]), bits[i]) << describe(c) << " count " << count << " bool " << i;
  }
  EXPECT_FALSE(dec.overran()) << describe(c) << " count " << count;
}

// The decoder as it was before whole-word refills, one byte at a time: its bits and its end-of-data
// behaviour (when overran() turns true) are the contract the faster decoder keeps.
class BytewiseBoolDecoder {
 public:
  explicit BytewiseBoolDecoder(const std::vector<uint8_t>& data) : pos_(data.data()), end_(data.data() + data.size()) {
    fill();
  }
  bool read(uint8_t prob) {
    const uint32_t split = 1 + (((range_ - 1) * prob) >> 8);
    if (count_ < 0) fill();
    const uint64_t big_split = uint64_t(split) << 56;
    bool bit = false;
    if (value_ >= big_split) {
      range_ -= split;
      value_ -= big_split;
      bit = true;
    } else {
      range_ = split;
    }
    while (range_ < 128) {
      range_ <<= 1;
      value_ <<= 1;
      --count_;
    }
    return bit;
  }
  bool overran() const { return count_ > 64 && count_ < kPastEnd; }

 private:
  static constexpr int kPastEnd = 0x40000000;
  void fill() {
    for (int shift = 48 - count_; shift >= 0; shift -= 8) {
      if (pos_ == end_) {
        count_ += kPastEnd;
        return;
      }
      value_ |= uint64_t(*pos_++) << shift;
      count_ += 8;
    }
  }
  const uint8_t* pos_;
  const uint8_t* end_;
  uint64_t value_ = 0;
  int count_ = -8;
  uint32_t range_ = 255;
};

// Random data of every length up to 64 bytes (so the last refill finds every possible number of
// bytes left), random probabilities including 0, read well past the end: every bool and every
// overran() answer as the bytewise decoder gives them.
TEST(BoolCoder, MatchesBytewiseDecoderUpToAndPastTheEnd) {
  std::mt19937 rng(2024);
  int overran_trials = 0;
  for (int size = 0; size <= 64; ++size) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<uint8_t> data(size);
      // Some trials with runs of 0x00 or 0xff bytes, which keep the value at its extremes.
      const int style = trial % 4;
      for (auto& b : data) b = style == 1 ? 0 : style == 2 ? 0xff : uint8_t(rng());
      BoolDecoder fast(data);
      BytewiseBoolDecoder reference(data);
      ASSERT_EQ(fast.overran(), reference.overran()) << "size " << size;
      const int reads = 8 * size + 80;
      for (int i = 0; i < reads; ++i) {
        const uint8_t prob = trial % 5 == 0 ? uint8_t(rng() % 2 ? 1 : 255) : uint8_t(rng());
        ASSERT_EQ(fast.read(prob), reference.read(prob)) << "size " << size << " trial " << trial << " bool " << i;
        ASSERT_EQ(fast.overran(), reference.overran()) << "size " << size << " trial " << trial << " bool " << i;
      }
      overran_trials += fast.overran();
    }
  }
  // Bools at probability 1 or 255 may not shift at all, so not every trial reaches past the end.
  EXPECT_GT(overran_trials, 65 * 20 / 2);
}

TEST(BoolCoder, RoundTripsUnderProbabilityPatterns) {
  uint32_t seed = 1;
  for (int count : {0, 1, 2, 7, 8, 9, 31, 100, 1000, 20000}) {
    for (int prob : {0, 1, 2, 128, 254, 255}) {  // 0 is codable: header probabilities are 8-bit literals
      for (int follow : {0, 1}) {
        round_trip({Pattern::kFixed, prob, follow, seed++}, count);
        round_trip({Pattern::kAlternating, prob, follow, seed++}, count);
      }
    }
    for (int follow : {0, 1}) round_trip({Pattern::kRandom, 0, follow, seed++}, count);
  }
}

// Ones at probability 255 (and zeros at 1) push `low` up by almost the whole range each time, which
// makes long carry chains through 0xff bytes.
TEST(BoolCoder, CarryChains) {
  for (uint32_t seed = 0; seed < 50; ++seed) {
    std::mt19937 rng(seed);
    BoolEncoder enc;
    std::vector<std::pair<uint8_t, bool>> written;
    for (int i = 0; i < 4000; ++i) {
      const bool rare = rng() % 50 == 0;
      const uint8_t p = rng() % 2 ? 255 : 254;
      written.emplace_back(p, !rare);
      enc.write(p, !rare);
    }
    const auto data = enc.finish();
    BoolDecoder dec(data);
    for (size_t i = 0; i < written.size(); ++i) {
      ASSERT_EQ(dec.read(written[i].first), written[i].second) << "seed " << seed << " bool " << i;
    }
  }
}

TEST(BoolCoder, LiteralsAndFinishResets) {
  std::mt19937 rng(7);
  std::vector<std::pair<uint32_t, int>> values;
  BoolEncoder enc;
  enc.write_bit(true);
  (void)enc.finish();  // a finished encoder starts afresh
  for (int i = 0; i < 500; ++i) {
    const int bits = 1 + int(rng() % 24);
    const uint32_t v = rng() & ((1u << bits) - 1);
    values.emplace_back(v, bits);
    enc.write_literal(v, bits);
  }
  const auto data = enc.finish();
  BoolDecoder dec(data);
  for (const auto& [v, bits] : values) ASSERT_EQ(dec.read_literal(bits), v);
}

// The flush codes 32 bools at 1/2 and keeps 16 bits back: a single zero bool at 1/2 leaves
// 1 + 32 = 33 shifts, so (33 - 16) / 8 = 2 bytes, both zero (libvpx writes 00 00 for it as well).
TEST(BoolCoder, FlushLengthMatchesLibvpxRule) {
  BoolEncoder enc;
  enc.write_bit(false);
  EXPECT_EQ(enc.finish(), (std::vector<uint8_t>{0, 0}));
  // One bool at probability 255 coded as 1 sets range to 1: 7 shifts, then 32 more: 39 -> 2 bytes.
  enc.write(255, true);
  const auto data = enc.finish();
  EXPECT_EQ(data.size(), 2u);
  BoolDecoder dec(data);
  EXPECT_TRUE(dec.read(255));
  // An empty partition: 32 bools at 1/2 from range 255 make 31 shifts -> 1 byte.
  EXPECT_EQ(enc.finish().size(), 1u);
}

template <typename Tree>
void check_tree(const char* name, const Tree& tree, int start = 0) {
  std::mt19937 rng(11);
  std::vector<int> leaves;
  for (size_t i = size_t(start); i < tree.size(); ++i) {
    if (tree[i] <= 0) leaves.push_back(-tree[i]);
  }
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<uint8_t> probs(tree.size() / 2);
    for (auto& p : probs) p = uint8_t(1 + rng() % 255);
    BoolEncoder enc;
    int expected_cost = 0;
    for (int leaf : leaves) {
      enc.write_tree(tree, probs.data(), leaf, start);
      expected_cost += xc::vp8::tree_cost(tree, probs.data(), leaf, start);
    }
    const auto data = enc.finish();
    BoolDecoder dec(data);
    for (int leaf : leaves) ASSERT_EQ(dec.read_tree(tree, probs.data(), start), leaf) << name << " trial " << trial;
    // The summed costs estimate the payload size (flush excluded) to within a few bits.
    EXPECT_NEAR(expected_cost / 256.0, data.size() * 8.0 - 16, 24.0) << name;
  }
}

TEST(BoolCoder, EveryLeafOfEveryTree) {
  using namespace xc::vp8;
  check_tree("ymode", kYModeTree);
  check_tree("kf_ymode", kKfYModeTree);
  check_tree("uv_mode", kUvModeTree);
  check_tree("bmode", kBModeTree);
  check_tree("segment", kMbSegmentTree);
  check_tree("mv_ref", kMvRefTree);
  check_tree("split_mv", kSplitMvTree);
  check_tree("sub_mv_ref", kSubMvRefTree);
  check_tree("small_mv", kSmallMvTree);
  check_tree("coeff", kCoeffTree);
  check_tree("coeff after zero", kCoeffTree, 2);
}

TEST(BoolCoder, WriteTreeRejectsValuesOutsideTheTree) {
  using namespace xc::vp8;
  BoolEncoder enc;
  const uint8_t probs[11] = {128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128};
  EXPECT_THROW(enc.write_tree(kUvModeTree, probs, B_PRED), std::invalid_argument);
  EXPECT_THROW(enc.write_tree(kCoeffTree, probs, dct_eob, 2), std::invalid_argument);
}

TEST(BoolCoder, CostTable) {
  using xc::vp8::bit_cost;
  using xc::vp8::kBitCost;
  for (int p = 1; p < 256; ++p) {
    EXPECT_NEAR(kBitCost[p], 256 * std::log2(256.0 / p), 0.5) << "probability " << p;
    if (p > 1) {
      EXPECT_LE(kBitCost[p], kBitCost[p - 1]);
    }
    EXPECT_EQ(bit_cost(uint8_t(p), true), kBitCost[256 - p]);
  }
  EXPECT_EQ(bit_cost(0, true), 0);  // out-of-spec probability 0: still defined
  // A long run coded under its own probability costs what the table says, to within the flush and
  // the coder's rounding of the split (worst at extreme probabilities, where it is about 2 %).
  for (int p : {3, 40, 128, 200, 252}) {
    std::mt19937 rng{uint32_t(p)};
    BoolEncoder enc;
    long cost = 0;
    for (int i = 0; i < 200000; ++i) {
      const bool bit = int(rng() % 256) >= p;
      cost += bit_cost(uint8_t(p), bit);
      enc.write(uint8_t(p), bit);
    }
    const double actual_bits = enc.finish().size() * 8.0;
    EXPECT_NEAR(cost / 256.0, actual_bits, actual_bits * 0.03 + 48) << "probability " << p;
  }
}

}  // namespace
