// Dequantization factors (§9.6, §14.1).
#include "vp8/quant.hh"

#include <algorithm>

#include "vp8/frame_header.hh"
#include "vp8/state.hh"
#include "vp8/tables.hh"

namespace xc::vp8 {

namespace {

int clamp_q(int q) { return std::clamp(q, 0, 127); }
int delta(const std::optional<SignedField>& d) { return d ? d->value() : 0; }

}  // namespace

int segment_qindex(const FrameHeader& header, const SegmentationState& seg, int segment_id) {
  int q = header.quant.y_ac_qi;
  if (header.segmentation_enabled) {
    q = seg.absolute_values ? seg.quantizer[segment_id] : q + seg.quantizer[segment_id];
  }
  return clamp_q(q);
}

DequantFactors dequant_factors(int q, const FrameHeader& header) {
  const QuantIndices& qi = header.quant;
  DequantFactors f;
  f.y1[0] = int16_t(kDcQLookup[clamp_q(q + delta(qi.y_dc_delta))]);
  f.y1[1] = int16_t(kAcQLookup[clamp_q(q)]);
  f.y2[0] = int16_t(kDcQLookup[clamp_q(q + delta(qi.y2_dc_delta))] * 2);
  f.y2[1] = int16_t(std::max(kAcQLookup[clamp_q(q + delta(qi.y2_ac_delta))] * 155 / 100, 8));
  f.uv[0] = int16_t(std::min<int>(kDcQLookup[clamp_q(q + delta(qi.uv_dc_delta))], 132));
  f.uv[1] = int16_t(kAcQLookup[clamp_q(q + delta(qi.uv_ac_delta))]);
  return f;
}

std::array<DequantFactors, 4> frame_dequant_factors(const FrameHeader& header, const SegmentationState& seg) {
  std::array<DequantFactors, 4> out;
  for (int s = 0; s < 4; ++s) out[s] = dequant_factors(segment_qindex(header, seg, s), header);
  return out;
}

}  // namespace xc::vp8
