// The decoder state: everything that persists from one frame to the next (§9.3-9.11), as one value.
// Copying is cheap (fixed-size arrays plus shared immutable rasters and segment map); equality
// compares every field; hash() is XXH64 over the canonical serialization (state_io.hh).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "vp8/enums.hh"
#include "vp8/raster.hh"

namespace xc::vp8 {

// Entropy context (§13.4, §16.2, §17.2). Reset to defaults on every key frame; a frame with
// refresh_entropy_probs = 0 leaves it unchanged for the next frame.
struct ProbabilityTables {
  using CoeffProbs = std::array<
      std::array<std::array<std::array<uint8_t, kNumEntropyNodes>, kNumPrevCoeffContexts>, kNumCoeffBands>,
      kNumBlockTypes>;
  CoeffProbs coeff_probs;
  std::array<uint8_t, 4> y_mode_probs;
  std::array<uint8_t, 3> uv_mode_probs;
  std::array<std::array<uint8_t, kNumMvProbs>, 2> mv_probs;  // [0] rows, [1] columns

  static ProbabilityTables defaults();
  bool operator==(const ProbabilityTables&) const = default;
};

// Persistent segmentation data (§9.3). segmentation_enabled itself is sent with every frame, so it
// is not state. The feature data and mode reset on key frames; the map persists until a frame updates
// it, and a key frame that does not update it resets it to zeros.
struct SegmentationState {
  bool absolute_values = false;  // segment_feature_mode
  std::array<int8_t, 4> quantizer{};
  std::array<int8_t, 4> loop_filter_level{};
  // One segment id per macroblock, row-major; null means all zeros.
  std::shared_ptr<const std::vector<uint8_t>> map;

  bool operator==(const SegmentationState& other) const;
};

// Loop-filter adjustments (§9.4): reset to zero on key frames, updated by mode_ref_lf_delta_update.
struct LoopFilterDeltas {
  std::array<int8_t, 4> ref{};   // INTRA_FRAME, LAST_FRAME, GOLDEN_FRAME, ALTREF_FRAME
  std::array<int8_t, 4> mode{};  // B_PRED, ZEROMV, NEARESTMV/NEARMV/NEWMV, SPLITMV
  bool operator==(const LoopFilterDeltas&) const = default;
};

// The three reference frames (§9.7-9.8); all null before the first key frame.
struct References {
  RasterRef last, golden, altref;
  bool operator==(const References& other) const;
};

struct DecoderState {
  // From the last key frame (§9.1).
  uint16_t width = 0;
  uint16_t height = 0;
  uint8_t horiz_scale = 0;
  uint8_t vert_scale = 0;

  ProbabilityTables probs = ProbabilityTables::defaults();
  SegmentationState segmentation;
  LoopFilterDeltas lf_deltas;
  References refs;

  bool has_key_frame() const { return refs.last != nullptr; }
  int mb_cols() const { return (width + 15) / 16; }
  int mb_rows() const { return (height + 15) / 16; }

  bool operator==(const DecoderState& other) const;
  // XXH64 of the canonical serialization: stable across machines and compilers.
  uint64_t hash() const;
};

// The 32-bit expected-state tag an IVF stores at header offset 28 (see util/ivf.hh): a fold of
// hash() that is never 0, since 0 means "no claim".
uint32_t expected_state_tag(const DecoderState& state);

}  // namespace xc::vp8
