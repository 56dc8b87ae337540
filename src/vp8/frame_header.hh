// Frame syntax: the uncompressed data chunk (§9.1) and the compressed frame header (§9.2-9.11,
// §19.2), as plain values that can be read, changed and written back.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "vp8/enums.hh"

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

class BoolDecoder;

// Parses the frame tag. Throws InvalidBitstream for a frame shorter than its tag, a bad start code
// or a zero first-partition size.
FrameTag parse_frame_tag(std::span<const uint8_t> frame);

// Reads the compressed header from the first partition's bool decoder.
FrameHeader parse_frame_header(BoolDecoder& bd, bool key_frame);

}  // namespace xc::vp8
