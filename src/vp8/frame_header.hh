// Frame syntax: the uncompressed data chunk (§9.1) and the compressed frame header (§9.2-9.11,
// §19.2), as plain values that can be read, changed and written back.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "vp8/enums.hh"
#include "vp8/tables.hh"

namespace xc::vp8 {

// A magnitude with a separate sign bit, kept as coded so that "-0" survives a round trip.
struct SignedField {
  uint8_t magnitude = 0;
  bool negative = false;

  int value() const { return negative ? -int(magnitude) : int(magnitude); }
  static SignedField of(int v) { return {uint8_t(v < 0 ? -v : v), v < 0}; }
  bool operator==(const SignedField&) const = default;
};

// §9.1: the 3-byte frame tag and, for key frames, the start code and dimensions.
struct FrameTag {
  bool key_frame = true;
  uint8_t version = 0;  // 0..3 defined; others decode like 0 (as libvpx does)
  bool show_frame = true;
  uint32_t first_part_size = 0;
  // Key frames only:
  uint16_t width = 0;  // 14 bits
  uint8_t horiz_scale = 0;
  uint16_t height = 0;
  uint8_t vert_scale = 0;

  size_t size() const { return key_frame ? 10 : 3; }  // bytes before the first partition
  bool operator==(const FrameTag&) const = default;
};

// §9.3 segment header updates.
struct SegmentationHeader {
  bool update_mb_segmentation_map = false;
  bool update_segment_feature_data = false;
  bool segment_feature_mode = false;  // 1: absolute values, 0: deltas
  std::array<std::optional<SignedField>, 4> quantizer_update;    // 7-bit magnitudes
  std::array<std::optional<SignedField>, 4> loop_filter_update;  // 6-bit magnitudes
  std::array<std::optional<uint8_t>, 3> segment_prob_update;     // absent: 255
  bool operator==(const SegmentationHeader&) const = default;
};

// §9.6 quantizer indices.
struct QuantIndices {
  uint8_t y_ac_qi = 0;
  std::optional<SignedField> y_dc_delta, y2_dc_delta, y2_ac_delta, uv_dc_delta, uv_ac_delta;
  bool operator==(const QuantIndices&) const = default;
};

// Coefficient probability updates (§13.4): -1 means "not updated", else the new probability.
using CoeffProbUpdates =
    std::array<std::array<std::array<std::array<int16_t, kNumEntropyNodes>, kNumPrevCoeffContexts>,
                          kNumCoeffBands>,
               kNumBlockTypes>;

// The compressed header, every field in RFC §19.2 order.
struct FrameHeader {
  // Key frames only.
  bool color_space = false;
  bool clamping_type = false;

  bool segmentation_enabled = false;
  SegmentationHeader segmentation;
  // Whether a segment id is coded for every macroblock (§9.3, §19.3); if not, each macroblock keeps
  // its persistent one (see ModeContext::uncoded_segment_id).
  bool codes_segment_map() const { return segmentation_enabled && segmentation.update_mb_segmentation_map; }

  bool filter_type = false;  // 0: normal loop filter, 1: simple
  uint8_t loop_filter_level = 0;
  uint8_t sharpness_level = 0;

  bool loop_filter_adj_enable = false;
  bool mode_ref_lf_delta_update = false;
  std::array<std::optional<SignedField>, 4> ref_frame_delta_update;  // 6-bit magnitudes
  std::array<std::optional<SignedField>, 4> mb_mode_delta_update;

  uint8_t log2_nbr_of_dct_partitions = 0;
  QuantIndices quant;

  // Inter frames only (key frames imply: refresh all, no copies, no sign bias, refresh last).
  bool refresh_golden_frame = true;
  bool refresh_alternate_frame = true;
  uint8_t copy_buffer_to_golden = 0;     // 0 none, 1 last, 2 alt-ref
  uint8_t copy_buffer_to_alternate = 0;  // 0 none, 1 last, 2 golden
  bool sign_bias_golden = false;
  bool sign_bias_alternate = false;
  bool refresh_entropy_probs = true;
  bool refresh_last = true;

