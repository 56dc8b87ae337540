// Dequantization factors per segment from the header's quantizer indices (§9.6, §14.1).
#pragma once

#include <array>
#include <cstdint>

namespace xc::vp8 {

struct FrameHeader;
struct SegmentationState;

struct DequantFactors {
  // [0]: DC factor, [1]: AC factor.
  std::array<int16_t, 2> y1{}, y2{}, uv{};
  bool operator==(const DequantFactors&) const = default;
};

// The quantizer index of a segment: the frame's y_ac_qi, or the segment's value (absolute or as a
// delta), clamped to 0..127.
int segment_qindex(const FrameHeader& header, const SegmentationState& seg, int segment_id);

// Factors for one quantizer index with the header's deltas, clamped as libvpx and the spec do
// (y2 DC x2, y2 AC x155/100 at least 8, uv DC at most 132).
DequantFactors dequant_factors(int qindex, const FrameHeader& header);

// Factors for each of the four segments (all equal when segmentation is off).
std::array<DequantFactors, 4> frame_dequant_factors(const FrameHeader& header, const SegmentationState& seg);

}  // namespace xc::vp8
