// Re-encoding and rebasing a chunk, frame by frame.
#include "vp8/encoder/chunk.hh"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
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

// What the decoder's finish_frame does to the state apart from the references (§9.3, §9.7-9.11).
DecoderState parsing_state_after(const DecoderState& s, const ParsedFrame& f) {
  DecoderState next = frame_begin_state(s, f.tag, f.header);
  if (f.header.refresh_entropy_probs) next.probs = frame_probabilities(s, f.tag, f.header);
  if (f.header.segmentation_enabled && f.header.segmentation.update_mb_segmentation_map) {
    auto map = std::make_shared<std::vector<uint8_t>>(f.mbs.size());
    for (size_t i = 0; i < f.mbs.size(); ++i) (*map)[i] = f.mbs[i].segment_id;
    next.segmentation.map = std::move(map);
  } else if (f.tag.key_frame) {
    next.segmentation.map.reset();
  }
  return next;
}

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
    rewind();
    first_ = parse(0);
  }
  return *first_;
}

PredictionStream::Frame PredictionStream::next(size_t i) {
  if (i == 0 && first_) {
    Frame f = std::move(*first_);
    first_.reset();
    return f;
  }
  if (i == 0) rewind();
  return parse(i);
}

void PredictionStream::rewind() {
  state_ = start_;
  first_.reset();
}

PredictionStream::Frame PredictionStream::parse(size_t i) {
  Frame f;
  try {
    f.parsed = parse_frame(state_, ivf_.frame(i).data);
    // A state without a key frame cannot parse inter frames, so the first key frame is always
    // reconstructed to give it references.
    if (i < reconstruct_until_ || !state_.has_key_frame()) {
      DecodedFrame d = reconstruct_frame(state_, f.parsed);
      f.picture = std::move(d.picture);
      state_ = std::move(d.state);
    } else {
      state_ = parsing_state_after(state_, f.parsed);
    }
  } catch (const util::Error& e) {
    throw in_frame(ivf_, i, e);
  }
  f.shown = f.parsed.tag.show_frame;
  f.pts = ivf_.frame(i).pts;
  f.state_after = state_;
  return f;
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

// The loop shared by both steps: frame 0 by `first` when given, every other frame rebased; each
// frame aims at its raw picture when shown and at what it decoded to when hidden.
template <typename First>
DecoderState encode_frames(const DecoderState& start, PredictionStream& pred, const PictureSource& pictures,
                           const FrameSink& sink, const dsp::Dsp& dsp, First&& first, int64_t* sse) {
  DecoderState state = start;
  size_t next_shown = 0;
  for (size_t i = 0; i < pred.size(); ++i) {
    PredictionStream::Frame p = pred.next(i);
    const util::Image target = p.shown ? pictures(next_shown++) : to_image(*p.picture);
    p.picture.reset();
    const bool last = i + 1 == pred.size();
    EncodedFrame f;
    if (i == 0 && first) {
      f = first(state, p, target);
    } else {
      if (last) refresh_all_references(p.parsed.header);
      f = rebase_frame_fully(state, std::move(p.parsed), target, dsp);
    }
    if (last && !(f.frame.header.refresh_golden_frame && f.frame.header.refresh_alternate_frame &&
                  f.frame.header.refresh_last)) {
      throw std::logic_error("the last frame must refresh every reference");
    }
    if (sse && p.shown) *sse += picture_sse(*f.decoded.picture, target, dsp);
    const std::vector<uint8_t> bytes = write_frame(state, f.frame);
    sink(p.pts, bytes);
    state = std::move(f.decoded.state);
  }
  return state;
}

}  // namespace

namespace {

// One trial of the re-encode at one first-frame quantizer: the frames' bytes, the state after them,
// and the chunk's squared error and bits.
struct Trial {
  int qindex = 0;
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> frames;
  DecoderState end;
  int64_t sse = 0;
  int64_t bits = 0;
  double cost = 0;
};

}  // namespace

