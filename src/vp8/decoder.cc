// The decoding pipeline: frame tag, header, state updates, modes, tokens and reconstruction, loop
// filter, reference updates (§9, §19, §20; reference-update order as in libvpx's swap_frame_buffers).
#include "vp8/decoder.hh"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <memory>
#include <vector>

#include "util/errors.hh"
#include "util/thread_pool.hh"
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

// Splits the data after the first partition into token partitions (§9.5) as libvpx does: the size
// table must be there in full; then partitions are taken in order while bytes remain, each non-empty
// and no larger than what remains (the last takes the rest). When the bytes run out early, the
// partitions left are empty, which libvpx accepts as long as no macroblock row reads one (it flags
// the frame as corrupt when one does, and this refuses it). `rows` is the frame's macroblock rows.
std::vector<std::span<const uint8_t>> token_partitions(std::span<const uint8_t> rest, int count, int rows) {
  const size_t table = size_t(3) * (count - 1);
  if (rest.size() < table) {
    throw InvalidBitstream(fmt::format("truncated partition size table ({} partitions, {} bytes left)", count,
                                       rest.size()));
  }
  std::vector<std::span<const uint8_t>> parts(count);
  size_t offset = table;
  for (int i = 0; i < count && offset < rest.size(); ++i) {
    const size_t left = rest.size() - offset;
    size_t size = left;
    if (i < count - 1) size = rest[3 * i] | (rest[3 * i + 1] << 8) | (rest[3 * i + 2] << 16);
    if (size == 0 || size > left) {
      throw InvalidBitstream(fmt::format("token partition {} claims {} bytes but {} remain", i + 1, size, left));
    }
    parts[i] = rest.subspan(offset, size);
    offset += size;
  }
  for (int i = 0; i < std::min(count, rows); ++i) {
    if (parts[i].empty()) {
      throw InvalidBitstream(fmt::format("token partition {} is missing (the frame ends before it)", i + 1));
    }
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

// Everything up to the token partitions: tag, header, the frame's context and modes.
struct PreparedFrame : FrameContext {
  FrameTag tag;
  FrameHeader header;
  std::vector<MacroblockInfo> mbs;
  std::vector<BoolDecoder> partitions;
};

// Resets what a key frame resets (§9.1-9.11) and applies the header's persistent updates.
void begin_state(const FrameTag& tag, const FrameHeader& h, DecoderState& s) {
  if (tag.key_frame) {
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
  apply_header_updates(h, s);
}

ProbabilityTables updated_probabilities(const FrameHeader& h, const ProbabilityTables& base) {
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

// The persistent segment map after a frame with these modes.
void update_segment_map(const FrameHeader& h, bool key_frame, const std::vector<MacroblockInfo>& mbs,
                        DecoderState& s) {
  if (h.codes_segment_map()) {
    auto map = std::make_shared<std::vector<uint8_t>>(mbs.size());
    for (size_t i = 0; i < mbs.size(); ++i) (*map)[i] = mbs[i].segment_id;
    s.segmentation.map = std::move(map);
  } else if (key_frame) {
    s.segmentation.map.reset();
  }
}

PreparedFrame prepare(const DecoderState& in, std::span<const uint8_t> data) {
  PreparedFrame f;
  f.tag = parse_frame_tag(data);
  const bool key = f.tag.key_frame;
  if (!key && !in.has_key_frame()) throw InvalidBitstream("inter frame before the first key frame");

  // Like libvpx, the first partition's decoder may run on into the bytes that follow it.
  const auto after_tag = data.subspan(f.tag.size());
  BoolDecoder bd(after_tag);
  f.header = parse_frame_header(bd, key);
  const FrameHeader& h = f.header;
  if (h.copy_buffer_to_golden == 3 || h.copy_buffer_to_alternate == 3) {
    throw InvalidBitstream("invalid buffer copy flag 3");
  }
  static_cast<FrameContext&>(f) = begin_frame(in, f.tag, h);
  f.mbs = parse_modes(bd, h, f.modes, f.probs);
  if (bd.overran()) throw InvalidBitstream("first partition is truncated (modes read past its end)");

  for (auto p : token_partitions(after_tag.subspan(f.tag.first_part_size), h.num_partitions(), f.modes.mb_rows)) {
    f.partitions.emplace_back(p);
  }
  return f;
}

// Reads the tokens of macroblock row r, handing each macroblock to `visit(index, coeffs or nullptr)`
// in raster order. `above` holds the above contexts of every column, left there by row r - 1.
template <typename Visit>
void read_row_tokens(PreparedFrame& f, int r, std::vector<TokenContext>& above, MacroblockCoeffs& scratch,
                     Visit&& visit) {
  const int mb_cols = f.state.mb_cols();
  BoolDecoder& tbd = f.partitions[r % f.partitions.size()];
  TokenContext left{};
  for (int c = 0; c < mb_cols; ++c) {
    const size_t i = size_t(r) * mb_cols + c;
    const MacroblockInfo& mb = f.mbs[i];
    if (mb.mb_skip_coeff) {
      reset_token_context(mb.has_y2(), above[c], left);
      visit(i, nullptr);
    } else {
      MacroblockCoeffs& out = visit.buffer(i, scratch);
      parse_macroblock_tokens(tbd, f.probs.coeff_probs, mb.has_y2(), above[c], left, out);
      visit(i, &out);
    }
  }
  if (tbd.overran()) {
    throw InvalidBitstream(fmt::format("token partition {} is truncated (read past its end in macroblock row {})",
                                       r % f.partitions.size() + 1, r));
  }
}

// Reads the tokens of every macroblock row by row, handing each macroblock to `visit(index, coeffs
// or nullptr)` in raster order.
template <typename Visit>
void read_tokens(PreparedFrame& f, MacroblockCoeffs& scratch, Visit&& visit) {
  std::vector<TokenContext> above(f.state.mb_cols());
  for (int r = 0; r < f.state.mb_rows(); ++r) read_row_tokens(f, r, above, scratch, visit);
}

// Ends a frame in `s`, its begun state. With a picture (every macroblock reconstructed, the first
// `filtered_rows` macroblock rows loop-filtered; `no_coeffs[i]` tells whether macroblock i has no
// coefficients): the loop filter of the other rows with `filter`, the borders and the references.
// Then the segment map, and the frame's working probabilities `probs` unless refresh_entropy_probs is 0.
void end_frame(const FrameTag& tag, const FrameHeader& h, const std::vector<MacroblockInfo>& mbs,
               const ProbabilityTables& probs, const LoopFilterStrengths& filter, const dsp::Dsp& dsp,
               const std::shared_ptr<Raster>& picture, const std::vector<uint8_t>& no_coeffs, int filtered_rows,
               DecoderState& s) {
  if (picture) {
    loop_filter_rows(dsp, *picture, filter, mbs, no_coeffs, filtered_rows, picture->mb_rows());
    picture->extend_borders();
    update_references(h, tag.key_frame, picture, s.refs);
  }
  update_segment_map(h, tag.key_frame, mbs, s);
  if (h.refresh_entropy_probs) s.probs = probs;
}

// Reconstructs macroblocks as they arrive, then filters and updates the references.
class Reconstructor {
 public:
  Reconstructor(const FrameTag& tag, const FrameHeader& h, FrameContext& ctx, const std::vector<MacroblockInfo>& mbs,
                const dsp::Dsp& dsp, RasterPool* pool)
      : tag_(tag), h_(h), ctx_(ctx), s_(ctx.state), mbs_(mbs), dsp_(dsp),
        frame_(pool ? pool->acquire(s_.width, s_.height) : std::make_shared<Raster>(s_.width, s_.height)),
        no_coeffs_(mbs.size(), 1) {}

  void operator()(size_t i, const MacroblockCoeffs* coeffs) {
    const int c = int(i % s_.mb_cols()), r = int(i / s_.mb_cols());
    reconstruct(i, c, r, coeffs);
    // With a row complete, the row above it is filtered while its pixels are still in the cache.
    if (c == s_.mb_cols() - 1 && r > 0) {
      filter_row(r - 1);
      filtered_rows_ = r;
    }
  }

  // Macroblock i at (c, r): intra prediction reads the unfiltered pixels of its left, above-left,
  // above and above-right neighbours.
  void reconstruct(size_t i, int c, int r, const MacroblockCoeffs* coeffs) {
    const MacroblockInfo& mb = mbs_[i];
    if (coeffs) no_coeffs_[i] = coeffs->all_eob;
    reconstruct_macroblock(dsp_, *frame_, s_.refs, mb, coeffs, ctx_.dequant_of(mb), c, r, tag_.version);
  }

  // Loop-filters row r, which changes rows r - 1 and r: after row r - 1 is filtered and row r + 1
  // reconstructed (see loop_filter_rows).
  void filter_row(int r) {
    loop_filter_rows(dsp_, *frame_, ctx_.filter, mbs_, no_coeffs_, r, r + 1);
  }

  // After decode_rows_in_parallel, which filters every row.
  void mark_all_filtered() { filtered_rows_ = s_.mb_rows(); }

  MacroblockCoeffs& buffer(size_t, MacroblockCoeffs& scratch) {
    scratch = MacroblockCoeffs{};
    return scratch;
  }

  // The finished picture; the frame's context ends as the state after the frame.
  RasterRef finish() {
    end_frame(tag_, h_, mbs_, ctx_.probs, ctx_.filter, dsp_, frame_, no_coeffs_, filtered_rows_, s_);
    return frame_;
  }

 private:
  const FrameTag& tag_;
  const FrameHeader& h_;
  const FrameContext& ctx_;
  DecoderState& s_;  // the context's state
  const std::vector<MacroblockInfo>& mbs_;
  const dsp::Dsp& dsp_;
  std::shared_ptr<Raster> frame_;
  std::vector<uint8_t> no_coeffs_;
  int filtered_rows_ = 0;  // macroblock rows already loop-filtered
};

// Decodes the rows of a frame on the pool's threads, thread t taking rows t, t + n, t + 2n, ... Each
// row is first parsed whole into the thread's own buffer (after the row above is parsed: the rows
// share the above token contexts, and with fewer partitions than rows, bool decoders), then
// reconstructed macroblock by macroblock, each once the row above has reconstructed the macroblock
// above-right of it (the wavefront of intra prediction). The thread that finishes row r then filters
// row r - 1, after row r - 2 is filtered; the last row is filtered by its own thread. Every pixel goes
// through the same operations in the same order as on one thread, so the picture is the same.
// A failure (a truncated partition) stops the other threads and is rethrown.
void decode_rows_in_parallel(PreparedFrame& f, Reconstructor& rec, util::ThreadPool& threads) {
  const int rows = f.state.mb_rows(), cols = f.state.mb_cols();
  const int n = std::min(threads.size(), rows);
  struct RowProgress {
    std::atomic<int> parsed{0};         // 1 when the row's tokens are read
    std::atomic<int> reconstructed{0};  // macroblocks reconstructed, left to right
    std::atomic<int> filtered{0};       // 1 when the row is loop-filtered
  };
  const auto progress = std::make_unique<RowProgress[]>(size_t(rows));
  std::atomic<bool> failed{false};
  struct Abandoned {};  // another thread failed
  constexpr int kDone = std::numeric_limits<int>::max();
  auto wait_for = [&](std::atomic<int>& a, int need) {
    for (int v = a.load(std::memory_order_acquire); v < need; v = a.load(std::memory_order_acquire)) a.wait(v);
    if (failed.load(std::memory_order_relaxed)) throw Abandoned{};
  };
  // Raises a counter, never lowers it: once a failure has set every counter to kDone, a thread
  // still finishing its macroblock cannot take a waiter's condition back.
  auto publish = [](std::atomic<int>& a, int value) {
    int old = a.load(std::memory_order_relaxed);
    while (old < value && !a.compare_exchange_weak(old, value, std::memory_order_release, std::memory_order_relaxed)) {
    }
    a.notify_all();
  };
  std::vector<TokenContext> above(cols);
  threads.run(n, [&](int t) {
    std::vector<MacroblockCoeffs> row_coeffs(static_cast<size_t>(cols));
    std::vector<const MacroblockCoeffs*> row_input(static_cast<size_t>(cols));
    struct Collect {
      std::vector<MacroblockCoeffs>& coeffs;
      std::vector<const MacroblockCoeffs*>& input;
      int cols;
      void operator()(size_t i, const MacroblockCoeffs* c) { input[i % cols] = c; }
      MacroblockCoeffs& buffer(size_t i, MacroblockCoeffs&) {
        MacroblockCoeffs& b = coeffs[i % cols];
        b = MacroblockCoeffs{};
        return b;
      }
    } collect{row_coeffs, row_input, cols};
    MacroblockCoeffs unused;
    try {
      for (int r = t; r < rows; r += n) {
        if (r > 0) wait_for(progress[r - 1].parsed, 1);
        read_row_tokens(f, r, above, unused, collect);
        publish(progress[r].parsed, 1);
        for (int c = 0; c < cols; ++c) {
          if (r > 0) wait_for(progress[r - 1].reconstructed, std::min(c + 2, cols));
          rec.reconstruct(size_t(r) * cols + c, c, r, row_input[c]);
          publish(progress[r].reconstructed, c + 1);
        }
        auto filter = [&](int row) {
          if (row > 0) wait_for(progress[row - 1].filtered, 1);
          rec.filter_row(row);
          publish(progress[row].filtered, 1);
        };
        if (r > 0) filter(r - 1);
        if (r == rows - 1) filter(r);
      }
    } catch (const Abandoned&) {
    } catch (...) {
      failed.store(true);
      for (int r = 0; r < rows; ++r) {
        publish(progress[r].parsed, kDone);
        publish(progress[r].reconstructed, kDone);
        publish(progress[r].filtered, kDone);
      }
      throw;
    }
  });
  rec.mark_all_filtered();
}

}  // namespace

FrameContext begin_frame(const DecoderState& state, const FrameTag& tag, const FrameHeader& header) {
  FrameContext f;
  f.state = state;
  begin_state(tag, header, f.state);
  f.probs = updated_probabilities(header, f.state.probs);
  const bool key = tag.key_frame;
  f.modes.mb_cols = f.state.mb_cols();
  f.modes.mb_rows = f.state.mb_rows();
  f.modes.key_frame = key;
  f.modes.sign_bias[GOLDEN_FRAME] = !key && header.sign_bias_golden;
  f.modes.sign_bias[ALTREF_FRAME] = !key && header.sign_bias_alternate;
  f.modes.previous_segment_map = f.state.segmentation.map && !key ? f.state.segmentation.map.get() : nullptr;
  f.dequant = frame_dequant_factors(header, f.state.segmentation);
  f.filter = LoopFilterStrengths(header, f.state.segmentation, f.state.lf_deltas, key);
  return f;
}

DecodedFrame decode_frame(const DecoderState& in, std::span<const uint8_t> data, const dsp::Dsp& dsp,
                          RasterPool* pool, util::ThreadPool* threads) {
  PreparedFrame f = prepare(in, data);
  Reconstructor rec(f.tag, f.header, f, f.mbs, dsp, pool);
  if (threads && threads->size() > 1 && f.state.mb_rows() > 1) {
    decode_rows_in_parallel(f, rec, *threads);
  } else {
    MacroblockCoeffs scratch;
    read_tokens(f, scratch, rec);
  }
  DecodedFrame out;
  out.picture = rec.finish();
  out.state = std::move(f.state);
  out.tag = f.tag;
  out.header = std::move(f.header);
  out.shown = out.tag.show_frame;
  return out;
}

ParsedFrame parse_frame(const DecoderState& in, std::span<const uint8_t> data) {
  PreparedFrame f = prepare(in, data);
  ParsedFrame out;
  out.coeffs.resize(f.mbs.size());
  struct Collect {
    ParsedFrame& out;
    void operator()(size_t, const MacroblockCoeffs*) {}
    MacroblockCoeffs& buffer(size_t i, MacroblockCoeffs&) { return out.coeffs[i]; }
  } collect{out};
  MacroblockCoeffs scratch;
  read_tokens(f, scratch, collect);
  out.tag = f.tag;
  out.header = std::move(f.header);
  out.mbs = std::move(f.mbs);
  return out;
}

ParsedFrame parse_frame_modes(const DecoderState& in, std::span<const uint8_t> data) {
  PreparedFrame f = prepare(in, data);
  ParsedFrame out;
  out.tag = f.tag;
  out.header = std::move(f.header);
  out.mbs = std::move(f.mbs);
  return out;
}

DecodedFrame finish_frame(const FrameContext& ctx, const ParsedFrame& p, const std::shared_ptr<Raster>& picture,
                          const dsp::Dsp& dsp) {
  DecodedFrame out;
  out.tag = p.tag;
  out.header = p.header;
  out.state = ctx.state;
  std::vector<uint8_t> no_coeffs;
  if (picture) {
    no_coeffs.assign(p.mbs.size(), 1);
    for (size_t i = 0; i < p.mbs.size(); ++i) {
      if (!p.mbs[i].mb_skip_coeff) no_coeffs[i] = p.coeffs[i].all_eob;
    }
  }
  // The strengths of the header's level and sharpness, which the encoder chooses after begin_frame.
  const LoopFilterStrengths filter =
      ctx.filter.made_for(p.header)
          ? ctx.filter
          : LoopFilterStrengths(p.header, ctx.state.segmentation, ctx.state.lf_deltas, p.tag.key_frame);
  end_frame(out.tag, out.header, p.mbs, updated_probabilities(p.header, ctx.state.probs), filter, dsp, picture,
            no_coeffs, 0, out.state);
  out.picture = picture;
  out.shown = out.tag.show_frame;
  return out;
}

DecodedFrame reconstruct_frame(const DecoderState& in, const ParsedFrame& p, const dsp::Dsp& dsp) {
  if (!p.tag.key_frame && !in.has_key_frame()) throw InvalidBitstream("inter frame before the first key frame");
  const FrameContext ctx = begin_frame(in, p.tag, p.header);
  auto frame = std::make_shared<Raster>(ctx.state.width, ctx.state.height);
  const int mb_cols = ctx.modes.mb_cols;
  for (size_t i = 0; i < p.mbs.size(); ++i) {
    const MacroblockInfo& mb = p.mbs[i];
    reconstruct_macroblock(dsp, *frame, ctx.state.refs, mb, mb.mb_skip_coeff ? nullptr : &p.coeffs[i],
                           ctx.dequant_of(mb), int(i % mb_cols), int(i / mb_cols), p.tag.version);
  }
  return finish_frame(ctx, p, frame, dsp);
}

}  // namespace xc::vp8
