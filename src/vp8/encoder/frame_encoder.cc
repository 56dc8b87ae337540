// Frame-level encoding: header set-up, mode decision or rebase, probabilities and loop filter.
#include "vp8/encoder/frame_encoder.hh"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "util/errors.hh"
#include "vp8/encoder/motion_search.hh"
#include "vp8/encoder/probabilities.hh"
#include "vp8/encoder/residual.hh"
#include "vp8/loop_filter.hh"
#include "vp8/quant.hh"

namespace xc::vp8::enc {

namespace {

std::optional<SignedField> explicit_value(int v) { return SignedField::of(v); }

// The header of a frame decided from scratch: carried fields from `like`, everything else plain.
FrameHeader fresh_header(const FreshFrameParams& p) {
  FrameHeader h;
  if (p.like) {
    const FrameHeader& l = *p.like;
    h.filter_type = l.filter_type;
    h.sharpness_level = l.sharpness_level;
    h.log2_nbr_of_dct_partitions = l.log2_nbr_of_dct_partitions;
    h.quant = l.quant;
    if (p.like_state && l.segmentation_enabled) {
      // Code the segmentation the replaced frame had in effect: values and map, explicitly.
      const SegmentationState& seg = p.like_state->segmentation;
      h.segmentation_enabled = true;
      h.segmentation.update_mb_segmentation_map = true;
      h.segmentation.update_segment_feature_data = true;
      h.segmentation.segment_feature_mode = seg.absolute_values;
      for (int i = 0; i < 4; ++i) {
        h.segmentation.quantizer_update[i] = explicit_value(seg.quantizer[i]);
        h.segmentation.loop_filter_update[i] = explicit_value(seg.loop_filter_level[i]);
      }
    }
    if (p.like_state && l.loop_filter_adj_enable) {
      h.loop_filter_adj_enable = true;
      h.mode_ref_lf_delta_update = true;
      for (int i = 0; i < 4; ++i) {
        h.ref_frame_delta_update[i] = explicit_value(p.like_state->lf_deltas.ref[i]);
        h.mb_mode_delta_update[i] = explicit_value(p.like_state->lf_deltas.mode[i]);
      }
    }
  }
  h.quant.y_ac_qi = uint8_t(std::clamp(p.qindex, 0, 127));
  h.refresh_golden_frame = p.key_frame || p.refresh_golden;
  h.refresh_alternate_frame = p.key_frame || p.refresh_alternate;
  if (!p.key_frame && p.alternate_from_golden && h.refresh_golden_frame) {
    h.refresh_alternate_frame = false;
    h.copy_buffer_to_alternate = 2;
  }
  h.refresh_entropy_probs = true;
  h.refresh_last = true;
  h.mb_no_coeff_skip = true;
  h.prob_skip_false = 128;
  // Estimates for the decisions; replaced by counts afterwards.
  h.prob_intra = 32;
  h.prob_last = 224;
  h.prob_gf = 128;
  return h;
}

// Segment-map probabilities (§9.3) from the ids the frame codes.
void choose_segment_probabilities(ParsedFrame& f) {
  if (!f.header.codes_segment_map()) return;
  auto& s = f.header.segmentation;
  int64_t n[4] = {0, 0, 0, 0};
  for (const auto& mb : f.mbs) ++n[mb.segment_id & 3];
  s.segment_prob_update[0] = prob_from_counts(n[0] + n[1], n[2] + n[3]);
  s.segment_prob_update[1] = prob_from_counts(n[0], n[1]);
  s.segment_prob_update[2] = prob_from_counts(n[2], n[3]);
}

std::vector<uint8_t> no_coeff_flags(const ParsedFrame& f) {
  std::vector<uint8_t> flags(f.mbs.size(), 1);
  for (size_t i = 0; i < f.mbs.size(); ++i)
    if (!f.mbs[i].mb_skip_coeff) flags[i] = f.coeffs[i].all_eob;
  return flags;
}

}  // namespace

int64_t picture_sse(const Raster& p, const util::Image& t, const dsp::Dsp& dsp) {
  int64_t sse = int64_t(dsp.sse_area(p.y().row(0), p.y().stride(), t.y.data(), t.width, t.width, t.height));
  const int cw = t.chroma_width(), ch = t.chroma_height();
  sse += int64_t(dsp.sse_area(p.u().row(0), p.u().stride(), t.u.data(), cw, cw, ch));
  sse += int64_t(dsp.sse_area(p.v().row(0), p.v().stride(), t.v.data(), cw, cw, ch));
  return sse;
}

namespace {

// Loop-filter trials on part of the frame. Filtering whole copies of the picture for every trial
// level was the largest cost of a rebase; the error of bands of macroblock rows spread evenly over
// the frame, a fifth of its rows, ranks the levels nearly as well (libvpx's fast level search
// measures one band in the middle of the frame); tests/enc_filter_search_test.cc bounds how far the
// level chosen this way can be from the best whole-frame level. Each band is filtered with one unmeasured row above it, since
// filtering a band's top edge reads and changes the row above; the band's own bottom rows miss the
// change the next row's top edge would make, a small bias shared by every level. Frames of few
// rows are measured whole, exactly.
class FilterTrials {
 public:
  FilterTrials(const dsp::Dsp& dsp, const DecoderState& begun, const ParsedFrame& frame, const Raster& unfiltered,
               const util::Image& target, FrameBuffers* buffers)
      : dsp_(dsp), begun_(begun), frame_(frame), unfiltered_(unfiltered), target_(target), header_(frame.header) {
    const std::vector<uint8_t> no_coeffs = no_coeff_flags(frame);
    const int rows = unfiltered.mb_rows(), cols = unfiltered.mb_cols();
    std::vector<std::pair<int, int>> spans;  // measured rows [first, end)
    if (rows < kWholeFrameBelow) {
      spans.push_back({0, rows});
    } else {
      const int count = (rows + kBandRows * kSpacing - 1) / (kBandRows * kSpacing);
      for (int b = 0; b < count; ++b) {
        // Band centres at (b + 1/2) / count of the frame.
        const int first = std::clamp((2 * b + 1) * rows / (2 * count) - kBandRows / 2, 1, rows - kBandRows);
        spans.push_back({first, first + kBandRows});
      }
    }
    for (const auto& [first, end] : spans) {
      Band band;
      band.first_row = first > 0 ? first - 1 : 0;
      band.measured_from = first;
      band.end_row = end;
      const int height = std::min((end - band.first_row) * 16, unfiltered.display_height() - band.first_row * 16);
      if (buffers) {
        band.raster = &buffers->band(bands_.size(), unfiltered.display_width(), height);
      } else {
        band.owned = std::make_unique<Raster>(unfiltered.display_width(), height);
        band.raster = band.owned.get();
      }
      const size_t from = size_t(band.first_row) * cols, to = size_t(end) * cols;
      band.mbs.assign(frame.mbs.begin() + from, frame.mbs.begin() + to);
      band.no_coeffs.assign(no_coeffs.begin() + from, no_coeffs.begin() + to);
      bands_.push_back(std::move(band));
    }
  }

