// Bisection over the quantizer index for a minimum SSIM.
#include "vp8/encoder/ssim_target.hh"

#include <optional>
#include <utility>

#include "util/quality.hh"
#include "vp8/picture.hh"

namespace xc::vp8::enc {

SsimTargetResult encode_for_minimum_ssim(const DecoderState& state, const util::Image& source,
                                         FreshFrameParams params, double min_ssim, const dsp::Dsp& dsp) {
  // Invariant: every index <= lo meets the target as far as the bisection knows (lo = -1: none
  // known), every index >= hi misses it (hi = 128: none known).
  int lo = -1, hi = 128;
  std::optional<SsimTargetResult> meeting, at_zero;
  int encodes = 0;
  while (hi - lo > 1) {
    const int q = (lo + hi) / 2;
    params.qindex = q;
    SsimTargetResult r;
    r.encoded = encode_fresh_frame(state, source, params, dsp);
    ++encodes;
    r.qindex = q;
    r.ssim = util::picture_ssim(source, to_image(*r.encoded.decoded.picture));
    r.met = r.ssim >= min_ssim;
    if (r.met) {
      lo = q;
      meeting = std::move(r);
    } else {
      hi = q;
      if (q == 0) at_zero = std::move(r);
    }
  }
  SsimTargetResult out = meeting ? std::move(*meeting) : std::move(*at_zero);
  out.encodes = encodes;
  return out;
}

}  // namespace xc::vp8::enc
