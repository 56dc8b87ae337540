// Parsing of the frame tag (§9.1) and the compressed frame header (§9.2-9.11, §19.2).
#include "vp8/frame_header.hh"

#include <fmt/format.h>

#include "util/errors.hh"
#include "vp8/bool_decoder.hh"
#include "vp8/tables.hh"

namespace xc::vp8 {

CoeffProbUpdates FrameHeader::no_coeff_updates() {
  CoeffProbUpdates u;
  for (auto& a : u)
    for (auto& b : a)
      for (auto& c : b) c.fill(-1);
  return u;
}

std::array<std::array<int16_t, kNumMvProbs>, 2> FrameHeader::no_mv_updates() {
  std::array<std::array<int16_t, kNumMvProbs>, 2> u;
  for (auto& a : u) a.fill(-1);
  return u;
}

FrameTag parse_frame_tag(std::span<const uint8_t> frame) {
  using util::InvalidBitstream;
  if (frame.size() < 3) {
    throw InvalidBitstream(fmt::format("frame of {} bytes is shorter than its 3-byte tag", frame.size()));
  }
  FrameTag tag;
  const uint32_t raw = frame[0] | (frame[1] << 8) | (frame[2] << 16);
  tag.key_frame = !(raw & 1);
  tag.version = (raw >> 1) & 7;
  tag.show_frame = (raw >> 4) & 1;
  tag.first_part_size = raw >> 5;
  if (tag.first_part_size == 0) throw InvalidBitstream("first partition size is 0");
  if (tag.key_frame) {
    if (frame.size() < 10) {
      throw InvalidBitstream(fmt::format("key frame of {} bytes is shorter than its 10-byte header",
                                         frame.size()));
    }
    if (frame[3] != 0x9d || frame[4] != 0x01 || frame[5] != 0x2a) {
      throw InvalidBitstream(fmt::format("bad key frame start code {:02x} {:02x} {:02x} (expected 9d 01 2a)",
                                         frame[3], frame[4], frame[5]));
    }
    tag.width = (frame[6] | (frame[7] << 8)) & 0x3fff;
    tag.horiz_scale = frame[7] >> 6;
    tag.height = (frame[8] | (frame[9] << 8)) & 0x3fff;
    tag.vert_scale = frame[9] >> 6;
    if (tag.width == 0 || tag.height == 0) {
      throw InvalidBitstream(fmt::format("key frame has an empty size {}x{}", tag.width, tag.height));
    }
  }
  if (frame.size() - tag.size() < tag.first_part_size) {
    throw InvalidBitstream(fmt::format("first partition claims {} bytes but only {} remain",
                                       tag.first_part_size, frame.size() - tag.size()));
  }
  return tag;
}

namespace {

std::optional<SignedField> read_optional_signed(BoolDecoder& bd, int bits) {
  if (!bd.read_bit()) return std::nullopt;
  SignedField f;
  f.magnitude = uint8_t(bd.read_literal(bits));
  f.negative = bd.read_bit();
  return f;
}

}  // namespace

FrameHeader parse_frame_header(BoolDecoder& bd, bool key_frame) {
  FrameHeader h;
  if (key_frame) {
    h.color_space = bd.read_bit();
    h.clamping_type = bd.read_bit();
  }

  // §9.3 segmentation.
  h.segmentation_enabled = bd.read_bit();
  if (h.segmentation_enabled) {
    auto& s = h.segmentation;
    s.update_mb_segmentation_map = bd.read_bit();
    s.update_segment_feature_data = bd.read_bit();
    if (s.update_segment_feature_data) {
      s.segment_feature_mode = bd.read_bit();
      for (auto& q : s.quantizer_update) q = read_optional_signed(bd, 7);
      for (auto& l : s.loop_filter_update) l = read_optional_signed(bd, 6);
    }
    if (s.update_mb_segmentation_map) {
      for (auto& p : s.segment_prob_update) {
        if (bd.read_bit()) p = uint8_t(bd.read_literal(8));
      }
    }
  }

  // §9.4 loop filter.
  h.filter_type = bd.read_bit();
  h.loop_filter_level = uint8_t(bd.read_literal(6));
  h.sharpness_level = uint8_t(bd.read_literal(3));
  h.loop_filter_adj_enable = bd.read_bit();
  if (h.loop_filter_adj_enable) {
    h.mode_ref_lf_delta_update = bd.read_bit();
    if (h.mode_ref_lf_delta_update) {
      for (auto& d : h.ref_frame_delta_update) d = read_optional_signed(bd, 6);
      for (auto& d : h.mb_mode_delta_update) d = read_optional_signed(bd, 6);
    }
  }

  // §9.5 partitions, §9.6 quantizers.
  h.log2_nbr_of_dct_partitions = uint8_t(bd.read_literal(2));
  h.quant.y_ac_qi = uint8_t(bd.read_literal(7));
  h.quant.y_dc_delta = read_optional_signed(bd, 4);
  h.quant.y2_dc_delta = read_optional_signed(bd, 4);
  h.quant.y2_ac_delta = read_optional_signed(bd, 4);
  h.quant.uv_dc_delta = read_optional_signed(bd, 4);
  h.quant.uv_ac_delta = read_optional_signed(bd, 4);

  // §9.7-9.8 reference updates.
  if (key_frame) {
    h.refresh_entropy_probs = bd.read_bit();
  } else {
    h.refresh_golden_frame = bd.read_bit();
    h.refresh_alternate_frame = bd.read_bit();
    if (!h.refresh_golden_frame) h.copy_buffer_to_golden = uint8_t(bd.read_literal(2));
    if (!h.refresh_alternate_frame) h.copy_buffer_to_alternate = uint8_t(bd.read_literal(2));
    h.sign_bias_golden = bd.read_bit();
    h.sign_bias_alternate = bd.read_bit();
    h.refresh_entropy_probs = bd.read_bit();
    h.refresh_last = bd.read_bit();
  }

  // §13.4 coefficient probability updates.
  for (int i = 0; i < kNumBlockTypes; ++i)
    for (int j = 0; j < kNumCoeffBands; ++j)
      for (int k = 0; k < kNumPrevCoeffContexts; ++k)
        for (int l = 0; l < kNumEntropyNodes; ++l)
          if (bd.read(kCoeffUpdateProbs[i][j][k][l])) {
            h.coeff_prob_updates[i][j][k][l] = int16_t(bd.read_literal(8));
          }

  // §9.10-9.11 skip and mode probabilities.
  h.mb_no_coeff_skip = bd.read_bit();
  if (h.mb_no_coeff_skip) h.prob_skip_false = uint8_t(bd.read_literal(8));
  if (!key_frame) {
    h.prob_intra = uint8_t(bd.read_literal(8));
    h.prob_last = uint8_t(bd.read_literal(8));
    h.prob_gf = uint8_t(bd.read_literal(8));
    if (bd.read_bit()) {
      std::array<uint8_t, 4> p;
      for (auto& v : p) v = uint8_t(bd.read_literal(8));
      h.intra_16x16_prob = p;
    }
    if (bd.read_bit()) {
      std::array<uint8_t, 3> p;
      for (auto& v : p) v = uint8_t(bd.read_literal(8));
      h.intra_chroma_prob = p;
    }
    // §17.2 MV probability updates.
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < kNumMvProbs; ++j)
        if (bd.read(kMvUpdateProbs[i][j])) h.mv_prob_updates[i][j] = int16_t(bd.read_literal(7));
  }
  return h;
}

}  // namespace xc::vp8
