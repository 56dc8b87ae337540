// Coefficient quantization (RFC 6386 §14.1 in reverse) and token ends in zigzag order (§13).
#include "vp8/encoder/quantize.hh"

#include <algorithm>
#include <cstdlib>

#include "vp8/tables.hh"

namespace xc::vp8::enc {

namespace {

int quantize_one(int c, int q, const QuantizerOptions& opts) {
  const int magnitude = 128 * std::abs(c);
  if (magnitude < opts.zero_bin * q) return 0;
  const int level = std::min((magnitude + opts.rounding * q) / (128 * q), kMaxLevel);
  return c < 0 ? -level : level;
}

}  // namespace

int quantize_block(const int16_t coeffs[16], int dc_factor, int ac_factor, int first, const QuantizerOptions& opts,
                   std::array<int16_t, 16>& out) {
  out.fill(0);
  int end = first;
  for (int n = first; n < 16; ++n) {
    const int pos = kZigzag[n];
    const int level = quantize_one(coeffs[pos], pos == 0 ? dc_factor : ac_factor, opts);
    out[pos] = int16_t(level);
    if (level != 0) end = n + 1;
  }
  return end;
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
