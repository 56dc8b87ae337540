// The tap pairs of the pmaddubsw sub-pixel kernels (RFC 6386 §18.3), shared by the SSSE3 and AVX2
// versions, and why their sums stay exact.
#pragma once

#include <cstdint>

namespace xc::vp8::dsp {
// Internal linkage on purpose: files compiled for different instruction sets each get their own
// copy, instead of the linker keeping one of them for all.
namespace {

// pmaddubsw multiplies pixel pairs by signed 8-bit tap pairs. The taps are paired (1, 2), (3, 4),
// (0, 5) for six taps and (0, 1) for two: a pass never runs with fraction 0 (subpel_predict skips
// it), so no tap is 128 and all fit in int8, and each pair sum lies within -16 * 255 .. 123 * 255,
// so pmaddubsw never saturates. The kernels add the pair sums in this order, plus 64, with signed
// saturation: only the first two can exceed 32767 together, and then the true total (the rest being
// non-negative) is beyond 255 as well, so saturating keeps the clamped result exact; negative totals
// stay far above -32768.
template <int kTaps>
struct TapPairOrder {
  static constexpr int kPairs = kTaps / 2;
  static constexpr int kFirst[3] = {kTaps == 6 ? 1 : 0, 3, 0};
  static constexpr int kSecond[3] = {kTaps == 6 ? 2 : 1, 4, 5};
  // Pair i's taps as two signed bytes of one 16-bit lane, the first tap in the low byte (which
  // multiplies the pixel at kFirst[i]).
  static int16_t packed(const int* taps, int i) {
    const int first = taps[kFirst[i]] & 0xff, second = taps[kSecond[i]] & 0xff;
    return static_cast<int16_t>(first | (second << 8));
  }
};

}  // namespace
}  // namespace xc::vp8::dsp