  int64_t error_at(int level, int sharpness) {
    header_.loop_filter_level = uint8_t(level);
    header_.sharpness_level = uint8_t(sharpness);
    const LoopFilterStrengths strengths(header_, begun_.segmentation, begun_.lf_deltas, frame_.tag.key_frame);
    int64_t sse = 0;
    for (Band& b : bands_) {
      for (int p = 0; p < 3; ++p) {
        const int shift = p == 0 ? 4 : 3;  // rows of pixels per macroblock row: 16 luma, 8 chroma
        const Plane& from = unfiltered_.plane(p);
        Plane& to = b.raster->plane(p);
        for (int y = 0; y < to.height(); ++y) {
          std::memcpy(to.row(y), from.row((b.first_row << shift) + y), size_t(to.width()));
        }
      }
      loop_filter_frame(dsp_, *b.raster, strengths, b.mbs, b.no_coeffs);
      sse += band_sse(b);
    }
    return sse;
  }

 private:
  static constexpr int kBandRows = 3;         // measured macroblock rows per band
  static constexpr int kSpacing = 5;          // one band in every kSpacing * kBandRows rows
  static constexpr int kWholeFrameBelow = 12;  // frames with fewer macroblock rows are measured whole

  struct Band {
    int first_row = 0;      // first macroblock row filtered (context included)
    int measured_from = 0;  // first macroblock row measured
    int end_row = 0;        // one past the last
    Raster* raster = nullptr;  // `owned`, or one of the frame buffers' bands
    std::unique_ptr<Raster> owned;
    std::vector<MacroblockInfo> mbs;
    std::vector<uint8_t> no_coeffs;
  };

