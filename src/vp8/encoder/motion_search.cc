// Integer diamond search plus sub-pel refinement with the codec's interpolation filters.
#include "vp8/encoder/motion_search.hh"

#include <algorithm>
#include <cstdlib>

namespace xc::vp8::enc {

namespace {

// Largest NEWMV component difference that the long MV form can code (§17.2): 1023 quarter pels.
constexpr int kMaxDelta = 1023 * 2;

int component_bits(int d) {
  d = std::abs(d) >> 1;  // quarter pels
  int bits = 1;
  while (d) {
    bits += 2;
    d >>= 1;
  }
  return bits;
}

}  // namespace

MvBounds MvBounds::for_macroblock(const EdgeDistances& e, const MotionVector& base) {
  constexpr int kMargin = 16 << 3;  // the decoder clamps nothing within 16 pixels of the frame
  MvBounds b{e.to_left - kMargin, e.to_right + kMargin, e.to_top - kMargin, e.to_bottom + kMargin};
  b.col_min = std::max(b.col_min, base.col - kMaxDelta);
  b.col_max = std::min(b.col_max, base.col + kMaxDelta);
  b.row_min = std::max(b.row_min, base.row - kMaxDelta);
  b.row_max = std::min(b.row_max, base.row + kMaxDelta);
  // Vectors are in quarter pels (even eighth-pel values).
  b.col_min += b.col_min & 1;
  b.row_min += b.row_min & 1;
  b.col_max -= b.col_max & 1;
  b.row_max -= b.row_max & 1;
  return b;
}

bool new_mv_codable(const MotionVector& mv, const MotionVector& base) {
  const int dr = mv.row - base.row, dc = mv.col - base.col;
  return ((dr | dc) & 1) == 0 && std::abs(dr) <= kMaxDelta && std::abs(dc) <= kMaxDelta;
}

int mv_bits(const MotionVector& mv, const MotionVector& base) {
  return component_bits(mv.row - base.row) + component_bits(mv.col - base.col);
}

MotionSearchResult search_motion(const dsp::Dsp& dsp, const Plane& ref, const uint8_t* src, int src_stride, int x,
                                 int y, const MotionVector* starts, int num_starts, const MotionVector& base,
                                 const MvBounds& bounds, const MotionSearchParams& p) {
  const dsp::SadFn sad = dsp.sad[p.size];
  const dsp::InterPredFn predict = (p.sixtap ? dsp.sixtap : dsp.bilinear)[p.size];
  uint8_t pred[16 * 16];

  auto evaluate = [&](const MotionVector& mv) {
    MotionSearchResult r;
    r.mv = mv;
    if ((mv.col & 7) == 0 && (mv.row & 7) == 0) {
      r.sad = int(sad(src, src_stride, ref.at(x + (mv.col >> 3), y + (mv.row >> 3)), ref.stride()));
    } else {
      predict(pred, 16, ref.at(x + (mv.col >> 3), y + (mv.row >> 3)), ref.stride(), mv.col & 7, mv.row & 7);
      r.sad = int(sad(src, src_stride, pred, 16));
    }
    r.cost = r.sad + p.lambda * mv_bits(mv, base);
    return r;
  };

  MotionSearchResult best;
  best.cost = -1;
  auto consider = [&](MotionVector mv) {
    if (!bounds.contains(mv)) return false;
    const MotionSearchResult r = evaluate(mv);
    if (best.cost < 0 || r.cost < best.cost) {
      best = r;
      return true;
    }
    return false;
  };

  // Integer-pel starting points: zero and the given predictors, rounded to whole pixels.
  consider(MotionVector{});
  for (int i = 0; i < num_starts; ++i) {
    MotionVector s = starts[i];
    s.col = int16_t(s.col & ~7);
    s.row = int16_t(s.row & ~7);
    consider(s);
  }
  // The predictor itself is always allowed (it may be the only candidate on very large frames).
  if (best.cost < 0) consider(base);
  const MotionVector origin = best.mv;
  const int range = p.range << 3;
  // Large diamond until it stops improving, then a small one.
  static constexpr int kLarge[8][2] = {{0, -2}, {1, -1}, {2, 0}, {1, 1}, {0, 2}, {-1, 1}, {-2, 0}, {-1, -1}};
  static constexpr int kSmall[4][2] = {{0, -1}, {1, 0}, {0, 1}, {-1, 0}};
  for (int iter = 0; iter < 64; ++iter) {
    const MotionVector center = best.mv;
    bool improved = false;
    for (const auto& d : kLarge) {
      const MotionVector mv{int16_t(center.row + d[1] * 8), int16_t(center.col + d[0] * 8)};
      if (std::abs(mv.row - origin.row) > range || std::abs(mv.col - origin.col) > range) continue;
      improved |= consider(mv);
    }
    if (!improved) break;
  }
  for (int iter = 0; iter < 16; ++iter) {
    const MotionVector center = best.mv;
    bool improved = false;
    for (const auto& d : kSmall) improved |= consider(MotionVector{int16_t(center.row + d[1] * 8), int16_t(center.col + d[0] * 8)});
    if (!improved) break;
  }
  // Half-pel then quarter-pel refinement around the best vector.
  for (int step : {4, 2}) {
    const MotionVector center = best.mv;
    for (int dr = -1; dr <= 1; ++dr)
      for (int dc = -1; dc <= 1; ++dc) {
        if (dr == 0 && dc == 0) continue;
        consider(MotionVector{int16_t(center.row + dr * step), int16_t(center.col + dc * step)});
      }
  }
  return best;
}

}  // namespace xc::vp8::enc
