// The decoding pipeline: frame tag, header, state updates, modes, tokens and reconstruction, loop
// filter, reference updates (§9, §19, §20; reference-update order as in libvpx's swap_frame_buffers).
#include "vp8/decoder.hh"

#include <fmt/format.h>

#include <memory>
#include <vector>

#include "util/errors.hh"
#include "vp8/bool_decoder.hh"
#include "vp8/loop_filter.hh"
#include "vp8/modes.hh"
#include "vp8/quant.hh"
#include "vp8/reconstruct.hh"
#include "vp8/tokens.hh"

namespace xc::vp8 {

namespace {

using util::InvalidBitstream;

// Applies the header's segmentation and loop-filter-delta updates to the persistent values (§9.3, §9.4).
void apply_header_updates(const FrameHeader& h, DecoderState& s) {
  if (h.segmentation_enabled && h.segmentation.update_segment_feature_data) {
    auto& seg = s.segmentation;
    seg.absolute_values = h.segmentation.segment_feature_mode;
    for (int i = 0; i < 4; ++i) {
      seg.quantizer[i] = int8_t(h.segmentation.quantizer_update[i] ? h.segmentation.quantizer_update[i]->value() : 0);
      seg.loop_filter_level[i] =
          int8_t(h.segmentation.loop_filter_update[i] ? h.segmentation.loop_filter_update[i]->value() : 0);
    }
  }
  if (h.loop_filter_adj_enable && h.mode_ref_lf_delta_update) {
    for (int i = 0; i < 4; ++i) {
      if (h.ref_frame_delta_update[i]) s.lf_deltas.ref[i] = int8_t(h.ref_frame_delta_update[i]->value());
      if (h.mb_mode_delta_update[i]) s.lf_deltas.mode[i] = int8_t(h.mb_mode_delta_update[i]->value());
    }
  }
}

// The frame's working probabilities: the persistent ones with this header's updates (§13.4, §16.2, §17.2).
ProbabilityTables frame_probabilities(const FrameHeader& h, const ProbabilityTables& base) {
  ProbabilityTables p = base;
  for (int i = 0; i < kNumBlockTypes; ++i)
    for (int j = 0; j < kNumCoeffBands; ++j)
      for (int k = 0; k < kNumPrevCoeffContexts; ++k)
        for (int l = 0; l < kNumEntropyNodes; ++l)
          if (h.coeff_prob_updates[i][j][k][l] >= 0) p.coeff_probs[i][j][k][l] = uint8_t(h.coeff_prob_updates[i][j][k][l]);
  if (h.intra_16x16_prob) p.y_mode_probs = *h.intra_16x16_prob;
  if (h.intra_chroma_prob) p.uv_mode_probs = *h.intra_chroma_prob;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < kNumMvProbs; ++j) {
      const int v = h.mv_prob_updates[i][j];
      if (v >= 0) p.mv_probs[i][j] = uint8_t(v ? v << 1 : 1);
    }
  return p;
}

// Splits the data after the first partition into token partitions (§9.5), refusing sizes that do not
// fit and empty partitions, as libvpx does.
std::vector<std::span<const uint8_t>> token_partitions(std::span<const uint8_t> rest, int count) {
  const size_t table = size_t(3) * (count - 1);
  if (rest.size() < table) {
    throw InvalidBitstream(fmt::format("truncated partition size table ({} partitions, {} bytes left)", count,
                                       rest.size()));
  }
  std::vector<std::span<const uint8_t>> parts;
  size_t offset = table;
  for (int i = 0; i < count; ++i) {
    const size_t left = rest.size() - offset;
    size_t size = left;
    if (i < count - 1) size = rest[3 * i] | (rest[3 * i + 1] << 8) | (rest[3 * i + 2] << 16);
    if (size == 0 || size > left) {
      throw InvalidBitstream(fmt::format("token partition {} claims {} bytes but {} remain", i + 1, size, left));
    }
    parts.push_back(rest.subspan(offset, size));
    offset += size;
  }
  return parts;
}

void update_references(const FrameHeader& h, bool key_frame, const RasterRef& frame, References& refs) {
  if (key_frame) {
    refs.last = refs.golden = refs.altref = frame;
    return;
  }
  // Copies first (alt-ref before golden, so "golden from alt-ref" sees the new alt-ref), then refreshes.
  if (h.copy_buffer_to_alternate == 1) refs.altref = refs.last;
  if (h.copy_buffer_to_alternate == 2) refs.altref = refs.golden;
  if (h.copy_buffer_to_golden == 1) refs.golden = refs.last;
  if (h.copy_buffer_to_golden == 2) refs.golden = refs.altref;
  if (h.refresh_golden_frame) refs.golden = frame;
  if (h.refresh_alternate_frame) refs.altref = frame;
  if (h.refresh_last) refs.last = frame;
}

}  // namespace