  CoeffProbUpdates coeff_prob_updates = no_coeff_updates();

  bool mb_no_coeff_skip = false;
  uint8_t prob_skip_false = 0;

  // Inter frames only.
  uint8_t prob_intra = 0;
  uint8_t prob_last = 0;
  uint8_t prob_gf = 0;
  std::optional<std::array<uint8_t, 4>> intra_16x16_prob;
  std::optional<std::array<uint8_t, 3>> intra_chroma_prob;
  // MV probability updates (§17.2): -1 means not updated, else the 7-bit value as coded.
  std::array<std::array<int16_t, kNumMvProbs>, 2> mv_prob_updates = no_mv_updates();

  int num_partitions() const { return 1 << log2_nbr_of_dct_partitions; }

  static CoeffProbUpdates no_coeff_updates();
  static std::array<std::array<int16_t, kNumMvProbs>, 2> no_mv_updates();
  bool operator==(const FrameHeader&) const = default;
};

// The compressed header's syntax (§19.2): every field in coding order, described once for reading,
// writing and any other walk over the fields. `Header` is FrameHeader for a coder that stores what it
// reads, const FrameHeader for one that writes. A coder provides, each taking the field and its RFC
// name:
//   flag(f, name)                      L(1)
//   literal(f, bits, name)             L(bits), unsigned
//   signed_field(opt, bits, name)      L(1) presence; if present L(bits) magnitude and L(1) sign
//   optional_literal(opt, bits, name)  L(1) presence; if present L(bits)
//   optional_probs(opt, name)          L(1) presence; if present one L(8) per element
//   update(f, prob, bits, name)        a bool at `prob` (f >= 0); if set L(bits) = f; f = -1 when unset
// Conditions test fields already visited, so a reader sees the values it has just read.
template <typename Header, typename Coder>
void visit_frame_header(Header& h, bool key_frame, Coder& c) {
  if (key_frame) {
    c.flag(h.color_space, "color_space");
    c.flag(h.clamping_type, "clamping_type");
  }

  // §9.3 segmentation.
  c.flag(h.segmentation_enabled, "segmentation_enabled");
  if (h.segmentation_enabled) {
    auto& s = h.segmentation;
    c.flag(s.update_mb_segmentation_map, "update_mb_segmentation_map");
    c.flag(s.update_segment_feature_data, "update_segment_feature_data");
    if (s.update_segment_feature_data) {
      c.flag(s.segment_feature_mode, "segment_feature_mode");
      for (auto& q : s.quantizer_update) c.signed_field(q, 7, "quantizer_update_value");
      for (auto& l : s.loop_filter_update) c.signed_field(l, 6, "loop_filter_update_value");
    }
    if (s.update_mb_segmentation_map) {
      for (auto& p : s.segment_prob_update) c.optional_literal(p, 8, "segment_prob");
    }
  }

  // §9.4 loop filter.
  c.flag(h.filter_type, "filter_type");
  c.literal(h.loop_filter_level, 6, "loop_filter_level");
  c.literal(h.sharpness_level, 3, "sharpness_level");
  c.flag(h.loop_filter_adj_enable, "loop_filter_adj_enable");
  if (h.loop_filter_adj_enable) {
    c.flag(h.mode_ref_lf_delta_update, "mode_ref_lf_delta_update");
    if (h.mode_ref_lf_delta_update) {
      for (auto& d : h.ref_frame_delta_update) c.signed_field(d, 6, "ref_frame_delta_update_magnitude");
      for (auto& d : h.mb_mode_delta_update) c.signed_field(d, 6, "mb_mode_delta_update_magnitude");
    }
  }

  // §9.5 partitions, §9.6 quantizers.
  c.literal(h.log2_nbr_of_dct_partitions, 2, "log2_nbr_of_dct_partitions");
  c.literal(h.quant.y_ac_qi, 7, "y_ac_qi");
  c.signed_field(h.quant.y_dc_delta, 4, "y_dc_delta_magnitude");
  c.signed_field(h.quant.y2_dc_delta, 4, "y2_dc_delta_magnitude");
  c.signed_field(h.quant.y2_ac_delta, 4, "y2_ac_delta_magnitude");
  c.signed_field(h.quant.uv_dc_delta, 4, "uv_dc_delta_magnitude");
  c.signed_field(h.quant.uv_ac_delta, 4, "uv_ac_delta_magnitude");

  // §9.7-9.8 reference updates (key frames refresh everything and code only refresh_entropy_probs).
  if (key_frame) {
    c.flag(h.refresh_entropy_probs, "refresh_entropy_probs");
  } else {
    c.flag(h.refresh_golden_frame, "refresh_golden_frame");
    c.flag(h.refresh_alternate_frame, "refresh_alternate_frame");
    if (!h.refresh_golden_frame) c.literal(h.copy_buffer_to_golden, 2, "copy_buffer_to_golden");
    if (!h.refresh_alternate_frame) c.literal(h.copy_buffer_to_alternate, 2, "copy_buffer_to_alternate");
    c.flag(h.sign_bias_golden, "sign_bias_golden");
    c.flag(h.sign_bias_alternate, "sign_bias_alternate");
    c.flag(h.refresh_entropy_probs, "refresh_entropy_probs");
    c.flag(h.refresh_last, "refresh_last");
  }

  // §13.4 coefficient probability updates.
  for (int i = 0; i < kNumBlockTypes; ++i)
    for (int j = 0; j < kNumCoeffBands; ++j)
      for (int k = 0; k < kNumPrevCoeffContexts; ++k)
        for (int l = 0; l < kNumEntropyNodes; ++l)
          c.update(h.coeff_prob_updates[i][j][k][l], kCoeffUpdateProbs[i][j][k][l], 8, "coeff_prob");

  // §9.10-9.11 skip and mode probabilities.
  c.flag(h.mb_no_coeff_skip, "mb_no_coeff_skip");
  if (h.mb_no_coeff_skip) c.literal(h.prob_skip_false, 8, "prob_skip_false");
  if (!key_frame) {
    c.literal(h.prob_intra, 8, "prob_intra");
    c.literal(h.prob_last, 8, "prob_last");
    c.literal(h.prob_gf, 8, "prob_gf");
    c.optional_probs(h.intra_16x16_prob, "intra_16x16_prob");
    c.optional_probs(h.intra_chroma_prob, "intra_chroma_prob");
    // §17.2 MV probability updates.
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < kNumMvProbs; ++j) c.update(h.mv_prob_updates[i][j], kMvUpdateProbs[i][j], 7, "mv_prob_update");
  }
}

class BoolDecoder;
class BoolEncoder;

// Parses the frame tag. Throws InvalidBitstream for a frame shorter than its tag, a bad start code
// or a zero first-partition size.
FrameTag parse_frame_tag(std::span<const uint8_t> frame);

// Reads the compressed header from the first partition's bool decoder.
FrameHeader parse_frame_header(BoolDecoder& bd, bool key_frame);

// The frame tag's bytes (3, or 10 for key frames). Throws std::invalid_argument for a field that does
// not fit (first_part_size over 19 bits, version over 3 bits, dimensions over 14 bits, scales over 2).
std::vector<uint8_t> write_frame_tag(const FrameTag& tag);

// Writes the compressed header; parse_frame_header reads it back as `h`. Throws std::invalid_argument
// for a value that does not fit its field, naming the field. Fields the syntax does not code for this
// frame (key-frame-only fields of inter frames, segment data while segmentation is off, ...) are
// ignored.
void write_frame_header(BoolEncoder& enc, const FrameHeader& h, bool key_frame);

}  // namespace xc::vp8
