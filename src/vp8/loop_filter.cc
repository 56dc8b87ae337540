// Loop-filter levels, limits and edge order (§9.6, §15.1-15.3).
#include "vp8/loop_filter.hh"

#include <algorithm>

#include "vp8/frame_header.hh"

namespace xc::vp8 {

int macroblock_filter_level(const FrameHeader& h, const SegmentationState& seg, const LoopFilterDeltas& deltas,
                            const MacroblockInfo& mb) {
  int level = h.loop_filter_level;
  if (h.segmentation_enabled) {
    const int s = seg.loop_filter_level[mb.segment_id];
    level = std::clamp(seg.absolute_values ? s : level + s, 0, 63);
  }
  if (!h.loop_filter_adj_enable) return level;
  level += deltas.ref[mb.ref_frame];
  if (mb.ref_frame == INTRA_FRAME) {
    if (mb.y_mode == B_PRED) level += deltas.mode[0];
  } else if (mb.y_mode == ZEROMV) {
    level += deltas.mode[1];
  } else if (mb.y_mode == SPLITMV) {
    level += deltas.mode[3];
  } else {
    level += deltas.mode[2];
  }
  return std::clamp(level, 0, 63);
}

namespace {

struct EdgeLimits {
  int mb_edge, sub_edge, interior, hev_threshold;
};

EdgeLimits limits_for(int level, int sharpness, bool key_frame) {
  int interior = level >> (sharpness > 0) >> (sharpness > 4);
  if (sharpness > 0) interior = std::min(interior, 9 - sharpness);
  interior = std::max(interior, 1);
  int hev = 0;
  if (key_frame) {
    hev = level >= 40 ? 2 : level >= 15 ? 1 : 0;
  } else {
    hev = level >= 40 ? 3 : level >= 20 ? 2 : level >= 15 ? 1 : 0;
  }
  return {2 * (level + 2) + interior, 2 * level + interior, interior, hev};
}

}  // namespace

void loop_filter_frame(const dsp::Dsp& dsp, Raster& frame, const FrameHeader& h, bool key_frame,
                       const SegmentationState& seg, const LoopFilterDeltas& deltas,
                       const std::vector<MacroblockInfo>& mbs, const std::vector<uint8_t>& no_coeffs) {
  loop_filter_rows(dsp, frame, h, key_frame, seg, deltas, mbs, no_coeffs, 0, frame.mb_rows());
}

void loop_filter_rows(const dsp::Dsp& dsp, Raster& frame, const FrameHeader& h, bool key_frame,
                      const SegmentationState& seg, const LoopFilterDeltas& deltas,
                      const std::vector<MacroblockInfo>& mbs, const std::vector<uint8_t>& no_coeffs, int first_row,
                      int end_row) {
  if (h.loop_filter_level == 0) return;
  const bool simple = h.filter_type;
  Plane& y = frame.y();
  Plane& u = frame.u();
  Plane& v = frame.v();
  const int cols = frame.mb_cols();
  // The level and limits depend on the segment, reference and mode alone, which neighbours often
  // share: the last macroblock's are kept.
  int cached = -1, level = 0;
  EdgeLimits lim{};
  for (int r = first_row; r < end_row; ++r) {
    for (int c = 0; c < cols; ++c) {
      const size_t i = size_t(r) * cols + c;
      const MacroblockInfo& mb = mbs[i];
      const int key = mb.segment_id | mb.ref_frame << 2 | mb.y_mode << 4;
      if (key != cached) {
        cached = key;
        level = macroblock_filter_level(h, seg, deltas, mb);
        lim = limits_for(level, h.sharpness_level, key_frame);
      }
      if (level == 0) continue;
      const bool inner = !(mb.has_y2() && (mb.mb_skip_coeff || no_coeffs[i]));
      uint8_t* py = y.at(c * 16, r * 16);
      uint8_t* pu = u.at(c * 8, r * 8);
      uint8_t* pv = v.at(c * 8, r * 8);
      const int ys = y.stride(), uvs = u.stride();
      if (simple) {
        if (c > 0) dsp.simple_filter_vedge(py, ys, lim.mb_edge, 16);
        if (inner)
          for (int k = 4; k < 16; k += 4) dsp.simple_filter_vedge(py + k, ys, lim.sub_edge, 16);
        if (r > 0) dsp.simple_filter_hedge(py, ys, lim.mb_edge, 16);
        if (inner)
          for (int k = 4; k < 16; k += 4) dsp.simple_filter_hedge(py + k * ys, ys, lim.sub_edge, 16);
        continue;
      }
      if (c > 0) {
        dsp.mb_filter_vedge(py, ys, lim.mb_edge, lim.interior, lim.hev_threshold, 16);
        dsp.mb_filter_vedge_uv(pu, pv, uvs, lim.mb_edge, lim.interior, lim.hev_threshold);
      }
      if (inner) {
        dsp.inner_filter_vedges(py, ys, lim.sub_edge, lim.interior, lim.hev_threshold);
        dsp.inner_filter_vedge_uv(pu + 4, pv + 4, uvs, lim.sub_edge, lim.interior, lim.hev_threshold);
      }
      if (r > 0) {
        dsp.mb_filter_hedge(py, ys, lim.mb_edge, lim.interior, lim.hev_threshold, 16);
        dsp.mb_filter_hedge_uv(pu, pv, uvs, lim.mb_edge, lim.interior, lim.hev_threshold);
      }
      if (inner) {
        dsp.inner_filter_hedges(py, ys, lim.sub_edge, lim.interior, lim.hev_threshold);
        dsp.inner_filter_hedge_uv(pu + 4 * uvs, pv + 4 * uvs, uvs, lim.sub_edge, lim.interior,
                                  lim.hev_threshold);
      }
    }
  }
}

}  // namespace xc::vp8
