// Writing a frame's syntax back to bytes (§9, §13, §19): frame tag, first partition (header and
// modes) and token partitions; the inverse of parse_frame.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "vp8/decoder.hh"
#include "vp8/state.hh"

namespace xc::vp8 {

// Serializes `frame` for decoding from `state`: parse_frame(state, write_frame(state, frame)) gives
// `frame` back, with first_part_size recomputed (the tag's value is ignored). Partitions end with
// libvpx's flush, so a frame libvpx wrote comes back byte for byte.
//
// `frame` must be codable against `state`: an inter frame needs a state with a key frame, there is one
// record and one coefficient set per macroblock, every field fits its syntax, and each macroblock's
// vectors and token ends are those its modes and tokens imply (see write_modes and
// write_macroblock_tokens). Otherwise throws std::invalid_argument saying which.
std::vector<uint8_t> write_frame(const DecoderState& state, const ParsedFrame& frame);

// How often each branch is coded at each probability a frame header can set or update (§9.10-9.11,
// §13.4, §16.2, §17.2), as [bit] pairs indexed like the probabilities. They depend on the frame's
// modes and coefficients only, not on the probabilities themselves.
struct FrameBranchCounts {
  using Counts = std::array<uint32_t, 2>;
  std::array<std::array<std::array<std::array<Counts, kNumEntropyNodes>, kNumPrevCoeffContexts>, kNumCoeffBands>,
             kNumBlockTypes>
      coeff{};
  std::array<Counts, 4> y_mode{};   // intra macroblocks of inter frames
  std::array<Counts, 3> uv_mode{};  // likewise
  std::array<std::array<Counts, kNumMvProbs>, 2> mv{};
  Counts skip{}, intra{}, last{}, gf{};  // prob_skip_false, prob_intra, prob_last, prob_gf
  bool operator==(const FrameBranchCounts&) const = default;
};

// Counts what write_frame codes for `frame`, by the very walk that writes it (the writers run with a
// BranchCounter in place of the bool encoder). Throws like write_frame.
FrameBranchCounts count_frame_branches(const DecoderState& state, const ParsedFrame& frame);

}  // namespace xc::vp8
