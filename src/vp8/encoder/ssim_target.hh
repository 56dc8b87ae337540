// Constant-quality primary encoding: each frame at the coarsest quantizer whose decoded picture
// reaches a minimum SSIM against its source.
#pragma once

#include "util/image.hh"
#include "vp8/decoder.hh"
#include "vp8/dsp/dsp.hh"
#include "vp8/encoder/frame_encoder.hh"

namespace xc::vp8::enc {

struct SsimTargetResult {
  EncodedFrame encoded;
  int qindex = 0;     // the quantizer index it was coded at
  double ssim = 0;    // of the decoded picture against the source (util::picture_ssim)
  bool met = false;   // false when even index 0 stays below the target (the frame is then coded at 0)
  int encodes = 0;    // frames coded to find it
};

// Encodes `source` onto `state` like encode_fresh_frame with `params`, at the largest quantizer
// index (0..127) whose decoded picture has an SSIM of at least `min_ssim`. The index is found by
// bisection, taking SSIM as non-increasing in the index (about 7 encodes a frame); where it is not
// monotone the index found still meets the target, though a larger one might too.
SsimTargetResult encode_for_minimum_ssim(const DecoderState& state, const util::Image& source,
                                         FreshFrameParams params, double min_ssim,
                                         const dsp::Dsp& dsp = dsp::best_dsp());

}  // namespace xc::vp8::enc
