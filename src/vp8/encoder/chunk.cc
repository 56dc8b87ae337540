// Re-encoding and rebasing a chunk, frame by frame.
#include "vp8/encoder/chunk.hh"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <stdexcept>

#include "util/errors.hh"
#include "vp8/bool_decoder.hh"
#include "vp8/encoder/frame_encoder.hh"
#include "vp8/frame_writer.hh"
#include "vp8/picture.hh"
#include "vp8/tables.hh"

namespace xc::vp8::enc {

namespace {

util::InvalidBitstream in_frame(const util::IvfReader& ivf, size_t i, const util::Error& e) {
  return util::InvalidBitstream(fmt::format("{}: frame {}: {}", ivf.path(), i, e.what()));
}

}  // namespace

PredictionStream::PredictionStream(const util::IvfReader& ivf, const DecoderState& start)
    : ivf_(ivf), start_(start), state_(start) {
  for (size_t i = 0; i < ivf.frame_count(); ++i) {
    FrameTag tag;
    try {
      tag = parse_frame_tag(ivf.frame(i).data);
    } catch (const util::Error& e) {
      throw in_frame(ivf, i, e);
    }
    if (i == 0) first_is_key_ = tag.key_frame;
    if (tag.show_frame) {
      ++shown_;
    } else {
      reconstruct_until_ = i + 1;
    }
  }
}

const PredictionStream::Frame& PredictionStream::first() {
  if (!first_) {
    state_ = start_;
    first_ = parse(0);
  }
  return *first_;
}

PredictionStream::Frame PredictionStream::next(size_t i) {
  if (i != 0) return parse(i);
  // Every coding of the chunk starts here, and the first frame (a key frame, its tokens read and its
  // picture reconstructed) is the costliest to parse: it is parsed once and copied.
  state_ = first().state_after;
  return *first_;
}

PredictionStream::Frame PredictionStream::parse(size_t i) {
  Frame f;
  try {
    // A state without a key frame cannot parse inter frames, so the first key frame is always
    // reconstructed to give it references.
    if (i < reconstruct_until_ || !state_.has_key_frame()) {
      f.parsed = parse_frame(state_, ivf_.frame(i).data);
      DecodedFrame d = reconstruct_frame(state_, f.parsed);
      f.picture = std::move(d.picture);
      state_ = std::move(d.state);
      // Like every frame here, it is handed out without coefficients (a 720p key frame's are 3 MB).
      f.parsed.coeffs = {};
    } else {
      // Every use of such a frame replaces its coefficients, so its tokens are not read.
      f.parsed = parse_frame_modes(state_, ivf_.frame(i).data);
      state_ = finish_frame(begin_frame(state_, f.parsed.tag, f.parsed.header), f.parsed).state;
    }
  } catch (const util::Error& e) {
    throw in_frame(ivf_, i, e);
  }
  f.shown = f.parsed.tag.show_frame;
  f.pts = ivf_.frame(i).pts;
  f.state_after = state_;
  return f;
}

ModeDecisionOptions later_frame_modes() {
  ModeDecisionOptions o;
  o.allow_b_pred = false;
  o.allow_split = false;
  return o;
}

ModeDecisionOptions rebased_first_frame_modes() {
  ModeDecisionOptions o = later_frame_modes();
  o.allow_split = true;
  return o;
}

int frame_qindex(const util::IvfReader& ivf, size_t index) {
  try {
    const auto data = ivf.frame(index).data;
    const FrameTag tag = parse_frame_tag(data);
    BoolDecoder bd(data.subspan(tag.size()));
    return parse_frame_header(bd, tag.key_frame).quant.y_ac_qi;
  } catch (const util::Error& e) {
    throw in_frame(ivf, index, e);
  }
}

namespace {

// What happens to the frames after the first: rebased with the prediction stream's modes, decided
// anew (with the stream's modes among the candidates; the decisions are kept in `decided`), or
// rebased with the modes decided in an earlier coding of the same chunk.
enum class Later { rebase, decide, reuse };

// The modes of the later shown frames, as decided in one coding (empty where a frame was not).
using DecidedFrames = std::vector<std::optional<ParsedFrame>>;

// The loop shared by both steps: frame 0 by `first` when given, every other frame as `later` says;
// each frame aims at its raw picture when shown and at what it decoded to when hidden. Adds the
// shown frames' squared error to `sse` when given.
using FirstFrame = std::function<EncodedFrame(const DecoderState&, const PredictionStream::Frame&, const util::Image&)>;

DecoderState encode_frames(const DecoderState& start, PredictionStream& pred, const PictureSource& pictures,
                           const FrameSink& sink, const dsp::Dsp& dsp, const FirstFrame& first, int64_t* sse,
                           Later later = Later::rebase, DecidedFrames* decided = nullptr) {
  DecoderState state = start;
  size_t next_shown = 0;
  if (later == Later::decide) decided->assign(pred.size(), std::nullopt);
  FrameBuffers buffers;
  for (size_t i = 0; i < pred.size(); ++i) {
    PredictionStream::Frame p = pred.next(i);
    const util::Image target = p.shown ? pictures(next_shown++) : to_image(*p.picture);
    p.picture.reset();
    EncodedFrame f;
    if (i == 0 && first) {
      f = first(state, p, target);
    } else {
      const bool inter_shown = p.shown && !p.parsed.tag.key_frame;
      if (later == Later::decide && inter_shown) {
        f = redecide_frame(state, p.parsed, target, later_frame_modes(), dsp, FilterLevel::keep);
        // Only the modes are kept for the other codings (their coefficients are recomputed).
        ParsedFrame& kept = (*decided)[i].emplace();
        kept.tag = f.frame.tag;
        kept.header = f.frame.header;
        kept.mbs = f.frame.mbs;
      } else if (later == Later::reuse && (*decided)[i]) {
        f = rebase_frame_fully(state, *(*decided)[i], target, dsp, kDeadZoneQuantizer, &buffers, FilterLevel::keep);
      } else {
        f = rebase_frame_fully(state, std::move(p.parsed), target, dsp, kDeadZoneQuantizer, &buffers,
                               FilterLevel::keep);
      }
    }
    if (sse && p.shown) *sse += picture_sse(*f.decoded.picture, target, dsp);
    const std::vector<uint8_t> bytes = write_frame(state, f.frame);
    sink(p.pts, bytes);
    buffers.recycle(std::move(f.frame.coeffs));
    state = std::move(f.decoded.state);
  }
  return state;
}

// The key frame re-decided as an inter frame on the state, at a quantizer, keeping what the replaced
// frame's header carries (segmentation, filter type and deltas, partitions).
EncodedFrame redecide_first(const DecoderState& state, const PredictionStream::Frame& p, const util::Image& target,
                            int qindex, const dsp::Dsp& dsp) {
  FreshFrameParams fp;
  fp.qindex = qindex;
  fp.version = p.parsed.tag.version;
  fp.like = &p.parsed.header;
  fp.like_state = &p.state_after;
  for (const auto& mb : p.parsed.mbs) fp.segment_ids.push_back(mb.segment_id);
  // The first frame becomes the golden frame, as the key frame was; the previous chunk's golden frame
  // (its own first frame, finely coded too) moves to alt-ref, where this chunk's frames and the next
  // chunk's first frame can still predict from it.
  fp.alternate_from_golden = true;
  return encode_fresh_frame(state, target, fp, dsp);
}

}  // namespace

double first_frame_lambda(int next_qindex) {
  const double step = kAcQLookup[size_t(std::clamp(next_qindex, 0, 127))];
  return step * step / 100.0;
}

ReencodeResult reencode_chunk(const DecoderState& start, PredictionStream& pred, const PictureSource& pictures,
                              const ChunkOptions& options, const FrameSink& sink, const dsp::Dsp& dsp) {
  if (!pred.starts_with_key_frame()) {
    throw util::UsageError(pred.ivf().path() + ": re-encoding needs a prediction stream that starts with a key frame");
  }
  const int kf_q = pred.first().parsed.header.quant.y_ac_qi;
  const int next_q = pred.size() > 1 ? frame_qindex(pred.ivf(), 1) : kf_q;
  ReencodeResult result;
  if (options.weight) {
    const double w = *options.weight;
    result.first_qindex = std::clamp(int(std::lround(w * kf_q + (1.0 - w) * next_q)), 0, 127);
    const FirstFrame first = [&](const DecoderState& state, const PredictionStream::Frame& p,
                                 const util::Image& target) {
      return redecide_first(state, p, target, result.first_qindex, dsp);
    };
    DecidedFrames decided;
    result.end = encode_frames(start, pred, pictures, sink, dsp, first, nullptr, Later::decide, &decided);
    return result;
  }
  // The first frame's quantizer by rate and distortion over the whole chunk: the later frames predict
  // from it, so a finer first frame costs bits once and may save bits and error in every frame after
  // it. Its modes are decided once, at the middle quantizer, and recoded at the others; each trial
  // codes the whole chunk and is kept in memory until the cheapest is known.
  const double lambda = first_frame_lambda(next_q);
  const int lo = std::min(kf_q, next_q), hi = std::max(kf_q, next_q), mid = lo + (hi - lo) / 2;
  std::optional<EncodedFrame> decided;
  DecidedFrames later;  // the later frames' modes, decided in the first coding
  struct Coded {
    std::vector<std::pair<uint64_t, std::vector<uint8_t>>> frames;
    DecoderState end;
  };
  std::optional<std::pair<int, Coded>> cheapest;  // the least-cost coding so far, by its quantizer
  std::map<int, FirstFrameTrial> trials;
  for (int q : {mid, lo + (hi - lo) / 4, lo + 3 * (hi - lo) / 4}) {
    if (trials.count(q)) continue;
    FirstFrameTrial t;
    t.qindex = q;
    Coded c;
    const FrameSink keep = [&](uint64_t pts, std::span<const uint8_t> bytes) {
      c.frames.emplace_back(pts, std::vector<uint8_t>(bytes.begin(), bytes.end()));
      t.bits += int64_t(bytes.size()) * 8;
    };
    const FirstFrame first = [&](const DecoderState& state, const PredictionStream::Frame& p,
                                 const util::Image& target) {
      if (!decided) decided = redecide_first(state, p, target, mid, dsp);
      if (q == mid) return *decided;
      ParsedFrame frame = decided->frame;
      frame.header.quant.y_ac_qi = uint8_t(q);
      return rebase_frame_fully(state, std::move(frame), target, dsp);
    };
    const Later mode = trials.empty() ? Later::decide : Later::reuse;
    c.end = encode_frames(start, pred, pictures, keep, dsp, first, &t.sse, mode, &later);
    t.cost = double(t.sse) + lambda * double(t.bits);
    // Keep only the cheapest coding so far: at most two chunks' bytes are held at once.
    if (!cheapest || t.cost < trials.at(cheapest->first).cost) cheapest.emplace(q, std::move(c));
    trials.emplace(q, t);
  }
  result.first_qindex = cheapest->first;
  for (const auto& [q, t] : trials) result.trials.push_back(t);
  Coded& chosen = cheapest->second;
  for (auto& [pts, bytes] : chosen.frames) sink(pts, bytes);
  result.end = std::move(chosen.end);
  return result;
}

DecoderState rebase_chunk(const DecoderState& start, PredictionStream& pred, const PictureSource& pictures,
                          const FrameSink& sink, const dsp::Dsp& dsp) {
  // The first frame was decided against the references of the state the stream was made on (in the
  // ExCamera graph, the previous chunk's first-stage decode, whose golden and alt-ref hold a
  // near-lossless key frame); here they are other pictures, so its modes are decided again. The later
  // frames predict from this chunk's own frames, which the rebase reproduces closely, and keep theirs.
  const FirstFrame first = [&](const DecoderState& state, const PredictionStream::Frame& p,
                               const util::Image& target) {
    if (!p.shown || p.parsed.tag.key_frame) {
      return rebase_frame_fully(state, p.parsed, target, dsp, kDeadZoneQuantizer, nullptr, FilterLevel::keep);
    }
    return redecide_frame(state, p.parsed, target, rebased_first_frame_modes(), dsp, FilterLevel::search);
  };
  return encode_frames(start, pred, pictures, sink, dsp, first, nullptr);
}

}  // namespace xc::vp8::enc
