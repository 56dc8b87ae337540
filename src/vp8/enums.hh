// Enumerations of the VP8 syntax, numbered as in RFC 6386 (§8.1, §11.2, §13, §16, §17).
#pragma once

#include <cstdint>

namespace xc::vp8 {

// Macroblock-level luma modes (§11.2 intra_mbmode, then §16.3 inter modes continuing the numbering).
enum MbMode : uint8_t {
  DC_PRED = 0,
  V_PRED = 1,
  H_PRED = 2,
  TM_PRED = 3,
  B_PRED = 4,
  NEARESTMV = 5,
  NEARMV = 6,
  ZEROMV = 7,
  NEWMV = 8,
  SPLITMV = 9,
  kNumMbModes = 10
};
constexpr int kNumYModes = 5;   // DC_PRED .. B_PRED
constexpr int kNumUvModes = 4;  // DC_PRED .. TM_PRED

// 4x4 subblock modes (§11.2 intra_bmode), then the split-MV subblock modes (§16.4 sub_mv_ref).
enum BMode : uint8_t {
  B_DC_PRED = 0,
  B_TM_PRED = 1,
  B_VE_PRED = 2,
  B_HE_PRED = 3,
  B_LD_PRED = 4,
  B_RD_PRED = 5,
  B_VR_PRED = 6,
  B_VL_PRED = 7,
  B_HD_PRED = 8,
  B_HU_PRED = 9,
  kNumIntraBModes = 10,
  LEFT4X4 = 10,
  ABOVE4X4 = 11,
  ZERO4X4 = 12,
  NEW4X4 = 13,
  kNumBModes = 14
};

// Split-MV partitionings (§16.4 mv_partition).
enum SplitMvPartition : uint8_t { MV_TOP_BOTTOM = 0, MV_LEFT_RIGHT = 1, MV_QUARTERS = 2, MV_16 = 3 };

// Reference frames (§9.7-9.8).
enum RefFrame : uint8_t { INTRA_FRAME = 0, LAST_FRAME = 1, GOLDEN_FRAME = 2, ALTREF_FRAME = 3 };
constexpr int kNumRefFrames = 4;

// DCT token alphabet (§13.2).
enum Token : uint8_t {
  DCT_0 = 0,
  DCT_1 = 1,
  DCT_2 = 2,
  DCT_3 = 3,
  DCT_4 = 4,
  dct_cat1 = 5,
  dct_cat2 = 6,
  dct_cat3 = 7,
  dct_cat4 = 8,
  dct_cat5 = 9,
  dct_cat6 = 10,
  dct_eob = 11,
  kNumTokens = 12
};

// Block types for coefficient probabilities (§13.3).
enum BlockType : uint8_t {
  kBlockYAfterY2 = 0,  // luma blocks whose DC is carried by Y2 (coefficients start at index 1)
  kBlockY2 = 1,
  kBlockUV = 2,
  kBlockYWithDc = 3,  // luma blocks of B_PRED / SPLITMV macroblocks
  kNumBlockTypes = 4
};
constexpr int kNumCoeffBands = 8;
constexpr int kNumPrevCoeffContexts = 3;
constexpr int kNumEntropyNodes = 11;

constexpr int kNumMvProbs = 19;  // per component: is_short, sign, 8 short tree, 10 long bits (§17.2)

}  // namespace xc::vp8
