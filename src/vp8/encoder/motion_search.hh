// Motion search for the encoder: integer-pel diamond search, then half- and quarter-pel refinement
// with the decoder's own interpolation filters (§18), scored by SAD plus the vector's approximate cost.
#pragma once

#include <cstdint>

#include "vp8/dsp/dsp.hh"
#include "vp8/modes.hh"
#include "vp8/raster.hh"

namespace xc::vp8::enc {

// Allowed vectors (eighth pels, inclusive), chosen so the decoder never has to clamp them.
struct MvBounds {
  int col_min, col_max, row_min, row_max;
  bool contains(const MotionVector& mv) const {
    return mv.col >= col_min && mv.col <= col_max && mv.row >= row_min && mv.row <= row_max;
  }
  // Vectors a macroblock may use without the decoder's border clamp, and whose NEWMV delta from
  // `base` stays codable.
  static MvBounds for_macroblock(const EdgeDistances& e, const MotionVector& base);
};

struct MotionSearchParams {
  int size = dsp::kBlock16x16;  // kBlock16x16 or kBlock8x8
  int range = 64;               // integer-pel search radius around the start vectors, in pixels
  int lambda = 4;               // weight of the vector's cost (approximate bits) against SAD
  bool sixtap = true;           // interpolation filter of the frame (version 0)
};

struct MotionSearchResult {
  MotionVector mv;
  int cost = 0;  // SAD + lambda * bits
  int sad = 0;
};

// Searches for the block of `src` (w x h pixels at `src`, row length src_stride) whose top-left luma
// position in the frame is (x, y), in `ref`. Starts from each of `starts` (and zero); vector costs are
// measured from `base` (the NEWMV predictor).
MotionSearchResult search_motion(const dsp::Dsp& dsp, const Plane& ref, const uint8_t* src, int src_stride, int x,
                                 int y, const MotionVector* starts, int num_starts, const MotionVector& base,
                                 const MvBounds& bounds, const MotionSearchParams& params);

// Approximate bits of a vector difference (for search decisions only).
int mv_bits(const MotionVector& mv, const MotionVector& base);

// Whether NEWMV (or NEW4X4) can code `mv` against `base`: a quarter-pel delta within the range the
// vector syntax reaches (§17).
bool new_mv_codable(const MotionVector& mv, const MotionVector& base);

}  // namespace xc::vp8::enc
