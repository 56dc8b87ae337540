// The DSP interface: one table of kernels (RFC 6386 §12, §14, §15, §18, and the encoder's block
// metrics, forward DCT and quantizer), a scalar reference and optional SIMD versions selected once from the CPU's features.
//
// Conventions for every kernel:
//  - Pixels are uint8_t, `stride` is in bytes and may be negative-free but otherwise arbitrary; no
//    alignment is required.
//  - Coefficients are int16_t in raster order (row-major 4x4), already dequantized.
//  - Kernels never see the decoder state; edge rules (127/129, availability) are prepared by callers.
#pragma once

#include <cstdint>
#include <string>

namespace xc::vp8::dsp {

// Intra prediction modes as indices into Dsp::pred16 / Dsp::pred8 (RFC §12.2).
// The three extra DC variants cover the frame edges: DC from the above row only, from the left column
// only, or the constant 128 when neither exists.
enum IntraPredIndex : int {
  kPredDc = 0,
  kPredV = 1,
  kPredH = 2,
  kPredTm = 3,
  kPredDcTop = 4,   // left column unavailable
  kPredDcLeft = 5,  // above row unavailable
  kPredDc128 = 6,   // neither available
  kNumPredIndices = 7
};

// Block sizes for the inter-prediction filters.
enum BlockSize : int { kBlock16x16 = 0, kBlock8x8 = 1, kBlock8x4 = 2, kBlock4x4 = 3, kNumBlockSizes = 4 };
constexpr int kBlockWidth[kNumBlockSizes] = {16, 8, 8, 4};
constexpr int kBlockHeight[kNumBlockSizes] = {16, 8, 4, 4};

// Predicts an NxN block into dst. above[-1] is the top-left pixel, above[0..N-1] the row above,
// left[0..N-1] the column to the left (top to bottom). Reads nothing else.
using IntraPredFn = void (*)(uint8_t* dst, int stride, const uint8_t* above, const uint8_t* left);

// 4x4 luma subblock prediction, mode is the RFC's intra_bmode order (B_DC_PRED .. B_HU_PRED):
// above[-1] is the top-left pixel, above[0..3] the row above, above[4..7] the above-right pixels,
// left[0..3] the left column.
using SubblockPredFn = void (*)(uint8_t* dst, int stride, const uint8_t* above, const uint8_t* left);

// Adds the inverse DCT (RFC §14.4) of coeffs to the 4x4 block at dst, with saturation to 0..255
// (§14.5). Any int16 coefficients are allowed: every intermediate sum, the rounding term of the
// final shift included, wraps to 16 bits as in libvpx's x86 kernels (see dsp_c.cc); coeffs is not
// modified.
using IdctAddFn = void (*)(const int16_t coeffs[16], uint8_t* dst, int stride);
// Same for a block whose only non-zero coefficient is the DC: adds int16(dc + 4) >> 3 to every
// pixel, the value idct_add gives such a block.
using IdctDcAddFn = void (*)(int16_t dc, uint8_t* dst, int stride);
// The same for four horizontally adjacent blocks (a 16x4 area at dst), block i's DC in dc[i]:
// idct_dc_add(dc[i], dst + 4 * i, stride) for i = 0..3.
using IdctDcAddRowFn = void (*)(const int16_t dc[4], uint8_t* dst, int stride);
// Inverse Walsh-Hadamard transform (RFC §14.3) of the Y2 block; writes output i to out[16 * i], the
// DC position of luma block i in a [16][16] coefficient array. Sums wrap to 16 bits like idct_add's.
using IwhtFn = void (*)(const int16_t in[16], int16_t* out);

// Inter prediction of a block of size `size` (RFC §18): src points at the reference pixel that
// corresponds to the block's top-left full-pel position. mx, my are the fractional offsets in eighth
// pels (0..7; luma uses only even values). The six-tap filter reads src rows -2..h+2 and columns
// -2..w+2 (only when the corresponding fraction is non-zero); bilinear reads up to row h and column w.
// When mx == my == 0 the block is copied.
using InterPredFn = void (*)(uint8_t* dst, int dst_stride, const uint8_t* src, int src_stride, int mx,
                             int my);

// Loop filters (RFC §15). `p` points at the first pixel past the edge (q0). For *_hedge the edge is
// horizontal: p[-stride * k] are the pixels above it, p[stride * k] below, and `count` pixels along
// the edge are filtered (step 1). For *_vedge the edge is vertical: p[-k] left, p[k] right, `count`
// rows (step stride). edge_limit, interior_limit and hev_threshold are the RFC's values
// (edge_limit already combines the filter level and interior limit as in §15.2 / §15.3).
// Legal ranges (§15.4): edge_limit 0..193 (= (63 + 2) * 2 + 63), interior_limit 1..63,
// hev_threshold 0..3; `count` is a multiple of 8 (16 for luma, 8 for chroma). The normal filters
// read 4 pixels on each side of the edge and change at most 3 (MB) or 2 (subblock); the simple
// filter reads 2 and changes 1.
using NormalFilterFn = void (*)(uint8_t* p, int stride, int edge_limit, int interior_limit,
                                int hev_threshold, int count);
using SimpleFilterFn = void (*)(uint8_t* p, int stride, int edge_limit, int count);
// The three inner edges of a 16x16 luma macroblock whose top-left pixel is `p`, in the order §15.3
// filters them: for the vertical ones, inner_filter_vedge at columns 4, 8 and 12 (16 rows each); for
// the horizontal ones, inner_filter_hedge at rows 4, 8 and 12. Reads and writes only the macroblock.
using InnerEdgesFn = void (*)(uint8_t* p, int stride, int edge_limit, int interior_limit, int hev_threshold);
// The same edge of both chroma planes at once, with the same limits: exactly what the NormalFilterFn
// of that kind does with count 8 at u and then at v (which share `stride`). Eight segments of each
// plane fill one 16-lane register where the single-plane kernel would use half of one.
using ChromaFilterFn = void (*)(uint8_t* u, uint8_t* v, int stride, int edge_limit, int interior_limit,
                                int hev_threshold);
// A macroblock edge of all three planes with the same limits: exactly mb_filter_vedge (or _hedge)
// with count 16 at `y`, then mb_filter_vedge_uv (or _hedge_uv) at `u` and `v`. The planes do not
// overlap, so the order between them does not matter; a kernel may filter them together.
using MbEdgeYuvFn = void (*)(uint8_t* y, int y_stride, uint8_t* u, uint8_t* v, int uv_stride, int edge_limit,
                             int interior_limit, int hev_threshold);

// Encoder metrics (decoding never uses them). Sum of absolute differences and sum of squared
// differences of two blocks of size `size` (kBlockWidth x kBlockHeight), each with its own stride;
// they read exactly the two blocks. A 16x16 SSE is at most 255^2 * 256, well inside 32 bits.
using SadFn = uint32_t (*)(const uint8_t* a, int a_stride, const uint8_t* b, int b_stride);
using SseFn = uint32_t (*)(const uint8_t* a, int a_stride, const uint8_t* b, int b_stride);
// Sum of squared differences of two w x h areas of any size (w, h >= 0, w <= 16384), such as whole
// planes; reads exactly the two areas (nothing when w is 0, and then a and b may be null).
using SseAreaFn = uint64_t (*)(const uint8_t* a, int a_stride, const uint8_t* b, int b_stride, int w, int h);

// Forward DCT of the 4x4 residual src - pred (encoder; §14.3-14.4 in reverse) into coefficients in
// raster order, scaled so that idct_add adds the residual back within +-1 per pixel when they are
// not quantized. Reads the two 4x4 blocks only.
using FdctFn = void (*)(const uint8_t* src, int src_stride, const uint8_t* pred, int pred_stride, int16_t coeffs[16]);

// One quantizer step as a multiply and a shift (encoder; §14.1 in reverse): a coefficient c gives
// the level 0 when 128 |c| < zero_below, else min(((128 |c| + add) * reciprocal) >> 40, max_level)
// with the sign of c. Ranges: 0 <= zero_below, 0 <= add < 2^22, reciprocal < 2^34.
struct QuantizerStep {
  int32_t zero_below;
  int32_t add;
  uint64_t reciprocal;
};
// Quantizes a 4x4 block (raster order) with step `dc` at position 0 and `ac` elsewhere into
// `levels`; position 0 gets 0 when `first` is 1 (first is 0 or 1; 0 <= max_level <= 32767).
// Returns the mask of non-zero levels, bit i for raster position i.
using QuantizeFn = uint32_t (*)(const int16_t coeffs[16], const QuantizerStep& dc, const QuantizerStep& ac,
                                int first, int max_level, int16_t levels[16]);

struct Dsp {
  IntraPredFn pred16[kNumPredIndices];  // 16x16 luma
  IntraPredFn pred8[kNumPredIndices];   // 8x8 chroma
  SubblockPredFn pred4[10];             // 4x4 luma subblocks, B_DC_PRED .. B_HU_PRED

