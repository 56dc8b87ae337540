// The .state file: a versioned, checksummed, little-endian serialization of DecoderState.
//
//   offset  size  field
//   0       8     magic "XCVP8STA"
//   8       4     format version (1)
//   12      2+2   width, height (0 x 0: no key frame decoded yet)
//   16      1+1   horiz_scale, vert_scale
//   18      1056  coefficient probabilities [4][8][3][11]
//           4+3   y-mode and uv-mode probabilities
//           38    MV probabilities [2][19]
//           1     segment_feature_mode (1 absolute)
//           4+4   segment quantizer and loop-filter values (int8)
//           1     segment map present (0/1), then mb_cols*mb_rows segment ids if present
//           4+4   loop-filter ref and mode deltas (int8)
//           1     number N of distinct reference rasters (0 before the first key frame, else 1..3)
//           3     raster index of last, golden, altref (each < N)
//           N x   raster: Y plane (aligned width x height), then U and V (half size), row by row
//   end-8   8     XXH64 (seed 0) of every byte before it
// Identical references are stored once, so a state after xc-terminate-chunk costs about one frame.
// The checksum field is also the state's hash (DecoderState::hash()).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vp8/state.hh"

namespace xc::vp8 {

constexpr uint32_t kStateFormatVersion = 1;

std::vector<uint8_t> serialize_state(const DecoderState& state);
// Throws InvalidBitstream "<name>: problem" on bad magic, unknown version, truncation, trailing
// bytes, out-of-range fields or a checksum mismatch.
DecoderState deserialize_state(std::span<const uint8_t> bytes, const std::string& name);

void save_state(const DecoderState& state, const std::string& path);  // atomic
DecoderState load_state(const std::string& path);

uint64_t state_content_hash(const DecoderState& state);

}  // namespace xc::vp8
