// Checks of the constant VP8 tables against values and codes quoted in RFC 6386 (§8.1, §11-18).
#include "vp8/tables.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "vp8/dsp/dsp_internal.hh"

namespace xc::vp8 {
namespace {

// Follows a bit string ("0"/"1" per bool) from the root as a §8.1 tree reader would; returns the
// leaf value reached, or -1 when the string ends inside the tree or reaches a leaf early.
template <std::size_t N>
int walk(const std::array<TreeIndex, N>& tree, const std::string& bits) {
  int i = 0;
  for (std::size_t k = 0; k < bits.size(); ++k) {
    i = tree[i + (bits[k] == '1' ? 1 : 0)];
    if (i <= 0) return k + 1 == bits.size() ? -i : -1;
  }
  return -1;
}

struct Code {
  const char* bits;
  int leaf;
};

// Every leaf of the tree is reached by exactly the RFC's code, every leaf appears exactly once, and
// every internal entry is an even index inside the tree.
template <std::size_t N>
void expect_tree(const std::array<TreeIndex, N>& tree, const std::vector<Code>& codes) {
  std::multiset<int> leaves;
  for (std::size_t i = 0; i < N; ++i) {
    if (tree[i] > 0) {
      EXPECT_EQ(tree[i] % 2, 0) << "entry " << i;
      EXPECT_LT(static_cast<std::size_t>(tree[i]), N) << "entry " << i;
    } else {
      leaves.insert(-tree[i]);
    }
  }
  ASSERT_EQ(leaves.size(), codes.size());
  for (const Code& code : codes) {
    EXPECT_EQ(leaves.count(code.leaf), 1u) << "leaf " << code.leaf;
    EXPECT_EQ(walk(tree, code.bits), code.leaf) << "code " << code.bits;
  }
}

TEST(Tables, ModeTreesMatchRfcCodes) {
  expect_tree(
      kYModeTree,
      {{"0", DC_PRED}, {"100", V_PRED}, {"101", H_PRED}, {"110", TM_PRED}, {"111", B_PRED}});
  expect_tree(
      kKfYModeTree,
      {{"0", B_PRED}, {"100", DC_PRED}, {"101", V_PRED}, {"110", H_PRED}, {"111", TM_PRED}});
  expect_tree(kUvModeTree, {{"0", DC_PRED}, {"10", V_PRED}, {"110", H_PRED}, {"111", TM_PRED}});
  expect_tree(kBModeTree, {{"0", B_DC_PRED},
                           {"10", B_TM_PRED},
                           {"110", B_VE_PRED},
                           {"11100", B_HE_PRED},
                           {"111010", B_RD_PRED},
                           {"111011", B_VR_PRED},
                           {"11110", B_LD_PRED},  // the RFC comment's "111110" is an erratum
                           {"111110", B_VL_PRED},
                           {"1111110", B_HD_PRED},
                           {"1111111", B_HU_PRED}});
  expect_tree(kMbSegmentTree, {{"00", 0}, {"01", 1}, {"10", 2}, {"11", 3}});
}

TEST(Tables, InterTreesMatchRfcCodes) {
  expect_tree(
      kMvRefTree,
      {{"0", ZEROMV}, {"10", NEARESTMV}, {"110", NEARMV}, {"1110", NEWMV}, {"1111", SPLITMV}});
  expect_tree(kSplitMvTree,
              {{"0", MV_16}, {"10", MV_QUARTERS}, {"110", MV_TOP_BOTTOM}, {"111", MV_LEFT_RIGHT}});
  expect_tree(kSubMvRefTree, {{"0", LEFT4X4}, {"10", ABOVE4X4}, {"110", ZERO4X4}, {"111", NEW4X4}});
  expect_tree(kSmallMvTree, {{"000", 0},
                             {"001", 1},
                             {"010", 2},
                             {"011", 3},
                             {"100", 4},
                             {"101", 5},
                             {"110", 6},
                             {"111", 7}});
}

TEST(Tables, CoeffTreeMatchesRfcCodes) {
  expect_tree(kCoeffTree, {{"0", dct_eob},
                           {"10", DCT_0},
                           {"110", DCT_1},
                           {"11100", DCT_2},
                           {"111010", DCT_3},
                           {"111011", DCT_4},
                           {"111100", dct_cat1},
                           {"111101", dct_cat2},
                           {"1111100", dct_cat3},
                           {"1111101", dct_cat4},
                           {"1111110", dct_cat5},
                           {"1111111", dct_cat6}});
  // After a DCT_0 the reader starts at index 2, where "0" must mean DCT_0 (§13.2).
  EXPECT_EQ(kCoeffTree[2], -DCT_0);
}

TEST(Tables, ModeProbabilitiesQuotedInRfc) {
  EXPECT_EQ(kKfYModeProbs, (std::array<uint8_t, 4>{145, 156, 163, 128}));
  EXPECT_EQ(kKfUvModeProbs, (std::array<uint8_t, 3>{142, 114, 183}));
  EXPECT_EQ(kDefaultYModeProbs, (std::array<uint8_t, 4>{112, 86, 140, 37}));
  EXPECT_EQ(kDefaultUvModeProbs, (std::array<uint8_t, 3>{162, 101, 204}));
  EXPECT_EQ(kBModeProbs, (std::array<uint8_t, 9>{120, 90, 79, 133, 87, 85, 80, 111, 151}));
  EXPECT_EQ(kMbSplitProbs, (std::array<uint8_t, 3>{110, 111, 150}));
  // §11.5: first and last rows, and the row for above = B_HE_PRED, left = B_VL_PRED.
  EXPECT_EQ(kKfBModeProbs[B_DC_PRED][B_DC_PRED],
            (std::array<uint8_t, 9>{231, 120, 48, 89, 115, 113, 120, 152, 112}));
  EXPECT_EQ(kKfBModeProbs[B_HU_PRED][B_HU_PRED],
            (std::array<uint8_t, 9>{112, 19, 12, 61, 195, 128, 48, 4, 24}));
  EXPECT_EQ(kKfBModeProbs[B_HE_PRED][B_VL_PRED],
            (std::array<uint8_t, 9>{142, 78, 78, 16, 255, 128, 34, 197, 171}));
  // §16.4: context 3 (left == above) and 4 (both zero).
  EXPECT_EQ(kSubMvRefProbs[3], (std::array<uint8_t, 3>{223, 1, 34}));
  EXPECT_EQ(kSubMvRefProbs[4], (std::array<uint8_t, 3>{208, 1, 1}));
  // §16.3: first and last rows.
  EXPECT_EQ(kModeContexts[0], (std::array<uint8_t, 4>{7, 1, 1, 143}));
  EXPECT_EQ(kModeContexts[5], (std::array<uint8_t, 4>{234, 188, 128, 28}));
}

TEST(Tables, MvProbabilitiesQuotedInRfc) {
  // §17.2: row then column; is_short, sign, short tree[0], long bit 9.
  EXPECT_EQ(kDefaultMvProbs[0][0], 162);
  EXPECT_EQ(kDefaultMvProbs[0][1], 128);
  EXPECT_EQ(kDefaultMvProbs[0][2], 225);
  EXPECT_EQ(kDefaultMvProbs[0][18], 254);
  EXPECT_EQ(kDefaultMvProbs[1][0], 164);
  EXPECT_EQ(kDefaultMvProbs[1][8], 228);
  EXPECT_EQ(kDefaultMvProbs[1][12], 74);
  EXPECT_EQ(kMvUpdateProbs[0][0], 237);
  EXPECT_EQ(kMvUpdateProbs[0][15], 250);
  EXPECT_EQ(kMvUpdateProbs[1][0], 231);
  EXPECT_EQ(kMvUpdateProbs[1][16], 254);
}

TEST(Tables, CoefficientProbabilitiesQuotedInRfc) {
  using Row = std::array<uint8_t, kNumEntropyNodes>;
  // §13.5, block type 0, band 0 is never used (Y after Y2 starts at position 1): all 128.
  Row all_128;
  all_128.fill(128);
  for (const Row& row : kDefaultCoeffProbs[kBlockYAfterY2][0]) EXPECT_EQ(row, all_128);
  EXPECT_EQ(kDefaultCoeffProbs[0][1][0],
            (Row{253, 136, 254, 255, 228, 219, 128, 128, 128, 128, 128}));
  EXPECT_EQ(kDefaultCoeffProbs[0][2][0][0], 1);
  EXPECT_EQ(kDefaultCoeffProbs[kBlockUV][0][0],
            (Row{253, 9, 248, 251, 207, 208, 255, 192, 128, 128, 128}));
  EXPECT_EQ(kDefaultCoeffProbs[3][7][1],
            (Row{244, 1, 255, 128, 128, 128, 128, 128, 128, 128, 128}));
  EXPECT_EQ(kDefaultCoeffProbs[3][7][2][0], 238);
  // §13.4.
  EXPECT_EQ(kCoeffUpdateProbs[0][0][0],
            (Row{255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255}));
  EXPECT_EQ(kCoeffUpdateProbs[0][1][0],
            (Row{176, 246, 255, 255, 255, 255, 255, 255, 255, 255, 255}));
  EXPECT_EQ(kCoeffUpdateProbs[1][0][1],
            (Row{225, 252, 241, 253, 255, 255, 254, 255, 255, 255, 255}));
  EXPECT_EQ(kCoeffUpdateProbs[kBlockUV][0][0],
            (Row{186, 251, 250, 255, 255, 255, 255, 255, 255, 255, 255}));
}

TEST(Tables, DctExtraBits) {
  // §13.2 Pcat tables and the token ranges 5-6, 7-10, 11-18, 19-34, 35-66, 67-2114.
  const std::array<int, 6> lengths = {1, 2, 3, 4, 5, 11};
  const std::array<int, 6> last = {6, 10, 18, 34, 66, 2114};
  for (int c = 0; c < 6; ++c) {
    EXPECT_EQ(kDctCatProbs[c].num_bits, lengths[c]) << "dct_cat" << c + 1;
    EXPECT_EQ(kDctCatBase[c] + (1 << kDctCatProbs[c].num_bits) - 1, last[c]) << "dct_cat" << c + 1;
  }
  EXPECT_EQ(kDctCatProbs[0].probs[0], 159);
  EXPECT_EQ(kDctCatProbs[4].probs[4], 130);
  EXPECT_EQ(kDctCatProbs[5].probs[0], 254);
  EXPECT_EQ(kDctCatProbs[5].probs[10], 129);
}

TEST(Tables, ScanAndBands) {
  std::array<uint8_t, 16> sorted = kZigzag;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 16; ++i) EXPECT_EQ(sorted[i], i) << "kZigzag is not a permutation";
  EXPECT_EQ(kZigzag[2], 4);  // third coefficient is row 1, column 0
  EXPECT_EQ(kZigzag[15], 15);
  EXPECT_EQ(kCoeffBands,
            (std::array<uint8_t, 17>{0, 1, 2, 3, 6, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 0}));
}

TEST(Tables, QuantizerLookupsQuotedInRfc) {
  EXPECT_EQ(kDcQLookup[0], 4);
  EXPECT_EQ(kDcQLookup[7], 10);
  EXPECT_EQ(kDcQLookup[100], 98);
  EXPECT_EQ(kDcQLookup[127], 157);
  EXPECT_EQ(kAcQLookup[0], 4);
  EXPECT_EQ(kAcQLookup[55], 60);
  EXPECT_EQ(kAcQLookup[84], 119);
  EXPECT_EQ(kAcQLookup[127], 284);
}

TEST(Tables, SplitLayouts) {
  // §16.4 layouts: top_bottom {0..7} {8..15}; left_right {0,1,4,5,8,9,12,13} {2,3,...};
  // quarters {0,1,4,5} {2,3,6,7} {8,9,12,13} {10,11,14,15}; MV_16 one part per subblock.
  for (int b = 0; b < 16; ++b) {
    const int row = b / 4, col = b % 4;
    EXPECT_EQ(kMbSplits[MV_TOP_BOTTOM][b], row / 2) << b;
    EXPECT_EQ(kMbSplits[MV_LEFT_RIGHT][b], col / 2) << b;
    EXPECT_EQ(kMbSplits[MV_QUARTERS][b], (row / 2) * 2 + col / 2) << b;
    EXPECT_EQ(kMbSplits[MV_16][b], b) << b;
  }
  EXPECT_EQ(kMbSplitCounts, (std::array<uint8_t, 4>{2, 2, 4, 16}));
}

TEST(Tables, FiltersQuotedInRfc) {
  using dsp::detail::kBilinearTaps;
  using dsp::detail::kSixtapTaps;
  auto six = [](int k) { return std::vector<int>(kSixtapTaps[k], kSixtapTaps[k] + 6); };
  EXPECT_EQ(six(0), (std::vector<int>{0, 0, 128, 0, 0, 0}));
  EXPECT_EQ(six(2), (std::vector<int>{2, -11, 108, 36, -8, 1}));
  EXPECT_EQ(six(4), (std::vector<int>{3, -16, 77, 77, -16, 3}));
  // §18.3: the filter for 8 - k is the filter for k reversed.
  for (int k = 1; k < 8; ++k) {
    for (int t = 0; t < 6; ++t) EXPECT_EQ(kSixtapTaps[k][t], kSixtapTaps[8 - k][5 - t]);
  }
  for (int k = 0; k < 8; ++k) {
    EXPECT_EQ(kBilinearTaps[k][0], 128 - 16 * k);
    EXPECT_EQ(kBilinearTaps[k][1], 16 * k);
  }
}

}  // namespace
}  // namespace xc::vp8
