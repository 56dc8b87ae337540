// Coefficient quantization (RFC 6386 §14.1 in reverse) and token ends in zigzag order (§13).
#include "vp8/encoder/quantize.hh"

#include <algorithm>
#include <cstdlib>

#include "vp8/tables.hh"

namespace xc::vp8::enc {

namespace {

// One quantizer step as multiply-and-shift: level = (128 |c| + rounding * q) / (128 q) with the
// division replaced by a multiplication by ceil(2^40 / (128 q)). That is exact here: numerators stay
// below 2^23 (|c| < 2^15, rounding <= 128) and 128 q below 2^17, so numerator x divisor < 2^40.
dsp::QuantizerStep make_step(int q, const QuantizerOptions& opts) {
  const uint64_t d = uint64_t(128) * uint64_t(q);
  return {opts.zero_bin * q, std::clamp(opts.rounding, 0, 128) * q, ((uint64_t(1) << 40) + d - 1) / d};
}

}  // namespace

int quantize_block(const int16_t coeffs[16], int dc_factor, int ac_factor, int first, const QuantizerOptions& opts,
                   std::array<int16_t, 16>& out, const dsp::Dsp& dsp) {
  return BlockQuantizer(dc_factor, ac_factor, opts, dsp)(coeffs, first, out);
}

BlockQuantizer::BlockQuantizer(int dc_factor, int ac_factor, const QuantizerOptions& opts, const dsp::Dsp& dsp)
    : dc_factor_(dc_factor),
      ac_factor_(ac_factor),
      opts_(opts),
      dc_(make_step(dc_factor, opts)),
      ac_(make_step(ac_factor, opts)),
      dsp_(dsp) {}

int BlockQuantizer::token_end(const int16_t coeffs[16], int first, uint32_t nonzero,
                              std::array<int16_t, 16>& out) const {
  const int dc_factor = dc_factor_, ac_factor = ac_factor_;
  const QuantizerOptions& opts = opts_;
  if (opts.widen_after_zeros) {
    // The kernel applied the base zero bin; levels after a run of zeros must also clear the widened
    // one. The same pass finds the token end.
    int run = 0, end = first;
    for (int n = first; n < 16; ++n) {
      const int pos = kZigzag[n];
      if (out[pos] == 0) {
        ++run;
      } else if (128 * std::abs(int(coeffs[pos])) <
                 opts.zero_bin * (pos == 0 ? dc_factor : ac_factor) + kZeroRunBoost[size_t(run)] * ac_factor) {
        out[pos] = 0;
        ++run;
      } else {
        run = 0;
        end = n + 1;
      }
    }
    return end;
  }
  for (int n = 15; n >= first; --n) {
    if (nonzero >> kZigzag[n] & 1) return n + 1;
  }
  return first;
}

bool all_eob(const MacroblockCoeffs& coeffs, bool has_y2) {
  if (has_y2 && coeffs.token_end[kY2Block] > 0) return false;
  const int luma_first = has_y2 ? 1 : 0;
  for (int b = 0; b < 16; ++b) {
    if (coeffs.token_end[b] > luma_first) return false;
  }
  for (int b = 16; b < 24; ++b) {
    if (coeffs.token_end[b] > 0) return false;
  }
  return true;
}

}  // namespace xc::vp8::enc
