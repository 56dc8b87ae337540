// Forward DCT and WHT (RFC 6386 §14.3-14.4), derived from the inverse transforms the decoder uses.
// The DCT is a DSP kernel (its derivation is beside the scalar one in dsp/dsp_c.cc); the inverse WHT
// divides W dc W by 8 with the symmetric Hadamard-like W (W W = 4 I), so the forward WHT is
// W dc W / 2.
#include "vp8/encoder/transform.hh"

#include <algorithm>
#include <array>

#include "vp8/dsp/dsp.hh"

namespace xc::vp8::enc {

namespace {

// Rounding of the WHT's halving. All 16 entries of V = W dc W have the parity of the sum of the DCs
// (each is that sum with some terms negated). When they are odd, adding this +-1 pattern before
// halving makes the error E of the coefficients have W E W = +-2 everywhere (a "bent" pattern: its
// Hadamard spectrum is flat), which the inverse's (x + 3) >> 3 absorbs, so the DCs come back exactly.
constexpr std::array<int, 16> kOddRounding = {-1, 1, 1, -1, 1, -1, 1, -1, 1, 1, -1, -1, -1, -1, -1, -1};

// The 1-D butterfly shared by both WHT passes (W is symmetric, so forward and inverse use the same one).
constexpr void wht_1d(int x0, int x1, int x2, int x3, int& y0, int& y1, int& y2, int& y3) {
  const int a = x0 + x3, b = x1 + x2, c = x1 - x2, d = x0 - x3;
  y0 = a + b;
  y1 = d + c;
  y2 = a - b;
  y3 = d - c;
}

constexpr std::array<int, 16> wht_2d(const std::array<int, 16>& in) {
  std::array<int, 16> t{}, out{};
  for (int r = 0; r < 4; ++r) wht_1d(in[4 * r], in[4 * r + 1], in[4 * r + 2], in[4 * r + 3], t[4 * r], t[4 * r + 1], t[4 * r + 2], t[4 * r + 3]);
  for (int c = 0; c < 4; ++c) wht_1d(t[c], t[4 + c], t[8 + c], t[12 + c], out[c], out[4 + c], out[8 + c], out[12 + c]);
  return out;
}

constexpr bool flat_spectrum(const std::array<int, 16>& pattern) {
  for (int v : wht_2d(pattern)) {
    if (v != 4 && v != -4) return false;
  }
  return true;
}
static_assert(flat_spectrum(kOddRounding), "the odd-sum rounding pattern must have a flat Hadamard spectrum");

}  // namespace

void forward_dct(const int16_t residual[16], int16_t coeffs[16]) {
  // The kernel takes the residual as a difference of pixels: its positive and negative parts.
  uint8_t positive[16], negative[16];
  for (int i = 0; i < 16; ++i) {
    positive[i] = uint8_t(std::max<int>(residual[i], 0));
    negative[i] = uint8_t(std::max<int>(-residual[i], 0));
  }
  dsp::scalar_dsp().fdct(positive, 4, negative, 4, coeffs);
}

void forward_wht(const int16_t dc[16], int16_t out[16]) {
  std::array<int, 16> in{};
  for (int i = 0; i < 16; ++i) in[i] = dc[i];
  const std::array<int, 16> v = wht_2d(in);
  const bool odd = (v[0] & 1) != 0;
  for (int i = 0; i < 16; ++i) out[i] = int16_t((v[i] + (odd ? kOddRounding[i] : 0)) / 2);
}

}  // namespace xc::vp8::enc
