// Quantization of transform coefficients to the levels the tokens code (the encoder's side of
// RFC 6386 §14.1): dead-zone rounding with a zero bin, token ends in zigzag order (§13).
#pragma once

#include <array>
#include <cstdint>

#include "vp8/dsp/dsp.hh"
#include "vp8/tokens.hh"

namespace xc::vp8::enc {

// How coefficients are rounded to levels, both in 1/128 of the quantizer step q.
struct QuantizerOptions {
  // Added to |c| before dividing by q (0..128; clamped): 64 rounds to the nearest level, smaller
  // values pull levels towards zero (fewer bits, more distortion).
  int rounding = 64;
  // |c| below zero_bin * q / 128 becomes 0 whatever the rounding (the dead zone around zero).
  int zero_bin = 64;
  // Whether the zero bin widens along a run of zero levels in scan order (an isolated small level
  // after zeros costs many bits for little error): by kZeroRunBoost[run] / 128 of the AC step.
  bool widen_after_zeros = false;
  bool operator==(const QuantizerOptions&) const = default;
};

// A dead zone close to libvpx's regular quantizer (rounding 48/128 of a step, and a zero bin of about
// 80/128, widened after zeros and, through residual.hh's for_macroblock, for inter modes): rebasing a libvpx clip onto another state with it gives about libvpx's size and quality
// (tests/enc_residual_test.cc bounds both), where rounding to the nearest level spends far more bits
// for little quality. The mode decision and xc-enc's rebase use it.
inline constexpr QuantizerOptions kDeadZoneQuantizer{.rounding = 48, .zero_bin = 84, .widen_after_zeros = true};

// How much the zero bin widens (in 1/128 of the AC step) after 0, 1, 2, ... zero levels in scan order.
inline constexpr std::array<int, 16> kZeroRunBoost{0, 0, 8, 10, 12, 14, 16, 20, 24, 28, 32, 36, 40, 44, 44, 44};

// The largest level magnitude written: dct_cat6 could code up to 67 + 2^11 - 1, but libvpx never
// produces more than 2048 and decoders' 16-bit dequantization is only guaranteed below that.
inline constexpr int kMaxLevel = 2048;

// Quantizes one block (coefficients in raster order) with factor dc_factor at position 0 and
// ac_factor elsewhere, starting at scan position `first` (1 for luma blocks whose DC goes to Y2;
// position 0 of `out` is then 0). Returns the token end: one past the last non-zero level in zigzag
// order, or `first` when every level is zero (MacroblockCoeffs::token_end).
// The arithmetic is the DSP table's quantize kernel (scalar by default).
int quantize_block(const int16_t coeffs[16], int dc_factor, int ac_factor, int first, const QuantizerOptions& opts,
                   std::array<int16_t, 16>& out, const dsp::Dsp& dsp = dsp::scalar_dsp());

// quantize_block for many blocks of the same factors and options: the steps (a division each) are
// worked out once, at construction. quantizer(coeffs, first, out) equals
// quantize_block(coeffs, dc_factor, ac_factor, first, opts, out, dsp).
class BlockQuantizer {
 public:
  BlockQuantizer(int dc_factor, int ac_factor, const QuantizerOptions& opts, const dsp::Dsp& dsp = dsp::scalar_dsp());
  int operator()(const int16_t coeffs[16], int first, std::array<int16_t, 16>& out) const {
    // Levels in raster order first, then the token end by scan order from the mask of non-zero
    // ones; most blocks have none, which is settled here without a call.
    const uint32_t nonzero = dsp_.quantize(coeffs, dc_, ac_, first, kMaxLevel, out.data());
    return nonzero == 0 ? first : token_end(coeffs, first, nonzero, out);
  }

 private:
  // The token end of a block with non-zero levels (`nonzero` as the kernel returns it), after
  // clearing the levels the widened zero bin removes.
  int token_end(const int16_t coeffs[16], int first, uint32_t nonzero, std::array<int16_t, 16>& out) const;

  int dc_factor_, ac_factor_;
  QuantizerOptions opts_;
  dsp::QuantizerStep dc_, ac_;
  const dsp::Dsp& dsp_;
};

// Whether no block of the macroblock has a token before EOB (MacroblockCoeffs::all_eob), from the
// token ends: luma blocks start at position 1 when the macroblock has Y2.
bool all_eob(const MacroblockCoeffs& coeffs, bool has_y2);

}  // namespace xc::vp8::enc
