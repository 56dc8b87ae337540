// Frame serialization (§9.1 tag, §9.5 partition layout, §19): the header and modes through the first
// partition's bool encoder, tokens row by row into 1, 2, 4 or 8 token partitions.
#include "vp8/frame_writer.hh"

#include <fmt/format.h>

#include <stdexcept>

#include "vp8/bool_encoder.hh"
#include "vp8/branch_counter.hh"
#include "vp8/modes.hh"
#include "vp8/tokens.hh"

namespace xc::vp8 {

namespace {

// Codes every macroblock's tokens, row r through encoder_for_row(r) (a BoolEncoder or a
// BranchCounter), with the contexts parse_frame keeps.
template <typename EncoderForRow>
void code_tokens(const ParsedFrame& frame, const ModeContext& ctx, const ProbabilityTables& probs,
                 EncoderForRow&& encoder_for_row) {
  std::vector<TokenContext> above(size_t(ctx.mb_cols));
  for (int r = 0; r < ctx.mb_rows; ++r) {
    auto& enc = encoder_for_row(r);
    TokenContext left{};
    for (int c = 0; c < ctx.mb_cols; ++c) {
      const size_t i = size_t(r) * ctx.mb_cols + c;
      const MacroblockInfo& mb = frame.mbs[i];
      if (mb.mb_skip_coeff) {
        reset_token_context(mb.has_y2(), above[c], left);
        continue;
      }
      try {
        write_macroblock_tokens(enc, probs.coeff_probs, mb.has_y2(), above[c], left, frame.coeffs[i]);
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(fmt::format("macroblock row {} column {}: {}", r, c, e.what()));
      }
    }
  }
}

// Macroblock row r goes to partition r mod count (§9.5).
std::vector<std::vector<uint8_t>> write_token_partitions(const ParsedFrame& frame, const ModeContext& ctx,
                                                         const ProbabilityTables& probs) {
  std::vector<BoolEncoder> partitions(size_t(frame.header.num_partitions()));
  code_tokens(frame, ctx, probs,
              [&](int r) -> BoolEncoder& { return partitions[size_t(r) % partitions.size()]; });
  std::vector<std::vector<uint8_t>> out;
  for (auto& enc : partitions) out.push_back(enc.finish());
  return out;
}

// The context of a frame to be coded from `state`, after checking that it has a record and a
// coefficient set per macroblock.
FrameContext writable_frame_context(const DecoderState& state, const ParsedFrame& frame) {
  if (!frame.tag.key_frame && !state.has_key_frame()) {
    throw std::invalid_argument("an inter frame needs a state with a key frame");
  }
  FrameContext ctx = begin_frame(state, frame.tag, frame.header);
  const size_t mb_count = size_t(ctx.modes.mb_cols) * ctx.modes.mb_rows;
  if (frame.mbs.size() != mb_count || frame.coeffs.size() != mb_count) {
    throw std::invalid_argument(fmt::format("{} macroblock records and {} coefficient sets for {} macroblocks",
                                            frame.mbs.size(), frame.coeffs.size(), mb_count));
  }
  return ctx;
}

}  // namespace

std::vector<uint8_t> write_frame(const DecoderState& state, const ParsedFrame& frame) {
  const FrameTag& tag = frame.tag;
  const FrameHeader& h = frame.header;
  const FrameContext ctx = writable_frame_context(state, frame);

  BoolEncoder first;
  write_frame_header(first, h, tag.key_frame);
  write_modes(first, h, ctx.modes, ctx.probs, frame.mbs);
  const std::vector<uint8_t> first_partition = first.finish();
  const auto partitions = write_token_partitions(frame, ctx.modes, ctx.probs);

  FrameTag out_tag = tag;
  out_tag.first_part_size = uint32_t(first_partition.size());
  std::vector<uint8_t> out = write_frame_tag(out_tag);
  out.insert(out.end(), first_partition.begin(), first_partition.end());
  // §9.5: a 3-byte little-endian size for every token partition but the last.
  for (size_t p = 0; p + 1 < partitions.size(); ++p) {
    const size_t size = partitions[p].size();
    if (size >= (size_t(1) << 24)) {
      throw std::invalid_argument(fmt::format("token partition {} of {} bytes does not fit its 24-bit size", p + 1, size));
    }
    out.insert(out.end(), {uint8_t(size), uint8_t(size >> 8), uint8_t(size >> 16)});
  }
  for (const auto& part : partitions) out.insert(out.end(), part.begin(), part.end());
  return out;
}

FrameBranchCounts count_frame_branches(const DecoderState& state, const ParsedFrame& frame) {
  const FrameContext ctx = writable_frame_context(state, frame);
  const ProbabilityTables& probs = ctx.probs;
  BranchCounter counter;
  counter.watch(probs);
  const FrameHeader& h = frame.header;
  for (const uint8_t* p : {&h.prob_skip_false, &h.prob_intra, &h.prob_last, &h.prob_gf}) counter.watch(*p);
  write_modes(counter, h, ctx.modes, probs, frame.mbs);
  code_tokens(frame, ctx.modes, probs, [&](int) -> BranchCounter& { return counter; });

  FrameBranchCounts out;
  for (int i = 0; i < kNumBlockTypes; ++i)
    for (int j = 0; j < kNumCoeffBands; ++j)
      for (int k = 0; k < kNumPrevCoeffContexts; ++k)
        for (int l = 0; l < kNumEntropyNodes; ++l) {
          out.coeff[i][j][k][l] = counter.counts(probs.coeff_probs[i][j][k][l]);
        }
  for (int i = 0; i < 4; ++i) out.y_mode[i] = counter.counts(probs.y_mode_probs[i]);
  for (int i = 0; i < 3; ++i) out.uv_mode[i] = counter.counts(probs.uv_mode_probs[i]);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < kNumMvProbs; ++j) out.mv[i][j] = counter.counts(probs.mv_probs[i][j]);
  out.skip = counter.counts(h.prob_skip_false);
  out.intra = counter.counts(h.prob_intra);
  out.last = counter.counts(h.prob_last);
  out.gf = counter.counts(h.prob_gf);
  return out;
}

}  // namespace xc::vp8
