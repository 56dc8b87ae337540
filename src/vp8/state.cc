// Defaults, equality and hashing of the decoder state (§9.3-9.11, §13.5, §17.2).
#include "vp8/state.hh"

#include "vp8/state_io.hh"
#include "vp8/tables.hh"

namespace xc::vp8 {

ProbabilityTables ProbabilityTables::defaults() {
  ProbabilityTables p;
  for (int i = 0; i < kNumBlockTypes; ++i)
    for (int j = 0; j < kNumCoeffBands; ++j)
      for (int k = 0; k < kNumPrevCoeffContexts; ++k)
        for (int l = 0; l < kNumEntropyNodes; ++l) p.coeff_probs[i][j][k][l] = kDefaultCoeffProbs[i][j][k][l];
  for (int i = 0; i < 4; ++i) p.y_mode_probs[i] = kDefaultYModeProbs[i];
  for (int i = 0; i < 3; ++i) p.uv_mode_probs[i] = kDefaultUvModeProbs[i];
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < kNumMvProbs; ++j) p.mv_probs[i][j] = kDefaultMvProbs[i][j];
  return p;
}

bool SegmentationState::operator==(const SegmentationState& other) const {
  if (absolute_values != other.absolute_values || quantizer != other.quantizer ||
      loop_filter_level != other.loop_filter_level) {
    return false;
  }
  if (map == other.map) return true;
  auto all_zero = [](const std::vector<uint8_t>& m) {
    for (uint8_t v : m)
      if (v) return false;
    return true;
  };
  if (!map) return all_zero(*other.map);
  if (!other.map) return all_zero(*map);
  return *map == *other.map;
}

bool References::operator==(const References& other) const {
  return same_raster(last, other.last) && same_raster(golden, other.golden) &&
         same_raster(altref, other.altref);
}

bool DecoderState::operator==(const DecoderState& other) const {
  return width == other.width && height == other.height && horiz_scale == other.horiz_scale &&
         vert_scale == other.vert_scale && probs == other.probs && segmentation == other.segmentation &&
         lf_deltas == other.lf_deltas && refs == other.refs;
}

uint64_t DecoderState::hash() const { return state_content_hash(*this); }

uint32_t expected_state_tag(const DecoderState& state) {
  const uint64_t h = state.hash();
  const uint32_t tag = uint32_t(h ^ (h >> 32));
  return tag ? tag : 1;
}

}  // namespace xc::vp8
