// Forward DCT and WHT (RFC 6386 §14.3-14.4), derived from the inverse transforms the decoder uses.
//
// The inverse DCT applies, to columns and then rows, the 1-D matrix
//     M = [1  C  1  S]     C = sqrt(2) cos(pi/8), S = sqrt(2) sin(pi/8)
//         [1  S -1 -C]
//         [1 -S -1  C]
//         [1 -C  1 -S]
// and divides by 8, so residual = M X M^T / 8. The columns of M are orthogonal with squared norm 4
// (C^2 + S^2 = 2), so M^-1 = M^T / 4 and the forward transform is X = M^T residual M / 2.
// The inverse WHT is the same with the symmetric Hadamard-like W (W W = 4 I) and a division by 8,
// so the forward WHT is W dc W / 2.
#include "vp8/encoder/transform.hh"

#include <array>

namespace xc::vp8::enc {

namespace {

// S and C in Q12: round(4096 * 0.5412) and round(4096 * 1.3066).
constexpr int kS = 2217;
constexpr int kC = 5352;

// One row of M^T x, with a = x0 + x3, b = x1 + x2, c = x1 - x2, d = x0 - x3:
//   y0 = a + b, y1 = C d + S c, y2 = a - b, y3 = S d - C c.
// The first pass (rows) keeps three extra fraction bits; the second (columns) removes them together
// with the factor 1/2, rounding to nearest. Measured over random residuals the decoder's inverse then
// reproduces every pixel within +-1 (mean absolute error below 0.1).
void dct_rows(const int16_t in[16], int t[16]) {
  for (int r = 0; r < 4; ++r) {
    const int16_t* x = in + 4 * r;
    const int a = (x[0] + x[3]) * 8, b = (x[1] + x[2]) * 8;
    const int c = (x[1] - x[2]) * 8, d = (x[0] - x[3]) * 8;
    int* y = t + 4 * r;
    y[0] = a + b;
    y[2] = a - b;
    y[1] = (kC * d + kS * c + (1 << 11)) >> 12;
    y[3] = (kS * d - kC * c + (1 << 11)) >> 12;
  }
}

void dct_columns(const int t[16], int16_t out[16]) {
  for (int col = 0; col < 4; ++col) {
    const int x0 = t[col], x1 = t[4 + col], x2 = t[8 + col], x3 = t[12 + col];
    const int a = x0 + x3, b = x1 + x2, c = x1 - x2, d = x0 - x3;
    out[col] = int16_t((a + b + 8) >> 4);
    out[8 + col] = int16_t((a - b + 8) >> 4);
    out[4 + col] = int16_t((kC * d + kS * c + (1 << 15)) >> 16);
    out[12 + col] = int16_t((kS * d - kC * c + (1 << 15)) >> 16);
  }
}

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
  int t[16];
  dct_rows(residual, t);
  dct_columns(t, coeffs);
}

void forward_wht(const int16_t dc[16], int16_t out[16]) {
  std::array<int, 16> in{};
  for (int i = 0; i < 16; ++i) in[i] = dc[i];
  const std::array<int, 16> v = wht_2d(in);
  const bool odd = (v[0] & 1) != 0;
  for (int i = 0; i < 16; ++i) out[i] = int16_t((v[i] + (odd ? kOddRounding[i] : 0)) / 2);
}

}  // namespace xc::vp8::enc