DecodedFrame decode_frame(const DecoderState& in, std::span<const uint8_t> data, const dsp::Dsp& dsp) {
  DecodedFrame out;
  out.tag = parse_frame_tag(data);
  const FrameTag& tag = out.tag;
  const bool key = tag.key_frame;
  if (!key && !in.has_key_frame()) throw InvalidBitstream("inter frame before the first key frame");

  DecoderState& s = out.state;
  s = in;
  if (key) {
    // §9.1-9.11: a key frame resets the entropy context, segmentation values and filter deltas.
    if (tag.width != s.width || tag.height != s.height) s.segmentation.map.reset();
    s.width = tag.width;
    s.height = tag.height;
    s.horiz_scale = tag.horiz_scale;
    s.vert_scale = tag.vert_scale;
    s.probs = ProbabilityTables::defaults();
    s.segmentation.absolute_values = false;
    s.segmentation.quantizer.fill(0);
    s.segmentation.loop_filter_level.fill(0);
    s.lf_deltas = {};
  }

  // Like libvpx, the first partition's decoder may run on into the bytes that follow it.
  const auto after_tag = data.subspan(tag.size());
  BoolDecoder bd(after_tag);
  out.header = parse_frame_header(bd, key);
  const FrameHeader& h = out.header;
  if (h.copy_buffer_to_golden == 3 || h.copy_buffer_to_alternate == 3) {
    throw InvalidBitstream("invalid buffer copy flag 3");
  }
  apply_header_updates(h, s);
  const ProbabilityTables probs = frame_probabilities(h, s.probs);
  if (h.refresh_entropy_probs) s.probs = probs;

  const int mb_cols = s.mb_cols(), mb_rows = s.mb_rows();
  ModeContext mctx;
  mctx.mb_cols = mb_cols;
  mctx.mb_rows = mb_rows;
  mctx.key_frame = key;
  mctx.sign_bias[GOLDEN_FRAME] = !key && h.sign_bias_golden;
  mctx.sign_bias[ALTREF_FRAME] = !key && h.sign_bias_alternate;
  mctx.previous_segment_map = in.segmentation.map && !key ? in.segmentation.map.get() : nullptr;
  const std::vector<MacroblockInfo> mbs =
      parse_modes(bd, h, mctx, probs.y_mode_probs, probs.uv_mode_probs, probs.mv_probs);
  if (bd.overran()) throw InvalidBitstream("first partition is truncated (modes read past its end)");

  // The segment map persists; a key frame without an update resets it.
  if (h.segmentation_enabled && h.segmentation.update_mb_segmentation_map) {
    auto map = std::make_shared<std::vector<uint8_t>>(mbs.size());
    for (size_t i = 0; i < mbs.size(); ++i) (*map)[i] = mbs[i].segment_id;
    s.segmentation.map = std::move(map);
  } else if (key) {
    s.segmentation.map.reset();
  }

  const auto parts = token_partitions(after_tag.subspan(tag.first_part_size), h.num_partitions());
  std::vector<BoolDecoder> part_decoders;
  for (auto p : parts) part_decoders.emplace_back(p);

  const std::array<DequantFactors, 4> dq = frame_dequant_factors(h, s.segmentation);
  auto frame = std::make_shared<Raster>(s.width, s.height);
  std::vector<TokenContext> above(mb_cols);
  std::vector<uint8_t> no_coeffs(mbs.size(), 1);
  MacroblockCoeffs coeffs;
  for (int r = 0; r < mb_rows; ++r) {
    BoolDecoder& tbd = part_decoders[r % part_decoders.size()];
    TokenContext left{};
    for (int c = 0; c < mb_cols; ++c) {
      const size_t i = size_t(r) * mb_cols + c;
      const MacroblockInfo& mb = mbs[i];
      const MacroblockCoeffs* residual = nullptr;
      if (!mb.mb_skip_coeff) {
        coeffs = MacroblockCoeffs{};
        parse_macroblock_tokens(tbd, probs.coeff_probs, mb.has_y2(), above[c], left, coeffs);
        no_coeffs[i] = coeffs.all_eob;
        residual = &coeffs;
      } else {
        reset_token_context(mb.has_y2(), above[c], left);
      }
      reconstruct_macroblock(dsp, *frame, s.refs, mb, residual, dq[h.segmentation_enabled ? mb.segment_id : 0], c, r,
                             tag.version);
    }
    if (tbd.overran()) {
      throw InvalidBitstream(fmt::format("token partition {} is truncated (read past its end in macroblock row {})",
                                         r % part_decoders.size() + 1, r));
    }
  }

  loop_filter_frame(dsp, *frame, h, key, s.segmentation, s.lf_deltas, mbs, no_coeffs);
  frame->extend_borders();
  out.picture = frame;
  out.shown = tag.show_frame;
  update_references(h, key, frame, s.refs);
  return out;
}

}  // namespace xc::vp8