DecoderState reencode_chunk(const DecoderState& start, PredictionStream& pred, const PictureSource& pictures,
                            const ChunkOptions& options, const FrameSink& sink, const dsp::Dsp& dsp) {
  if (!pred.starts_with_key_frame()) {
    throw util::UsageError(pred.ivf().path() + ": re-encoding needs a prediction stream that starts with a key frame");
  }
  const int kf_q = pred.first().parsed.header.quant.y_ac_qi;
  const int next_q = pred.size() > 1 ? frame_qindex(pred.ivf(), 1) : kf_q;
  auto first_at = [&](int qindex) {
    return [&, qindex](const DecoderState& state, const PredictionStream::Frame& p, const util::Image& target) {
      FreshFrameParams fp;
      fp.qindex = qindex;
      fp.version = p.parsed.tag.version;
      fp.like = &p.parsed.header;
      fp.like_state = &p.state_after;
      for (const auto& mb : p.parsed.mbs) fp.segment_ids.push_back(mb.segment_id);
      return encode_fresh_frame(state, target, fp, dsp);
    };
  };
  if (!options.rd_search) {
    // The key frame becomes an inter frame on the real state, at a quantizer between the key frame's
    // and the next frame's.
    const int q = int(std::lround(options.weight * kf_q + (1.0 - options.weight) * next_q));
    return encode_frames(start, pred, pictures, sink, dsp, std::function(first_at(q)), nullptr);
  }
  // The first frame's quantizer by a rate-distortion choice over the whole chunk: the later frames
  // predict from it, so a finer first frame costs bits once and may save them (and error) in every
  // frame after it. Each trial codes the chunk; the one with the least squared error + lambda x bits
  // is kept, lambda being the slope of the later frames' own quantizer.
  const double step = kAcQLookup[size_t(std::clamp(next_q, 0, 127))];
  const double lambda = step * step / options.lambda_divisor;
  std::map<int, Trial> trials;
  auto trial = [&](int q) -> const Trial& {
    q = std::clamp(q, 0, 127);
    auto found = trials.find(q);
    if (found != trials.end()) return found->second;
    Trial t;
    t.qindex = q;
    const FrameSink keep = [&](uint64_t pts, std::span<const uint8_t> bytes) {
      t.frames.emplace_back(pts, std::vector<uint8_t>(bytes.begin(), bytes.end()));
      t.bits += int64_t(bytes.size()) * 8;
    };
    t.end = encode_frames(start, pred, pictures, keep, dsp, std::function(first_at(q)), &t.sse);
    t.cost = double(t.sse) + lambda * double(t.bits);
    return trials.emplace(q, std::move(t)).first->second;
  };
  // A descent from the next frame's quantizer towards finer ones, by halving steps.
  const int lo = std::min(kf_q, next_q), hi = std::max(kf_q, next_q);
  int best = lo + (hi - lo) / 2;
  for (int s = std::max(1, (hi - lo) / 4); ; s /= 2) {
    bool moved = true;
    while (moved) {
      moved = false;
      for (int q : {best - s, best + s}) {
        if (q < lo || q > hi) continue;
        if (trial(q).cost < trial(best).cost) {
          best = q;
          moved = true;
        }
      }
    }
    if (s == 1) break;
  }
  Trial& chosen = trials.at(best);
  if (options.report) {
    for (const auto& [q, t] : trials) {
      std::fprintf(stderr, "rd: q %d bits %lld sse %lld cost %.0f%s\n", q, (long long)t.bits, (long long)t.sse, t.cost,
                   q == best ? " *" : "");
    }
  }
  for (auto& [pts, bytes] : chosen.frames) sink(pts, bytes);
  return std::move(chosen.end);
}

DecoderState rebase_chunk(const DecoderState& start, PredictionStream& pred, const PictureSource& pictures,
                          const FrameSink& sink, const dsp::Dsp& dsp) {
  std::function<EncodedFrame(const DecoderState&, const PredictionStream::Frame&, const util::Image&)> none;
  return encode_frames(start, pred, pictures, sink, dsp, none, nullptr);
}

}  // namespace xc::vp8::enc
