// Loop-filter strengths and edge order (§9.3-9.4, §15.1-15.4).
#include "vp8/loop_filter.hh"

#include <algorithm>

#include "vp8/frame_header.hh"

namespace xc::vp8 {

namespace {

// The limits of a level (§15.4; the high-edge-variance thresholds as libvpx sets them).
FilterStrength strength_of(int level, int sharpness, bool key_frame) {
  FilterStrength s;
  if (level == 0) return s;
  int interior = level >> (sharpness > 0) >> (sharpness > 4);
  if (sharpness > 0) interior = std::min(interior, 9 - sharpness);
  interior = std::max(interior, 1);
  int hev = 0;
  if (key_frame) {
    hev = level >= 40 ? 2 : level >= 15 ? 1 : 0;
  } else {
    hev = level >= 40 ? 3 : level >= 20 ? 2 : level >= 15 ? 1 : 0;
  }
  s.level = uint8_t(level);
  s.mb_edge_limit = uint8_t(2 * (level + 2) + interior);
  s.sub_edge_limit = uint8_t(2 * level + interior);
  s.interior_limit = uint8_t(interior);
  s.hev_threshold = uint8_t(hev);
  return s;
}

}  // namespace

LoopFilterStrengths::LoopFilterStrengths(const FrameHeader& h, const SegmentationState& seg,
                                         const LoopFilterDeltas& deltas, bool key_frame)
    : simple_(h.filter_type), frame_level_(h.loop_filter_level), sharpness_(h.sharpness_level) {
  if (h.loop_filter_level == 0) return;
  for (int s = 0; s < 4; ++s) {
    int segment_level = h.loop_filter_level;
    if (h.segmentation_enabled) {
      const int v = seg.loop_filter_level[s];
      segment_level = std::clamp(seg.absolute_values ? v : segment_level + v, 0, 63);
    }
    for (int ref = 0; ref < kNumRefFrames; ++ref) {
      for (int mode_class = 0; mode_class <= kNoModeDelta; ++mode_class) {
        int level = segment_level;
        if (h.loop_filter_adj_enable) {
          level += deltas.ref[ref];
          if (mode_class != kNoModeDelta) level += deltas.mode[mode_class];
          level = std::clamp(level, 0, 63);
        }
        FilterStrength& out = table_[s][ref][mode_class];
        out = strength_of(level, h.sharpness_level, key_frame);
        filters_anything_ |= out.level != 0;
      }
    }
  }
}

bool LoopFilterStrengths::made_for(const FrameHeader& h) const {
  return simple_ == h.filter_type && frame_level_ == h.loop_filter_level && sharpness_ == h.sharpness_level;
}

void loop_filter_frame(const dsp::Dsp& dsp, Raster& frame, const LoopFilterStrengths& strengths,
                       const std::vector<MacroblockInfo>& mbs, const std::vector<uint8_t>& no_coeffs) {
  loop_filter_rows(dsp, frame, strengths, mbs, no_coeffs, 0, frame.mb_rows());
}

void loop_filter_rows(const dsp::Dsp& dsp, Raster& frame, const LoopFilterStrengths& strengths,
                      const std::vector<MacroblockInfo>& mbs, const std::vector<uint8_t>& no_coeffs, int first_row,
                      int end_row) {
  if (!strengths.filters_anything()) return;
  const bool simple = strengths.simple();
  Plane& y = frame.y();
  Plane& u = frame.u();
  Plane& v = frame.v();
  const int cols = frame.mb_cols();
  const int ys = y.stride(), uvs = u.stride();
  for (int r = first_row; r < end_row; ++r) {
    for (int c = 0; c < cols; ++c) {
      const size_t i = size_t(r) * cols + c;
      const MacroblockInfo& mb = mbs[i];
      const FilterStrength& s = strengths.of(mb);
      if (s.level == 0) continue;
      const int mb_edge = s.mb_edge_limit, sub_edge = s.sub_edge_limit;
      const int interior = s.interior_limit, hev = s.hev_threshold;
      const bool inner = !(mb.has_y2() && (mb.mb_skip_coeff || no_coeffs[i]));
      uint8_t* py = y.at(c * 16, r * 16);
      uint8_t* pu = u.at(c * 8, r * 8);
      uint8_t* pv = v.at(c * 8, r * 8);
      if (simple) {
        if (c > 0) dsp.simple_filter_vedge(py, ys, mb_edge, 16);
        if (inner)
          for (int k = 4; k < 16; k += 4) dsp.simple_filter_vedge(py + k, ys, sub_edge, 16);
        if (r > 0) dsp.simple_filter_hedge(py, ys, mb_edge, 16);
        if (inner)
          for (int k = 4; k < 16; k += 4) dsp.simple_filter_hedge(py + k * ys, ys, sub_edge, 16);
        continue;
      }
      if (c > 0) dsp.mb_filter_vedge_yuv(py, ys, pu, pv, uvs, mb_edge, interior, hev);
      if (inner) {
        dsp.inner_filter_vedges(py, ys, sub_edge, interior, hev);
        dsp.inner_filter_vedge_uv(pu + 4, pv + 4, uvs, sub_edge, interior, hev);
      }
      if (r > 0) dsp.mb_filter_hedge_yuv(py, ys, pu, pv, uvs, mb_edge, interior, hev);
      if (inner) {
        dsp.inner_filter_hedges(py, ys, sub_edge, interior, hev);
        dsp.inner_filter_hedge_uv(pu + 4 * uvs, pv + 4 * uvs, uvs, sub_edge, interior, hev);
      }
    }
  }
}

}  // namespace xc::vp8