  // Squared error of the band's measured rows (visible area) against the target.
  int64_t band_sse(const Band& b) const {
    int64_t sse = 0;
    for (int p = 0; p < 3; ++p) {
      const int shift = p == 0 ? 4 : 3;
      const int width = p == 0 ? target_.width : target_.chroma_width();
      const int height = p == 0 ? target_.height : target_.chroma_height();
      const uint8_t* t = p == 0 ? target_.y.data() : p == 1 ? target_.u.data() : target_.v.data();
      const int y0 = b.measured_from << shift, y1 = std::min(height, b.end_row << shift);
      if (y1 <= y0) continue;
      const Plane& pl = b.raster->plane(p);
      sse += int64_t(dsp_.sse_area(pl.row(y0 - (b.first_row << shift)), pl.stride(), t + size_t(y0) * width, width,
                                   width, y1 - y0));
    }
    return sse;
  }

  const dsp::Dsp& dsp_;
  const DecoderState& begun_;
  const ParsedFrame& frame_;
  const Raster& unfiltered_;
  const util::Image& target_;
  FrameHeader header_;
  std::vector<Band> bands_;
};

}  // namespace

LoopFilterChoice choose_loop_filter(const dsp::Dsp& dsp, const DecoderState& begun, const ParsedFrame& frame,
                                    const Raster& unfiltered, const util::Image& target, FrameBuffers* buffers) {
  FilterTrials trials(dsp, begun, frame, unfiltered, target, buffers);
  std::array<std::array<int64_t, 64>, 8> tried;
  for (auto& row : tried) row.fill(-1);
  auto error_at = [&](int level, int sharpness) {
    int64_t& e = tried[size_t(sharpness)][size_t(level)];
    if (e < 0) e = trials.error_at(level, sharpness);
    return e;
  };
  LoopFilterChoice best{uint8_t(std::clamp<int>(frame.header.loop_filter_level, 0, 63)),
                        uint8_t(std::clamp<int>(frame.header.sharpness_level, 0, 7))};
  // Descent on the level from the frame's own by steps of 2, then 1; the error is close to unimodal
  // in the level, and the frame's level is usually within a few steps of the best, so this takes
  // fewer trials than halving steps from 8.
  auto descend_level = [&] {
    for (int step : {2, 1}) {
      bool moved = true;
      while (moved) {
        moved = false;
        for (int level : {best.level - step, best.level + step}) {
          if (level >= 0 && level < 64 && error_at(level, best.sharpness) < error_at(best.level, best.sharpness)) {
            best.level = uint8_t(level);
            moved = true;
          }
        }
      }
    }
  };
  // Descent on the sharpness by steps of 1 at the current level (at level 0 nothing is filtered and
  // the sharpness does not matter).
  auto descend_sharpness = [&] {
    bool moved = false;
    for (bool again = best.level > 0; again;) {
      again = false;
      for (int sharpness : {best.sharpness - 1, best.sharpness + 1}) {
        if (sharpness >= 0 && sharpness < 8 &&
            error_at(best.level, sharpness) < error_at(best.level, best.sharpness)) {
          best.sharpness = uint8_t(sharpness);
          again = moved = true;
        }
      }
    }
    return moved;
  };
  // Sharpness first: a lower level at the frame's sharpness can stand in for a higher sharpness
  // (both filter less), and the level descent alone would settle there. One or two trials more than
  // the level descent when the frame's own sharpness stays best.
  descend_sharpness();
  descend_level();
  if (descend_sharpness()) descend_level();
  return best;
}

namespace {

void apply(const LoopFilterChoice& c, FrameHeader& h) {
  h.loop_filter_level = c.level;
  h.sharpness_level = c.sharpness;
}

}  // namespace

EncodedFrame encode_fresh_frame(const DecoderState& state, const util::Image& source, const FreshFrameParams& p,
                                const dsp::Dsp& dsp) {
  if (!p.key_frame && !state.has_key_frame()) {
    throw util::StateMismatch("cannot encode an inter frame onto a state without a key frame");
  }
  EncodedFrame out;
  ParsedFrame& f = out.frame;
  f.tag.key_frame = p.key_frame;
  f.tag.version = p.version;
  f.tag.show_frame = true;
  if (p.key_frame) {
    f.tag.width = uint16_t(source.width);
    f.tag.height = uint16_t(source.height);
  } else if (source.width != state.width || source.height != state.height) {
    throw util::UsageError(fmt::format("the picture is {}x{} but the state's frames are {}x{}", source.width,
                                       source.height, state.width, state.height));
  }
  f.header = fresh_header(p);

  const FrameContext ctx = begin_frame(state, f.tag, f.header);
  FrameSetup setup;
  setup.frame = &ctx;
  setup.header = &f.header;
  setup.version = p.version;
  setup.key_frame = p.key_frame;
  std::vector<uint8_t> segments;
  if (f.header.segmentation_enabled) segments = p.segment_ids;
  CodedFrame coded = decide_and_code(dsp, setup, source, segments, p.modes);
  f.mbs = std::move(coded.mbs);
  f.coeffs = std::move(coded.coeffs);
  optimize_probabilities(state, f);
  choose_segment_probabilities(f);
  f.header.loop_filter_level = uint8_t(std::min(63, f.header.quant.y_ac_qi / 3));
  apply(choose_loop_filter(dsp, ctx.state, f, *coded.picture, source), f.header);
  out.decoded = finish_frame(ctx, f, coded.picture, dsp);
  return out;
}

EncodedFrame redecide_frame(const DecoderState& state, const ParsedFrame& frame, const util::Image& target,
                            const ModeDecisionOptions& modes, const dsp::Dsp& dsp, FilterLevel filter) {
  if (frame.tag.key_frame) throw std::invalid_argument("redecide_frame: a key frame has no hints to keep");
  EncodedFrame out;
  ParsedFrame& f = out.frame;
  f.tag = frame.tag;
  f.header = frame.header;
  const FrameContext ctx = begin_frame(state, f.tag, f.header);
  FrameSetup setup;
  setup.frame = &ctx;
  setup.header = &f.header;
  setup.version = f.tag.version;
  setup.key_frame = false;
  std::vector<uint8_t> segments;
  if (f.header.segmentation_enabled) {
    for (const auto& mb : frame.mbs) segments.push_back(mb.segment_id);
  }
  CodedFrame coded = decide_and_code(dsp, setup, target, segments, modes, &frame.mbs);
  f.mbs = std::move(coded.mbs);
  f.coeffs = std::move(coded.coeffs);
  optimize_probabilities(state, f);
  choose_segment_probabilities(f);
  if (filter == FilterLevel::search) apply(choose_loop_filter(dsp, ctx.state, f, *coded.picture, target), f.header);
  out.decoded = finish_frame(ctx, f, coded.picture, dsp);
  return out;
}

EncodedFrame rebase_frame_fully(const DecoderState& state, ParsedFrame frame, const util::Image& target,
                                const dsp::Dsp& dsp, const QuantizerOptions& quantizer, FrameBuffers* buffers,
                                FilterLevel filter) {
  EncodedFrame out;
  // The rebase itself, stopped before the loop filter so that the level can be chosen afresh.
  UnfilteredFrame u = rebase_macroblocks(state, frame, target, dsp, quantizer, buffers);
  frame = ParsedFrame{};  // its coefficients are replaced; free them before the search
  out.frame = std::move(u.frame);
  optimize_probabilities(state, out.frame);
  // The search starts from the frame's own level and sharpness.
  if (filter == FilterLevel::search) {
    apply(choose_loop_filter(dsp, u.context.state, out.frame, *u.picture, target, buffers), out.frame.header);
  }
  out.decoded = finish_frame(u.context, out.frame, u.picture, dsp);
  return out;
}

}  // namespace xc::vp8::enc
