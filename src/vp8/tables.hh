// VP8 constant tables: trees, probabilities, quantizer, zigzag, bands, filters (RFC 6386 §8-18).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "vp8/enums.hh"

namespace xc::vp8 {

// -----------------------------------------------------------------------------
// Trees (§8.1). Entries come in pairs (0-branch, 1-branch). A positive entry is the index of the
// next pair; an entry <= 0 is a leaf holding -value (leaf value 0 is stored as 0, which cannot be
// confused with a pair index because index 0 is the root and is never a child). A reader starts at
// i = 0 and repeats i = tree[i + read_bool(probs[i >> 1])] while i > 0, so probs has one entry per
// pair. Leaves hold OUR enum values (enums.hh), which differ from the RFC's local enums for mv_ref
// and sub_mv_ref; the bit strings are the RFC's.
// -----------------------------------------------------------------------------
using TreeIndex = int8_t;

// §16.1 ymode_tree (inter frames; also §8.2):
// DC_PRED "0", V_PRED "100", H_PRED "101", TM_PRED "110", B_PRED "111".
inline constexpr std::array<TreeIndex, 2 * (kNumYModes - 1)> kYModeTree = {
    -DC_PRED, 2, 4, 6, -V_PRED, -H_PRED, -TM_PRED, -B_PRED};

// §11.2 kf_ymode_tree (key frames; also §8.2):
// B_PRED "0", DC_PRED "100", V_PRED "101", H_PRED "110", TM_PRED "111".
inline constexpr std::array<TreeIndex, 2 * (kNumYModes - 1)> kKfYModeTree = {
    -B_PRED, 2, 4, 6, -DC_PRED, -V_PRED, -H_PRED, -TM_PRED};

// §11.4 uv_mode_tree (key and inter frames): DC_PRED "0", V_PRED "10", H_PRED "110", TM_PRED "111".
inline constexpr std::array<TreeIndex, 2 * (kNumUvModes - 1)> kUvModeTree = {
    -DC_PRED, 2, -V_PRED, 4, -H_PRED, -TM_PRED};

// §11.2 bmode_tree (intra subblock modes, key and inter frames): DC "0", TM "10", VE "110",
// HE "11100", RD "111010", VR "111011", LD "11110", VL "111110", HD "1111110", HU "1111111".
// The RFC's comments give LD..HU one '1' too many; the tree entries themselves are the RFC's (and
// libvpx's), and the codes above are what they produce.
// clang-format off
inline constexpr std::array<TreeIndex, 2 * (kNumIntraBModes - 1)> kBModeTree = {
    -B_DC_PRED, 2,            //
    -B_TM_PRED, 4,            //
    -B_VE_PRED, 6,            //
    8,          12,           //
    -B_HE_PRED, 10,           //
    -B_RD_PRED, -B_VR_PRED,   //
    -B_LD_PRED, 14,           //
    -B_VL_PRED, 16,           //
    -B_HD_PRED, -B_HU_PRED};
// clang-format on

// §9.3 / §10 mb_segment_tree: segment_id 0 "00", 1 "01", 2 "10", 3 "11".
inline constexpr std::array<TreeIndex, 2 * (4 - 1)> kMbSegmentTree = {2, 4, -0, -1, -2, -3};

// §16.2 mv_ref_tree: ZEROMV "0", NEARESTMV "10", NEARMV "110", NEWMV "1110", SPLITMV "1111".
// The RFC's mv_ref enum numbers these mv_nearest, mv_near, mv_zero, ...; our MbMode values are
// stored instead.
inline constexpr std::array<TreeIndex, 2 * (5 - 1)> kMvRefTree = {-ZEROMV, 2, -NEARESTMV, 4,
                                                                  -NEARMV, 6, -NEWMV,     -SPLITMV};

// §16.4 mvpartition_tree: MV_16 "0", MV_QUARTERS "10", MV_TOP_BOTTOM "110", MV_LEFT_RIGHT "111".
inline constexpr std::array<TreeIndex, 2 * (4 - 1)> kSplitMvTree = {
    -MV_16, 2, -MV_QUARTERS, 4, -MV_TOP_BOTTOM, -MV_LEFT_RIGHT};

// §16.4 sub_mv_ref_tree: LEFT4X4 "0", ABOVE4X4 "10", ZERO4X4 "110", NEW4X4 "111" (BMode values).
inline constexpr std::array<TreeIndex, 2 * (4 - 1)> kSubMvRefTree = {-LEFT4X4, 2,        -ABOVE4X4,
                                                                     4,        -ZERO4X4, -NEW4X4};

// §17.1 small_mvtree: magnitudes 0..7 coded as their 3-bit binary value ("000" .. "111").
inline constexpr std::array<TreeIndex, 2 * (8 - 1)> kSmallMvTree = {2,  8,  4,  6,  -0, -1, -2,
                                                                    -3, 10, 12, -4, -5, -6, -7};

// §13.2 coeff_tree: dct_eob "0", DCT_0 "10", DCT_1 "110", DCT_2 "11100", DCT_3 "111010",
// DCT_4 "111011", cat1 "111100", cat2 "111101", cat3 "1111100", cat4 "1111101", cat5 "1111110",
// cat6 "1111111". After a DCT_0 the reader starts at index 2, skipping the dct_eob branch (§13.2).
// clang-format off
inline constexpr std::array<TreeIndex, 2 * (kNumTokens - 1)> kCoeffTree = {
    -dct_eob,  2,          //
    -DCT_0,    4,          //
    -DCT_1,    6,          //
    8,         12,         //
    -DCT_2,    10,         //
    -DCT_3,    -DCT_4,     //
    14,        16,         //
    -dct_cat1, -dct_cat2,  //
    18,        20,         //
    -dct_cat3, -dct_cat4,  //
    -dct_cat5, -dct_cat6};
// clang-format on

// -----------------------------------------------------------------------------
// Mode probabilities (§11, §16). Each list has one probability per tree pair, in pair order.
// -----------------------------------------------------------------------------

// §11.2 kf_ymode_prob: fixed key-frame probabilities for kKfYModeTree.
inline constexpr std::array<uint8_t, kNumYModes - 1> kKfYModeProbs = {145, 156, 163, 128};

// §11.4 kf_uv_mode_prob: fixed key-frame probabilities for kUvModeTree.
inline constexpr std::array<uint8_t, kNumUvModes - 1> kKfUvModeProbs = {142, 114, 183};

// §11.5 kf_bmode_prob: fixed key-frame probabilities for kBModeTree, indexed
// [BMode of the subblock above][BMode of the subblock to the left][tree pair], modes 0..9.
// clang-format off
inline constexpr std::array<std::array<std::array<uint8_t, kNumIntraBModes - 1>, kNumIntraBModes>,
                            kNumIntraBModes>
    kKfBModeProbs = {{
  {{  // above = B_DC_PRED
    {231, 120,  48,  89, 115, 113, 120, 152, 112},  // left = B_DC_PRED
    {152, 179,  64, 126, 170, 118,  46,  70,  95},  // left = B_TM_PRED
    {175,  69, 143,  80,  85,  82,  72, 155, 103},  // left = B_VE_PRED
    { 56,  58,  10, 171, 218, 189,  17,  13, 152},  // left = B_HE_PRED
    {144,  71,  10,  38, 171, 213, 144,  34,  26},  // left = B_LD_PRED
    {114,  26,  17, 163,  44, 195,  21,  10, 173},  // left = B_RD_PRED
    {121,  24,  80, 195,  26,  62,  44,  64,  85},  // left = B_VR_PRED
    {170,  46,  55,  19, 136, 160,  33, 206,  71},  // left = B_VL_PRED
    { 63,  20,   8, 114, 114, 208,  12,   9, 226},  // left = B_HD_PRED
    { 81,  40,  11,  96, 182,  84,  29,  16,  36},  // left = B_HU_PRED
  }},
  {{  // above = B_TM_PRED
    {134, 183,  89, 137,  98, 101, 106, 165, 148},  // left = B_DC_PRED
    { 72, 187, 100, 130, 157, 111,  32,  75,  80},  // left = B_TM_PRED
    { 66, 102, 167,  99,  74,  62,  40, 234, 128},  // left = B_VE_PRED
    { 41,  53,   9, 178, 241, 141,  26,   8, 107},  // left = B_HE_PRED
    {104,  79,  12,  27, 217, 255,  87,  17,   7},  // left = B_LD_PRED
    { 74,  43,  26, 146,  73, 166,  49,  23, 157},  // left = B_RD_PRED
    { 65,  38, 105, 160,  51,  52,  31, 115, 128},  // left = B_VR_PRED
    { 87,  68,  71,  44, 114,  51,  15, 186,  23},  // left = B_VL_PRED
    { 47,  41,  14, 110, 182, 183,  21,  17, 194},  // left = B_HD_PRED
    { 66,  45,  25, 102, 197, 189,  23,  18,  22},  // left = B_HU_PRED
  }},
  {{  // above = B_VE_PRED
    { 88,  88, 147, 150,  42,  46,  45, 196, 205},  // left = B_DC_PRED
    { 43,  97, 183, 117,  85,  38,  35, 179,  61},  // left = B_TM_PRED
    { 39,  53, 200,  87,  26,  21,  43, 232, 171},  // left = B_VE_PRED
    { 56,  34,  51, 104, 114, 102,  29,  93,  77},  // left = B_HE_PRED
    {107,  54,  32,  26,  51,   1,  81,  43,  31},  // left = B_LD_PRED
    { 39,  28,  85, 171,  58, 165,  90,  98,  64},  // left = B_RD_PRED
    { 34,  22, 116, 206,  23,  34,  43, 166,  73},  // left = B_VR_PRED
    { 68,  25, 106,  22,  64, 171,  36, 225, 114},  // left = B_VL_PRED
    { 34,  19,  21, 102, 132, 188,  16,  76, 124},  // left = B_HD_PRED
    { 62,  18,  78,  95,  85,  57,  50,  48,  51},  // left = B_HU_PRED
  }},
  {{  // above = B_HE_PRED
    {193, 101,  35, 159, 215, 111,  89,  46, 111},  // left = B_DC_PRED
    { 60, 148,  31, 172, 219, 228,  21,  18, 111},  // left = B_TM_PRED
    {112, 113,  77,  85, 179, 255,  38, 120, 114},  // left = B_VE_PRED
    { 40,  42,   1, 196, 245, 209,  10,  25, 109},  // left = B_HE_PRED
    {100,  80,   8,  43, 154,   1,  51,  26,  71},  // left = B_LD_PRED
    { 88,  43,  29, 140, 166, 213,  37,  43, 154},  // left = B_RD_PRED
    { 61,  63,  30, 155,  67,  45,  68,   1, 209},  // left = B_VR_PRED
    {142,  78,  78,  16, 255, 128,  34, 197, 171},  // left = B_VL_PRED
    { 41,  40,   5, 102, 211, 183,   4,   1, 221},  // left = B_HD_PRED
    { 51,  50,  17, 168, 209, 192,  23,  25,  82},  // left = B_HU_PRED
  }},
  {{  // above = B_LD_PRED
    {125,  98,  42,  88, 104,  85, 117, 175,  82},  // left = B_DC_PRED
    { 95,  84,  53,  89, 128, 100, 113, 101,  45},  // left = B_TM_PRED
    { 75,  79, 123,  47,  51, 128,  81, 171,   1},  // left = B_VE_PRED
    { 57,  17,   5,  71, 102,  57,  53,  41,  49},  // left = B_HE_PRED
    {115,  21,   2,  10, 102, 255, 166,  23,   6},  // left = B_LD_PRED
    { 38,  33,  13, 121,  57,  73,  26,   1,  85},  // left = B_RD_PRED
    { 41,  10,  67, 138,  77, 110,  90,  47, 114},  // left = B_VR_PRED
    {101,  29,  16,  10,  85, 128, 101, 196,  26},  // left = B_VL_PRED
    { 57,  18,  10, 102, 102, 213,  34,  20,  43},  // left = B_HD_PRED
    {117,  20,  15,  36, 163, 128,  68,   1,  26},  // left = B_HU_PRED
  }},
  {{  // above = B_RD_PRED
    {138,  31,  36, 171,  27, 166,  38,  44, 229},  // left = B_DC_PRED
    { 67,  87,  58, 169,  82, 115,  26,  59, 179},  // left = B_TM_PRED
    { 63,  59,  90, 180,  59, 166,  93,  73, 154},  // left = B_VE_PRED
    { 40,  40,  21, 116, 143, 209,  34,  39, 175},  // left = B_HE_PRED
    { 57,  46,  22,  24, 128,   1,  54,  17,  37},  // left = B_LD_PRED
    { 47,  15,  16, 183,  34, 223,  49,  45, 183},  // left = B_RD_PRED
    { 46,  17,  33, 183,   6,  98,  15,  32, 183},  // left = B_VR_PRED
    { 65,  32,  73, 115,  28, 128,  23, 128, 205},  // left = B_VL_PRED
    { 40,   3,   9, 115,  51, 192,  18,   6, 223},  // left = B_HD_PRED
    { 87,  37,   9, 115,  59,  77,  64,  21,  47},  // left = B_HU_PRED
  }},
  {{  // above = B_VR_PRED
    {104,  55,  44, 218,   9,  54,  53, 130, 226},  // left = B_DC_PRED
    { 64,  90,  70, 205,  40,  41,  23,  26,  57},  // left = B_TM_PRED
    { 54,  57, 112, 184,   5,  41,  38, 166, 213},  // left = B_VE_PRED
    { 30,  34,  26, 133, 152, 116,  10,  32, 134},  // left = B_HE_PRED
    { 75,  32,  12,  51, 192, 255, 160,  43,  51},  // left = B_LD_PRED
    { 39,  19,  53, 221,  26, 114,  32,  73, 255},  // left = B_RD_PRED
    { 31,   9,  65, 234,   2,  15,   1, 118,  73},  // left = B_VR_PRED
    { 88,  31,  35,  67, 102,  85,  55, 186,  85},  // left = B_VL_PRED
    { 56,  21,  23, 111,  59, 205,  45,  37, 192},  // left = B_HD_PRED
    { 55,  38,  70, 124,  73, 102,   1,  34,  98},  // left = B_HU_PRED
  }},
  {{  // above = B_VL_PRED
    {102,  61,  71,  37,  34,  53,  31, 243, 192},  // left = B_DC_PRED
    { 69,  60,  71,  38,  73, 119,  28, 222,  37},  // left = B_TM_PRED
    { 68,  45, 128,  34,   1,  47,  11, 245, 171},  // left = B_VE_PRED
    { 62,  17,  19,  70, 146,  85,  55,  62,  70},  // left = B_HE_PRED
    { 75,  15,   9,   9,  64, 255, 184, 119,  16},  // left = B_LD_PRED
    { 37,  43,  37, 154, 100, 163,  85, 160,   1},  // left = B_RD_PRED
    { 63,   9,  92, 136,  28,  64,  32, 201,  85},  // left = B_VR_PRED
    { 86,   6,  28,   5,  64, 255,  25, 248,   1},  // left = B_VL_PRED
    { 56,   8,  17, 132, 137, 255,  55, 116, 128},  // left = B_HD_PRED
    { 58,  15,  20,  82, 135,  57,  26, 121,  40},  // left = B_HU_PRED
  }},
  {{  // above = B_HD_PRED
    {164,  50,  31, 137, 154, 133,  25,  35, 218},  // left = B_DC_PRED
    { 51, 103,  44, 131, 131, 123,  31,   6, 158},  // left = B_TM_PRED
    { 86,  40,  64, 135, 148, 224,  45, 183, 128},  // left = B_VE_PRED
    { 22,  26,  17, 131, 240, 154,  14,   1, 209},  // left = B_HE_PRED
    { 83,  12,  13,  54, 192, 255,  68,  47,  28},  // left = B_LD_PRED
    { 45,  16,  21,  91,  64, 222,   7,   1, 197},  // left = B_RD_PRED
    { 56,  21,  39, 155,  60, 138,  23, 102, 213},  // left = B_VR_PRED
    { 85,  26,  85,  85, 128, 128,  32, 146, 171},  // left = B_VL_PRED
    { 18,  11,   7,  63, 144, 171,   4,   4, 246},  // left = B_HD_PRED
    { 35,  27,  10, 146, 174, 171,  12,  26, 128},  // left = B_HU_PRED
  }},
  {{  // above = B_HU_PRED
    {190,  80,  35,  99, 180,  80, 126,  54,  45},  // left = B_DC_PRED
    { 85, 126,  47,  87, 176,  51,  41,  20,  32},  // left = B_TM_PRED
    {101,  75, 128, 139, 118, 146, 116, 128,  85},  // left = B_VE_PRED
    { 56,  41,  15, 176, 236,  85,  37,   9,  62},  // left = B_HE_PRED
    {146,  36,  19,  30, 171, 255,  97,  27,  20},  // left = B_LD_PRED
    { 71,  30,  17, 119, 118, 255,  17,  18, 138},  // left = B_RD_PRED
    {101,  38,  60, 138,  55,  70,  43,  26, 142},  // left = B_VR_PRED
    {138,  45,  61,  62, 219,   1,  81, 188,  64},  // left = B_VL_PRED
    { 32,  41,  20, 117, 151, 142,  20,  21, 163},  // left = B_HD_PRED
    {112,  19,  12,  61, 195, 128,  48,   4,  24},  // left = B_HU_PRED
  }},
}};
// clang-format on

// §16.1 ymode_prob: inter-frame defaults for kYModeTree, restored on every key frame (§9.10/§16.1).
inline constexpr std::array<uint8_t, kNumYModes - 1> kDefaultYModeProbs = {112, 86, 140, 37};

// §16.1 uv_mode_prob: inter-frame defaults for kUvModeTree, restored on every key frame.
inline constexpr std::array<uint8_t, kNumUvModes - 1> kDefaultUvModeProbs = {162, 101, 204};

// §16.1 bmode_prob: fixed probabilities for kBModeTree in inter frames (no above/left context).
inline constexpr std::array<uint8_t, kNumIntraBModes - 1> kBModeProbs = {120, 90, 79,  133, 87,
                                                                         85,  80, 111, 151};

// §16.4 mvpartition_probs: fixed probabilities for kSplitMvTree.
inline constexpr std::array<uint8_t, 3> kMbSplitProbs = {110, 111, 150};

// §16.4 sub_mv_ref_prob: probabilities for kSubMvRefTree, indexed [context][tree pair]. The context
// compares the left (L) and above (A) subblock motion vectors, tested in this order (vp8_mvCont):
//   4 = L == A and both zero, 3 = L == A, 2 = A is zero, 1 = L is zero, 0 = otherwise.
inline constexpr std::array<std::array<uint8_t, 3>, 5> kSubMvRefProbs = {{
    {147, 136, 18},  // 0: normal
    {106, 145, 1},   // 1: left zero
    {179, 121, 1},   // 2: above zero
    {223, 1, 34},    // 3: left == above
    {208, 1, 1},     // 4: left == above == zero
}};

// §16.3 vp8_mode_contexts: probabilities for kMvRefTree, indexed [census count 0..5][tree pair
// 0..3]; pair i takes its probability from row cnt[i] of the near-MV census (vp8_mv_ref_probs).
inline constexpr std::array<std::array<uint8_t, 4>, 6> kModeContexts = {{
    {7, 1, 1, 143},
    {14, 18, 14, 107},
    {135, 64, 57, 68},
    {60, 56, 128, 65},
    {159, 134, 128, 34},
    {234, 188, 128, 28},
}};

// -----------------------------------------------------------------------------
// Motion vector probabilities (§17.2), indexed [component][probability]: component 0 is the row
// (vertical), 1 the column (horizontal). Per component: [0] is_short, [1] sign, [2..8] the seven
// pairs of kSmallMvTree, [9..18] the long-form bits 0..9.
// -----------------------------------------------------------------------------

// §17.2 default_mv_context: restored on every key frame.
// clang-format off
inline constexpr std::array<std::array<uint8_t, kNumMvProbs>, 2> kDefaultMvProbs = {{
  {162, 128,  // row (vertical): is_short, sign
   225, 146, 172, 147, 214, 39, 156,  // short tree
   128, 129, 132, 75, 145, 178, 206, 239, 254, 254},  // long bits 0..9
  {164, 128,  // column (horizontal): is_short, sign
   204, 170, 119, 235, 140, 230, 228,  // short tree
   128, 130, 130, 74, 148, 180, 203, 236, 254, 254},  // long bits 0..9
}};
// clang-format on

// §17.2 vp8_mv_update_probs: probability that each MV probability is updated in a frame header.
// clang-format off
inline constexpr std::array<std::array<uint8_t, kNumMvProbs>, 2> kMvUpdateProbs = {{
  {237, 246,  // row (vertical): is_short, sign
   253, 253, 254, 254, 254, 254, 254,  // short tree
   254, 254, 254, 254, 254, 250, 250, 252, 254, 254},  // long bits 0..9
  {231, 243,  // column (horizontal): is_short, sign
   245, 253, 254, 254, 254, 254, 254,  // short tree
   254, 254, 254, 254, 254, 251, 251, 254, 254, 254},  // long bits 0..9
}};
// clang-format on

// -----------------------------------------------------------------------------
// Coefficient tokens (§13).
// -----------------------------------------------------------------------------
template <typename T>
using CoeffTable = std::array<
    std::array<std::array<std::array<T, kNumEntropyNodes>, kNumPrevCoeffContexts>, kNumCoeffBands>,
    kNumBlockTypes>;

// §13.5 default_coeff_probs, indexed [BlockType][band (kCoeffBands)][context][kCoeffTree pair].
// The context (§13.3) of the first coefficient is how many of the above and left blocks had
// non-zero coefficients (0..2); after that it is 0 after a DCT_0, 1 after a magnitude 1 and 2 after
// a larger one. Restored on every key frame.
// clang-format off
inline constexpr CoeffTable<uint8_t> kDefaultCoeffProbs = {{
  {{  // block type 0: Y after Y2 (kBlockYAfterY2)
    {{  // band 0
      {128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128},  // ctx 0
      {128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128},  // ctx 1
      {128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128},  // ctx 2
    }},
    {{  // band 1
      {253, 136, 254, 255, 228, 219, 128, 128, 128, 128, 128},  // ctx 0
      {189, 129, 242, 255, 227, 213, 255, 219, 128, 128, 128},  // ctx 1
      {106, 126, 227, 252, 214, 209, 255, 255, 128, 128, 128},  // ctx 2
    }},
    {{  // band 2
      {  1,  98, 248, 255, 236, 226, 255, 255, 128, 128, 128},  // ctx 0
      {181, 133, 238, 254, 221, 234, 255, 154, 128, 128, 128},  // ctx 1
      { 78, 134, 202, 247, 198, 180, 255, 219, 128, 128, 128},  // ctx 2
    }},
    {{  // band 3
      {  1, 185, 249, 255, 243, 255, 128, 128, 128, 128, 128},  // ctx 0
      {184, 150, 247, 255, 236, 224, 128, 128, 128, 128, 128},  // ctx 1
      { 77, 110, 216, 255, 236, 230, 128, 128, 128, 128, 128},  // ctx 2
    }},
    {{  // band 4
      {  1, 101, 251, 255, 241, 255, 128, 128, 128, 128, 128},  // ctx 0
      {170, 139, 241, 252, 236, 209, 255, 255, 128, 128, 128},  // ctx 1
      { 37, 116, 196, 243, 228, 255, 255, 255, 128, 128, 128},  // ctx 2
    }},
    {{  // band 5
      {  1, 204, 254, 255, 245, 255, 128, 128, 128, 128, 128},  // ctx 0
      {207, 160, 250, 255, 238, 128, 128, 128, 128, 128, 128},  // ctx 1
      {102, 103, 231, 255, 211, 171, 128, 128, 128, 128, 128},  // ctx 2
    }},
    {{  // band 6
      {  1, 152, 252, 255, 240, 255, 128, 128, 128, 128, 128},  // ctx 0
      {177, 135, 243, 255, 234, 225, 128, 128, 128, 128, 128},  // ctx 1
      { 80, 129, 211, 255, 194, 224, 128, 128, 128, 128, 128},  // ctx 2
    }},
    {{  // band 7
      {  1,   1, 255, 128, 128, 128, 128, 128, 128, 128, 128},  // ctx 0
      {246,   1, 255, 128, 128, 128, 128, 128, 128, 128, 128},  // ctx 1
      {255, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128},  // ctx 2
    }},
  }},
  {{  // block type 1: Y2 (kBlockY2)
    {{  // band 0
      {198,  35, 237, 223, 193, 187, 162, 160, 145, 155,  62},  // ctx 0
      {131,  45, 198, 221, 172, 176, 220, 157, 252, 221,   1},  // ctx 1
      { 68,  47, 146, 208, 149, 167, 221, 162, 255, 223, 128},  // ctx 2
    }},
    {{  // band 1
      {  1, 149, 241, 255, 221, 224, 255, 255, 128, 128, 128},  // ctx 0
      {184, 141, 234, 253, 222, 220, 255, 199, 128, 128, 128},  // ctx 1
      { 81,  99, 181, 242, 176, 190, 249, 202, 255, 255, 128},  // ctx 2
    }},
    {{  // band 2
      {  1, 129, 232, 253, 214, 197, 242, 196, 255, 255, 128},  // ctx 0
      { 99, 121, 210, 250, 201, 198, 255, 202, 128, 128, 128},  // ctx 1
      { 23,  91, 163, 242, 170, 187, 247, 210, 255, 255, 128},  // ctx 2
    }},
    {{  // band 3
      {  1, 200, 246, 255, 234, 255, 128, 128, 128, 128, 128},  // ctx 0
      {109, 178, 241, 255, 231, 245, 255, 255, 128, 128, 128},  // ctx 1
      { 44, 130, 201, 253, 205, 192, 255, 255, 128, 128, 128},  // ctx 2
    }},
    {{  // band 4
      {  1, 132, 239, 251, 219, 209, 255, 165, 128, 128, 128},  // ctx 0
      { 94, 136, 225, 251, 218, 190, 255, 255, 128, 128, 128},  // ctx 1
      { 22, 100, 174, 245, 186, 161, 255, 199, 128, 128, 128},  // ctx 2
    }},
    {{  // band 5
      {  1, 182, 249, 255, 232, 235, 128, 128, 128, 128, 128},  // ctx 0
      {124, 143, 241, 255, 227, 234, 128, 128, 128, 128, 128},  // ctx 1
      { 35,  77, 181, 251, 193, 211, 255, 205, 128, 128, 128},  // ctx 2
    }},
    {{  // band 6
      {  1, 157, 247, 255, 236, 231, 255, 255, 128, 128, 128},  // ctx 0
      {121, 141, 235, 255, 225, 227, 255, 255, 128, 128, 128},  // ctx 1
      { 45,  99, 188, 251, 195, 217, 255, 224, 128, 128, 128},  // ctx 2
    }},
    {{  // band 7
      {  1,   1, 251, 255, 213, 255, 128, 128, 128, 128, 128},  // ctx 0
      {203,   1, 248, 255, 255, 128, 128, 128, 128, 128, 128},  // ctx 1
      {137,   1, 177, 255, 224, 255, 128, 128, 128, 128, 128},  // ctx 2
    }},
  }},
  {{  // block type 2: U and V (kBlockUV)
    {{  // band 0
      {253,   9, 248, 251, 207, 208, 255, 192, 128, 128, 128},  // ctx 0
      {175,  13, 224, 243, 193, 185, 249, 198, 255, 255, 128},  // ctx 1
      { 73,  17, 171, 221, 161, 179, 236, 167, 255, 234, 128},  // ctx 2
    }},
    {{  // band 1
      {  1,  95, 247, 253, 212, 183, 255, 255, 128, 128, 128},  // ctx 0
      {239,  90, 244, 250, 211, 209, 255, 255, 128, 128, 128},  // ctx 1
      {155,  77, 195, 248, 188, 195, 255, 255, 128, 128, 128},  // ctx 2
    }},
    {{  // band 2
      {  1,  24, 239, 251, 218, 219, 255, 205, 128, 128, 128},  // ctx 0
      {201,  51, 219, 255, 196, 186, 128, 128, 128, 128, 128},  // ctx 1
      { 69,  46, 190, 239, 201, 218, 255, 228, 128, 128, 128},  // ctx 2
    }},
    {{  // band 3
      {  1, 191, 251, 255, 255, 128, 128, 128, 128, 128, 128},  // ctx 0
      {223, 165, 249, 255, 213, 255, 128, 128, 128, 128, 128},  // ctx 1
      {141, 124, 248, 255, 255, 128, 128, 128, 128, 128, 128},  // ctx 2
    }},
    {{  // band 4
      {  1,  16, 248, 255, 255, 128, 128, 128, 128, 128, 128},  // ctx 0
      {190,  36, 230, 255, 236, 255, 128, 128, 128, 128, 128},  // ctx 1
      {149,   1, 255, 128, 128, 128, 128, 128, 128, 128, 128},  // ctx 2
    }},
    {{  // band 5
      {  1, 226, 255, 128, 128, 128, 128, 128, 128, 128, 128},  // ctx 0
      {247, 192, 255, 128, 128, 128, 128, 128, 128, 128, 128},  // ctx 1
      {240, 128, 255, 128, 128, 128, 128, 128, 128, 128, 128},  // ctx 2
    }},
    {{  // band 6
      {  1, 134, 252, 255, 255, 128, 128, 128, 128, 128, 128},  // ctx 0
      {213,  62, 250, 255, 255, 128, 128, 128, 128, 128, 128},  // ctx 1
      { 55,  93, 255, 128, 128, 128, 128, 128, 128, 128, 128},  // ctx 2
    }},
    {{  // band 7
      {128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128},  // ctx 0
      {128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128},  // ctx 1
      {128, 128, 128, 128, 128, 128, 128, 128, 128, 128, 128},  // ctx 2
    }},
  }},
  {{  // block type 3: Y with DC (kBlockYWithDc)
    {{  // band 0
      {202,  24, 213, 235, 186, 191, 220, 160, 240, 175, 255},  // ctx 0
      {126,  38, 182, 232, 169, 184, 228, 174, 255, 187, 128},  // ctx 1
      { 61,  46, 138, 219, 151, 178, 240, 170, 255, 216, 128},  // ctx 2
    }},
    {{  // band 1
      {  1, 112, 230, 250, 199, 191, 247, 159, 255, 255, 128},  // ctx 0
      {166, 109, 228, 252, 211, 215, 255, 174, 128, 128, 128},  // ctx 1
      { 39,  77, 162, 232, 172, 180, 245, 178, 255, 255, 128},  // ctx 2
    }},
    {{  // band 2
      {  1,  52, 220, 246, 198, 199, 249, 220, 255, 255, 128},  // ctx 0
      {124,  74, 191, 243, 183, 193, 250, 221, 255, 255, 128},  // ctx 1
      { 24,  71, 130, 219, 154, 170, 243, 182, 255, 255, 128},  // ctx 2
    }},
    {{  // band 3
      {  1, 182, 225, 249, 219, 240, 255, 224, 128, 128, 128},  // ctx 0
      {149, 150, 226, 252, 216, 205, 255, 171, 128, 128, 128},  // ctx 1
      { 28, 108, 170, 242, 183, 194, 254, 223, 255, 255, 128},  // ctx 2
    }},
    {{  // band 4
      {  1,  81, 230, 252, 204, 203, 255, 192, 128, 128, 128},  // ctx 0
      {123, 102, 209, 247, 188, 196, 255, 233, 128, 128, 128},  // ctx 1
      { 20,  95, 153, 243, 164, 173, 255, 203, 128, 128, 128},  // ctx 2
    }},
    {{  // band 5
      {  1, 222, 248, 255, 216, 213, 128, 128, 128, 128, 128},  // ctx 0
      {168, 175, 246, 252, 235, 205, 255, 255, 128, 128, 128},  // ctx 1
      { 47, 116, 215, 255, 211, 212, 255, 255, 128, 128, 128},  // ctx 2
    }},
    {{  // band 6
      {  1, 121, 236, 253, 212, 214, 255, 255, 128, 128, 128},  // ctx 0
      {141,  84, 213, 252, 201, 202, 255, 219, 128, 128, 128},  // ctx 1
      { 42,  80, 160, 240, 162, 185, 255, 205, 128, 128, 128},  // ctx 2
    }},
    {{  // band 7
      {  1,   1, 255, 128, 128, 128, 128, 128, 128, 128, 128},  // ctx 0
      {244,   1, 255, 128, 128, 128, 128, 128, 128, 128, 128},  // ctx 1
      {238,   1, 255, 128, 128, 128, 128, 128, 128, 128, 128},  // ctx 2
    }},
  }},
}};
// clang-format on

// §13.4 coeff_update_probs: probability that the matching coeff_probs entry is updated in a frame
// header; same indexing as kDefaultCoeffProbs.
// clang-format off
inline constexpr CoeffTable<uint8_t> kCoeffUpdateProbs = {{
  {{  // block type 0: Y after Y2 (kBlockYAfterY2)
    {{  // band 0
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 1
      {176, 246, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {223, 241, 252, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {249, 253, 253, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 2
      {255, 244, 252, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {234, 254, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {253, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 3
      {255, 246, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {239, 253, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {254, 255, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 4
      {255, 248, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {251, 255, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 5
      {255, 253, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {251, 254, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {254, 255, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 6
      {255, 254, 253, 255, 254, 255, 255, 255, 255, 255, 255},  // ctx 0
      {250, 255, 254, 255, 254, 255, 255, 255, 255, 255, 255},  // ctx 1
      {254, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 7
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
  }},
  {{  // block type 1: Y2 (kBlockY2)
    {{  // band 0
      {217, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {225, 252, 241, 253, 255, 255, 254, 255, 255, 255, 255},  // ctx 1
      {234, 250, 241, 250, 253, 255, 253, 254, 255, 255, 255},  // ctx 2
    }},
    {{  // band 1
      {255, 254, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {223, 254, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {238, 253, 254, 254, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 2
      {255, 248, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {249, 254, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 3
      {255, 253, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {247, 254, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 4
      {255, 253, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {252, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 5
      {255, 254, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {253, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 6
      {255, 254, 253, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {250, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {254, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 7
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
  }},
  {{  // block type 2: U and V (kBlockUV)
    {{  // band 0
      {186, 251, 250, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {234, 251, 244, 254, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {251, 251, 243, 253, 254, 255, 254, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 1
      {255, 253, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {236, 253, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {251, 253, 253, 254, 254, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 2
      {255, 254, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {254, 254, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 3
      {255, 254, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {254, 254, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {254, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 4
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {254, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 5
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 6
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 7
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
  }},
  {{  // block type 3: Y with DC (kBlockYWithDc)
    {{  // band 0
      {248, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {250, 254, 252, 254, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {248, 254, 249, 253, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 1
      {255, 253, 253, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {246, 253, 253, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {252, 254, 251, 254, 254, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 2
      {255, 254, 252, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {248, 254, 253, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {253, 255, 254, 254, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 3
      {255, 251, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {245, 251, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {253, 253, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 4
      {255, 251, 253, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {252, 253, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {255, 254, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 5
      {255, 252, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {249, 255, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {255, 255, 254, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 6
      {255, 255, 253, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {250, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
    {{  // band 7
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 0
      {254, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 1
      {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},  // ctx 2
    }},
  }},
}};
// clang-format on

// §13.2 extra bits of dct_cat1..dct_cat6 (Pcat1..Pcat6), indexed [token - dct_cat1]. The extra
// value is read most significant bit first, one bool per probability, and added to kDctCatBase.
struct DctCatProbs {
  uint8_t num_bits;               // how many extra bits (entries of probs in use)
  std::array<uint8_t, 11> probs;  // entries past num_bits are 0, as the RFC's terminators
};
inline constexpr std::array<DctCatProbs, 6> kDctCatProbs = {{
    {1, {159}},
    {2, {165, 145}},
    {3, {173, 148, 140}},
    {4, {176, 155, 140, 135}},
    {5, {180, 157, 141, 134, 130}},
    {11, {254, 254, 243, 230, 196, 177, 153, 140, 133, 130, 129}},
}};

// §13.2 smallest magnitude of dct_cat1..dct_cat6, indexed [token - dct_cat1].
inline constexpr std::array<int16_t, 6> kDctCatBase = {5, 7, 11, 19, 35, 67};

// §13.3 coeff_bands: band of each coefficient position 0..15 (in scan order). Entry 16 is a
// sentinel so a decoder may look up the band of position i + 1 after the last coefficient without a
// branch; its value is never used for a probability, and 0 matches what other decoders store.
inline constexpr std::array<uint8_t, 17> kCoeffBands = {0, 1, 2, 3, 6, 4, 5, 6, 6,
                                                        6, 6, 6, 6, 6, 6, 7, 0};

// Zig-zag scan (§13, table from the reference decoder tokens.c, §20.16): kZigzag[i] is the raster
// position (row * 4 + column) within the 4x4 block of the i-th coefficient in bitstream order.
inline constexpr std::array<uint8_t, 16> kZigzag = {0, 1,  4,  8,  5, 2,  3,  6,
                                                    9, 12, 13, 10, 7, 11, 14, 15};

// -----------------------------------------------------------------------------
// Quantizer (§14.1 dc_qlookup, ac_qlookup), indexed by the clamped quantizer index 0..127. These
// are the Y1 factors; Y2 and chroma scale or clamp them (§14.1, dixie.c §20.4).
// -----------------------------------------------------------------------------
// clang-format off
inline constexpr std::array<int16_t, 128> kDcQLookup = {
    4,   5,   6,   7,   8,   9,  10,  10,  11,  12,  13,  14,  15,  16,  17,  17,  // 0..15
   18,  19,  20,  20,  21,  21,  22,  22,  23,  23,  24,  25,  25,  26,  27,  28,  // 16..31
   29,  30,  31,  32,  33,  34,  35,  36,  37,  37,  38,  39,  40,  41,  42,  43,  // 32..47
   44,  45,  46,  46,  47,  48,  49,  50,  51,  52,  53,  54,  55,  56,  57,  58,  // 48..63
   59,  60,  61,  62,  63,  64,  65,  66,  67,  68,  69,  70,  71,  72,  73,  74,  // 64..79
   75,  76,  76,  77,  78,  79,  80,  81,  82,  83,  84,  85,  86,  87,  88,  89,  // 80..95
   91,  93,  95,  96,  98, 100, 101, 102, 104, 106, 108, 110, 112, 114, 116, 118,  // 96..111
  122, 124, 126, 128, 130, 132, 134, 136, 138, 140, 143, 145, 148, 151, 154, 157,  // 112..127
};
// clang-format on

// clang-format off
inline constexpr std::array<int16_t, 128> kAcQLookup = {
    4,   5,   6,   7,   8,   9,  10,  11,  12,  13,  14,  15,  16,  17,  18,  19,  // 0..15
   20,  21,  22,  23,  24,  25,  26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  // 16..31
   36,  37,  38,  39,  40,  41,  42,  43,  44,  45,  46,  47,  48,  49,  50,  51,  // 32..47
   52,  53,  54,  55,  56,  57,  58,  60,  62,  64,  66,  68,  70,  72,  74,  76,  // 48..63
   78,  80,  82,  84,  86,  88,  90,  92,  94,  96,  98, 100, 102, 104, 106, 108,  // 64..79
  110, 112, 114, 116, 119, 122, 125, 128, 131, 134, 137, 140, 143, 146, 149, 152,  // 80..95
  155, 158, 161, 164, 167, 170, 173, 177, 181, 185, 189, 193, 197, 201, 205, 209,  // 96..111
  213, 217, 221, 225, 229, 234, 239, 245, 249, 254, 259, 264, 269, 274, 279, 284,  // 112..127
};
// clang-format on

// -----------------------------------------------------------------------------
// Split MV layouts (§16.4).
// -----------------------------------------------------------------------------

// kMbSplits[partitioning][subblock] is the part (motion vector index) of each 4x4 luma subblock in
// raster order, indexed by SplitMvPartition (the layouts in the §16.4 MVpartition comments; the
// same table is mv_partitions in modemv_data.h, §20.13).
inline constexpr std::array<std::array<uint8_t, 16>, 4> kMbSplits = {{
    {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1},        // MV_TOP_BOTTOM
    {0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1},        // MV_LEFT_RIGHT
    {0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3},        // MV_QUARTERS
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},  // MV_16
}};

// Number of parts (motion vectors coded) of each partitioning, indexed by SplitMvPartition.
inline constexpr std::array<uint8_t, 4> kMbSplitCounts = {2, 2, 4, 16};

// The sub-pixel interpolation filters (§18.3) live in the DSP layer, which applies them:
// vp8/dsp/dsp_internal.hh.

// -----------------------------------------------------------------------------
// Compile-time checks.
// -----------------------------------------------------------------------------
namespace tables_detail {

// A tree is well formed when every pair other than the root is the child of exactly one earlier
// entry, every child index is even, and no leaf value repeats. Then it has size / 2 + 1 leaves.
template <std::size_t N>
constexpr bool tree_is_well_formed(const std::array<TreeIndex, N>& tree) {
  if (N == 0 || N % 2 != 0) return false;
  std::array<int, N> parents{};
  std::array<bool, 128> leaf_seen{};
  for (std::size_t i = 0; i < N; ++i) {
    const int v = tree[i];
    if (v > 0) {
      if (v % 2 != 0 || static_cast<std::size_t>(v) >= N || static_cast<std::size_t>(v) <= i) {
        return false;
      }
      ++parents[v];
    } else {
      if (leaf_seen[-v]) return false;
      leaf_seen[-v] = true;
    }
  }
  for (std::size_t p = 2; p < N; p += 2) {
    if (parents[p] != 1) return false;
  }
  return true;
}

// True when every scalar in a (nested) std::array lies in [lo, hi].
template <typename T>
constexpr bool all_within(const T& value, int lo, int hi) {
  if constexpr (std::is_arithmetic_v<T>) {
    return lo <= value && value <= hi;
  } else {
    for (const auto& element : value) {
      if (!all_within(element, lo, hi)) return false;
    }
    return true;
  }
}

template <std::size_t N>
constexpr bool is_non_decreasing(const std::array<int16_t, N>& values) {
  for (std::size_t i = 1; i < N; ++i) {
    if (values[i] < values[i - 1]) return false;
  }
  return true;
}


constexpr bool dct_cats_consistent() {
  for (std::size_t c = 0; c < kDctCatProbs.size(); ++c) {
    const DctCatProbs& cat = kDctCatProbs[c];
    for (std::size_t i = 0; i < cat.probs.size(); ++i) {
      if ((i < cat.num_bits) != (cat.probs[i] != 0)) return false;
    }
    // Each category's range ends where the next begins (§13.2 token ranges).
    if (c + 1 < kDctCatProbs.size() && kDctCatBase[c] + (1 << cat.num_bits) != kDctCatBase[c + 1]) {
      return false;
    }
  }
  return true;
}

constexpr bool mb_splits_consistent() {
  for (std::size_t p = 0; p < kMbSplits.size(); ++p) {
    std::array<bool, 16> used{};
    for (const uint8_t part : kMbSplits[p]) {
      if (part >= kMbSplitCounts[p]) return false;
      used[part] = true;
    }
    for (std::size_t part = 0; part < kMbSplitCounts[p]; ++part) {
      if (!used[part]) return false;
    }
  }
  return true;
}

}  // namespace tables_detail

static_assert(kYModeTree.size() == 2 * (kNumYModes - 1));
static_assert(kKfYModeTree.size() == 2 * (kNumYModes - 1));
static_assert(kUvModeTree.size() == 2 * (kNumUvModes - 1));
static_assert(kBModeTree.size() == 2 * (kNumIntraBModes - 1));
static_assert(kMbSegmentTree.size() == 2 * (4 - 1));
static_assert(kMvRefTree.size() == 2 * ((SPLITMV - NEARESTMV + 1) - 1));
static_assert(kSplitMvTree.size() == 2 * (kMbSplitCounts.size() - 1));
static_assert(kSubMvRefTree.size() == 2 * ((kNumBModes - LEFT4X4) - 1));
static_assert(kSmallMvTree.size() == 2 * (8 - 1));
static_assert(kCoeffTree.size() == 2 * (kNumTokens - 1));
static_assert(tables_detail::tree_is_well_formed(kYModeTree));
static_assert(tables_detail::tree_is_well_formed(kKfYModeTree));
static_assert(tables_detail::tree_is_well_formed(kUvModeTree));
static_assert(tables_detail::tree_is_well_formed(kBModeTree));
static_assert(tables_detail::tree_is_well_formed(kMbSegmentTree));
static_assert(tables_detail::tree_is_well_formed(kMvRefTree));
static_assert(tables_detail::tree_is_well_formed(kSplitMvTree));
static_assert(tables_detail::tree_is_well_formed(kSubMvRefTree));
static_assert(tables_detail::tree_is_well_formed(kSmallMvTree));
static_assert(tables_detail::tree_is_well_formed(kCoeffTree));

// Probabilities: every table above was checked to hold no 0 (a bool can never have probability 0);
// 255 and 128 occur legitimately (update probabilities, unused coefficient contexts).
static_assert(tables_detail::all_within(kKfYModeProbs, 1, 255));
static_assert(tables_detail::all_within(kKfUvModeProbs, 1, 255));
static_assert(tables_detail::all_within(kKfBModeProbs, 1, 255));
static_assert(tables_detail::all_within(kDefaultYModeProbs, 1, 255));
static_assert(tables_detail::all_within(kDefaultUvModeProbs, 1, 255));
static_assert(tables_detail::all_within(kBModeProbs, 1, 255));
static_assert(tables_detail::all_within(kMbSplitProbs, 1, 255));
static_assert(tables_detail::all_within(kSubMvRefProbs, 1, 255));
static_assert(tables_detail::all_within(kModeContexts, 1, 255));
static_assert(tables_detail::all_within(kDefaultMvProbs, 1, 255));
static_assert(tables_detail::all_within(kMvUpdateProbs, 1, 255));
static_assert(tables_detail::all_within(kDefaultCoeffProbs, 1, 255));
static_assert(tables_detail::all_within(kCoeffUpdateProbs, 1, 255));
static_assert(tables_detail::dct_cats_consistent());
static_assert(kDctCatProbs[5].num_bits == 11 && kDctCatBase[5] == 67,
              "dct_cat6 covers 67..2114 with 11 extra bits");

static_assert(tables_detail::all_within(kCoeffBands, 0, kNumCoeffBands - 1));
static_assert(tables_detail::all_within(kZigzag, 0, 15));
static_assert(tables_detail::mb_splits_consistent());

static_assert(tables_detail::is_non_decreasing(kDcQLookup) && kDcQLookup.front() == 4 &&
              kDcQLookup.back() == 157);
static_assert(tables_detail::is_non_decreasing(kAcQLookup) && kAcQLookup.front() == 4 &&
              kAcQLookup.back() == 284);


}  // namespace xc::vp8