  IdctAddFn idct_add;
  IdctDcAddFn idct_dc_add;
  IdctDcAddRowFn idct_dc_add_row;
  IwhtFn iwht;

  InterPredFn sixtap[kNumBlockSizes];
  InterPredFn bilinear[kNumBlockSizes];

  NormalFilterFn mb_filter_hedge;     // macroblock edges (§15.3, the "MB" filter)
  NormalFilterFn mb_filter_vedge;
  NormalFilterFn inner_filter_hedge;  // subblock edges inside a macroblock (§15.3)
  NormalFilterFn inner_filter_vedge;
  SimpleFilterFn simple_filter_hedge;  // §15.2, luma only
  SimpleFilterFn simple_filter_vedge;
  ChromaFilterFn mb_filter_hedge_uv;  // the four above on U and V together
  ChromaFilterFn mb_filter_vedge_uv;
  ChromaFilterFn inner_filter_hedge_uv;
  ChromaFilterFn inner_filter_vedge_uv;
  InnerEdgesFn inner_filter_vedges;  // the three inner luma edges of a macroblock in one call
  InnerEdgesFn inner_filter_hedges;
  MbEdgeYuvFn mb_filter_vedge_yuv;  // mb_filter_vedge and mb_filter_vedge_uv in one call
  MbEdgeYuvFn mb_filter_hedge_yuv;

  SadFn sad[kNumBlockSizes];  // encoder: motion search
  SseFn sse[kNumBlockSizes];  // encoder: mode decision
  SseAreaFn sse_area;         // encoder: loop-filter level search, picture error
  FdctFn fdct;                // encoder: residual coding
  QuantizeFn quantize;        // encoder: residual coding

  const char* name;  // "c", "sse2", ...
};

// Instruction-set levels, lowest first.
enum class Isa : int { kScalar = 0, kSse2 = 1, kSsse3 = 2, kAvx2 = 3 };

// The scalar reference table.
const Dsp& scalar_dsp();
// The best table for this CPU, capped at `max_isa`. The environment variable XC_DSP_ISA
// (c, sse2, ssse3, avx2) lowers the cap further, for debugging and tests.
const Dsp& best_dsp(Isa max_isa = Isa::kAvx2);
// The table for exactly one level, or nullptr when the CPU or the build lacks it.
const Dsp* dsp_for(Isa isa);
// Highest level the CPU supports.
Isa cpu_isa();

}  // namespace xc::vp8::dsp
