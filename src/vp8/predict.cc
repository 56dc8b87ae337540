// Intra edge preparation (§12.2-12.3) and inter-prediction block setup (§5, §18), following libvpx
// wherever the RFC leaves room: the top-left pixel of a row's first macroblock is 127 on the top row
// and 129 below it; vectors far outside the frame are clamped as libvpx's need_to_clamp_mvs does.
#include "vp8/predict.hh"

#include <algorithm>
#include <cstring>

namespace xc::vp8 {

IntraEdges intra_edges(const Plane& plane, int mb_col, int mb_row, int mb_cols, bool chroma) {
  const int n = chroma ? 8 : 16;
  const int x = mb_col * n, y = mb_row * n;
  IntraEdges e;
  e.have_above = mb_row > 0;
  e.have_left = mb_col > 0;
  uint8_t* above = e.above_storage + 1;
  if (!e.have_above) {
    std::memset(e.above_storage, 127, sizeof e.above_storage);
  } else {
    const uint8_t* row = plane.at(x, y - 1);
    std::memcpy(above, row, n);
    above[-1] = e.have_left ? row[-1] : 129;
    if (!chroma) {
      if (mb_col + 1 < mb_cols) {
        std::memcpy(above + 16, row + 16, 4);
      } else {
        std::memset(above + 16, row[15], 4);  // §12.3: replicate the last pixel of the row above
      }
    }
  }
  if (!e.have_left) {
    std::memset(e.left, 129, n);
  } else {
    for (int i = 0; i < n; ++i) e.left[i] = plane.at(x - 1, y + i)[0];
  }
  return e;
}

int whole_block_index(MbMode mode, bool have_above, bool have_left) {
  switch (mode) {
    case V_PRED:
      return dsp::kPredV;
    case H_PRED:
      return dsp::kPredH;
    case TM_PRED:
      return dsp::kPredTm;
    default:
      if (have_above && have_left) return dsp::kPredDc;
      if (have_above) return dsp::kPredDcTop;
      if (have_left) return dsp::kPredDcLeft;
      return dsp::kPredDc128;
  }
}

void predict_intra_luma(const dsp::Dsp& dsp, Plane& y, int mb_col, int mb_row, int mb_cols, MbMode mode) {
  const IntraEdges e = intra_edges(y, mb_col, mb_row, mb_cols, false);
  dsp.pred16[whole_block_index(mode, e.have_above, e.have_left)](y.at(mb_col * 16, mb_row * 16), y.stride(),
                                                                  e.above(), e.left);
}

void predict_intra_chroma(const dsp::Dsp& dsp, Plane& u, Plane& v, int mb_col, int mb_row, int mb_cols,
                          MbMode mode) {
  for (Plane* p : {&u, &v}) {
    const IntraEdges e = intra_edges(*p, mb_col, mb_row, mb_cols, true);
    dsp.pred8[whole_block_index(mode, e.have_above, e.have_left)](p->at(mb_col * 8, mb_row * 8), p->stride(),
                                                                   e.above(), e.left);
  }
}

void predict_intra_subblock(const dsp::Dsp& dsp, Plane& y, const IntraEdges& mb, int mb_col, int mb_row,
                            int b, BMode mode) {
  const int bx = b & 3, by = b >> 2;
  const int x = mb_col * 16 + bx * 4, yy = mb_row * 16 + by * 4;
  uint8_t above_storage[1 + 8];
  uint8_t* above = above_storage + 1;
  uint8_t left[4];
  if (by == 0) {
    std::memcpy(above_storage, mb.above() + bx * 4 - 1, 9);
  } else {
    const uint8_t* row = y.at(x, yy - 1);
    std::memcpy(above, row, 4);
    above[-1] = bx > 0 ? row[-1] : mb.left[by * 4 - 1];
    // Right-column subblocks take the pixels above-right of the macroblock (§12.3).
    if (bx < 3) {
      std::memcpy(above + 4, row + 4, 4);
    } else {
      std::memcpy(above + 4, mb.above() + 16, 4);
    }
  }
  if (bx == 0) {
    std::memcpy(left, mb.left + by * 4, 4);
  } else {
    for (int i = 0; i < 4; ++i) left[i] = y.at(x - 1, yy + i)[0];
  }
  dsp.pred4[mode](y.at(x, yy), y.stride(), above, left);
}

namespace {

// libvpx's clamp for vectors pointing so far out that only border pixels are used: limits the
// vector to 16 pixels past the edge, dropping the fraction, with identical results.
MotionVector clamp_to_border(MotionVector mv, const EdgeDistances& e) {
  if (mv.col < e.to_left - (19 << 3)) {
    mv.col = int16_t(e.to_left - (16 << 3));
  } else if (mv.col > e.to_right + (18 << 3)) {
    mv.col = int16_t(e.to_right + (16 << 3));
  }
  if (mv.row < e.to_top - (19 << 3)) {
    mv.row = int16_t(e.to_top - (16 << 3));
  } else if (mv.row > e.to_bottom + (18 << 3)) {
    mv.row = int16_t(e.to_bottom + (16 << 3));
  }
  return mv;
}

// The same for a chroma vector (compared at luma scale).
MotionVector clamp_chroma_to_border(MotionVector mv, const EdgeDistances& e) {
  if (2 * mv.col < e.to_left - (19 << 3)) {
    mv.col = int16_t((e.to_left - (16 << 3)) >> 1);
  } else if (2 * mv.col > e.to_right + (18 << 3)) {
    mv.col = int16_t((e.to_right + (16 << 3)) >> 1);
  }
  if (2 * mv.row < e.to_top - (19 << 3)) {
    mv.row = int16_t((e.to_top - (16 << 3)) >> 1);
  } else if (2 * mv.row > e.to_bottom + (18 << 3)) {
    mv.row = int16_t((e.to_bottom + (16 << 3)) >> 1);
  }
  return mv;
}

// Predicts a block at (x, y) of `dst` from `ref` displaced by mv (eighth pels in this plane). If the
// filter taps would reach outside the allocated border, the block is built from a copy with clamped
// coordinates (the same pixels an infinitely extended frame would give).
// The rare case of predict_block, kept out of line so that the common one needs no stack frame.
[[gnu::noinline]] void predict_block_clamped(const dsp::InterPredFn fn, int w, int h, uint8_t* out, int out_stride,
                                             const Plane& ref, int sx, int sy, int mx, int my) {
  const int b = ref.border();
  constexpr int kMax = 16 + 5;
  uint8_t tmp[kMax * kMax];
  for (int r = 0; r < h + 5; ++r) {
    const int ry = std::clamp(sy - 2 + r, -b, ref.height() + b - 1);
    for (int c = 0; c < w + 5; ++c) {
      const int rx = std::clamp(sx - 2 + c, -b, ref.width() + b - 1);
      tmp[r * kMax + c] = ref.at(rx, ry)[0];
    }
  }
  fn(out, out_stride, tmp + 2 * kMax + 2, kMax, mx, my);
}

void predict_block(const dsp::InterPredFn fn, int size, Plane& dst, const Plane& ref, int x, int y,
                   MotionVector mv) {
  const int w = dsp::kBlockWidth[size], h = dsp::kBlockHeight[size];
  const int sx = x + (mv.col >> 3), sy = y + (mv.row >> 3);
  const int mx = mv.col & 7, my = mv.row & 7;
  uint8_t* out = dst.at(x, y);
  const int b = ref.border();
  if (sx - 2 >= -b && sy - 2 >= -b && sx + w + 3 <= ref.width() + b && sy + h + 3 <= ref.height() + b) {
    fn(out, dst.stride(), ref.at(sx, sy), ref.stride(), mx, my);
    return;
  }
  predict_block_clamped(fn, w, h, out, dst.stride(), ref, sx, sy, mx, my);
}

}  // namespace

void predict_inter(const dsp::Dsp& dsp, Raster& frame, const Raster& ref, const MacroblockInfo& mb, int mb_col,
                   int mb_row, int version) {
  const dsp::InterPredFn* fns = version == 0 || version > 3 ? dsp.sixtap : dsp.bilinear;
  const bool full_pixel = version == 3;
  const EdgeDistances e = EdgeDistances::of(mb_col, mb_row, frame.mb_cols(), frame.mb_rows());
  const int x = mb_col * 16, y = mb_row * 16;

  if (mb.y_mode != SPLITMV) {
    MotionVector mv = mb.needs_mv_clamp ? clamp_to_border(mb.mv, e) : mb.mv;
    predict_block(fns[dsp::kBlock16x16], dsp::kBlock16x16, frame.y(), ref.y(), x, y, mv);
    // Chroma: half the luma vector, rounded away from zero (§5), full pixels only in version 3.
    MotionVector c;
    c.row = int16_t((mv.row + (mv.row < 0 ? -1 : 1)) / 2);
    c.col = int16_t((mv.col + (mv.col < 0 ? -1 : 1)) / 2);
    if (full_pixel) {
      c.row = int16_t(c.row & ~7);
      c.col = int16_t(c.col & ~7);
    }
    predict_block(fns[dsp::kBlock8x8], dsp::kBlock8x8, frame.u(), ref.u(), x / 2, y / 2, c);
    predict_block(fns[dsp::kBlock8x8], dsp::kBlock8x8, frame.v(), ref.v(), x / 2, y / 2, c);
    return;
  }

  // SPLITMV luma: 8x8 quarters when the partitioning allows, else sixteen 4x4 blocks.
  if (mb.partition != MV_16) {
    for (int q : {0, 2, 8, 10}) {
      const MotionVector mv = mb.needs_mv_clamp ? clamp_to_border(mb.b_mvs[q], e) : mb.b_mvs[q];
      predict_block(fns[dsp::kBlock8x8], dsp::kBlock8x8, frame.y(), ref.y(), x + (q & 3) * 4, y + (q >> 2) * 4,
                    mv);
    }
  } else {
    for (int b = 0; b < 16; ++b) {
      const MotionVector mv = mb.needs_mv_clamp ? clamp_to_border(mb.b_mvs[b], e) : mb.b_mvs[b];
      predict_block(fns[dsp::kBlock4x4], dsp::kBlock4x4, frame.y(), ref.y(), x + (b & 3) * 4, y + (b >> 2) * 4,
                    mv);
    }
  }
  // SPLITMV chroma: each 4x4 chroma block uses the average of the four luma vectors it covers
  // (unclamped), rounded to nearest with ties away from zero.
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 2; ++j) {
      const int b = i * 8 + j * 2;
      int sums[2] = {0, 0};
      for (int k : {0, 1, 4, 5}) {
        sums[0] += mb.b_mvs[b + k].row;
        sums[1] += mb.b_mvs[b + k].col;
      }
      MotionVector c;
      int16_t* parts[2] = {&c.row, &c.col};
      for (int k = 0; k < 2; ++k) {
        const int s = sums[k] + (sums[k] < 0 ? -4 : 4);
        int v = s / 8;
        if (full_pixel) v &= ~7;
        *parts[k] = int16_t(v);
      }
      if (mb.needs_mv_clamp) c = clamp_chroma_to_border(c, e);
      predict_block(fns[dsp::kBlock4x4], dsp::kBlock4x4, frame.u(), ref.u(), x / 2 + j * 4, y / 2 + i * 4, c);
      predict_block(fns[dsp::kBlock4x4], dsp::kBlock4x4, frame.v(), ref.v(), x / 2 + j * 4, y / 2 + i * 4, c);
    }
  }
}

}  // namespace xc::vp8
