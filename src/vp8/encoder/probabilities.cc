// Frame probabilities from counts (§9.10-9.11, §13.4, §16.2, §17.2).
#include "vp8/encoder/probabilities.hh"

#include <algorithm>

namespace xc::vp8::enc {

uint8_t prob_from_counts(int64_t zeros, int64_t ones) {
  if (zeros + ones == 0) return 128;
  return uint8_t(std::clamp<int64_t>((256 * zeros + (zeros + ones) / 2) / (zeros + ones), 1, 255));
}

void optimize_probabilities(const DecoderState&, ParsedFrame& f) {
  int64_t skip[2] = {0, 0}, intra[2] = {0, 0}, last[2] = {0, 0}, gf[2] = {0, 0};
  for (size_t i = 0; i < f.mbs.size(); ++i) {
    const MacroblockInfo& mb = f.mbs[i];
    ++skip[f.coeffs[i].all_eob || mb.mb_skip_coeff];
    ++intra[mb.ref_frame != INTRA_FRAME];
    if (mb.ref_frame != INTRA_FRAME) {
      ++last[mb.ref_frame != LAST_FRAME];
      if (mb.ref_frame != LAST_FRAME) ++gf[mb.ref_frame == ALTREF_FRAME];
    }
  }
  FrameHeader& h = f.header;
  if (h.mb_no_coeff_skip) {
    h.prob_skip_false = prob_from_counts(skip[0], skip[1]);
    for (size_t i = 0; i < f.mbs.size(); ++i) {
      f.mbs[i].mb_skip_coeff = f.coeffs[i].all_eob;
      if (f.mbs[i].mb_skip_coeff) f.coeffs[i] = MacroblockCoeffs{};
    }
  }
  if (!f.tag.key_frame) {
    h.prob_intra = prob_from_counts(intra[0], intra[1]);
    h.prob_last = prob_from_counts(last[0], last[1]);
    h.prob_gf = prob_from_counts(gf[0], gf[1]);
  }
}

}  // namespace xc::vp8::enc
