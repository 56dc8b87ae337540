// The two ExCamera encoding steps on a chunk: re-encoding its first (key) frame as an inter frame on
// another chunk's final state, and rebasing a chunk made against one state onto another. Both keep
// the prediction stream's later frames (modes, vectors, flags) and recompute their residues against
// the new references; the last frame of the output refreshes all three references.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "util/image.hh"
#include "util/ivf.hh"
#include "vp8/decoder.hh"
#include "vp8/dsp/dsp.hh"

namespace xc::vp8::enc {

// A prediction stream (an IVF chunk) parsed one frame at a time from the state it decodes from, so
// that only the frame being encoded is held. Its pictures matter only as the targets of hidden
// frames (a shown frame aims at its raw picture), so frames are reconstructed only up to the last
// hidden one; after that the state is advanced only as far as parsing needs (probabilities,
// segmentation, loop-filter deltas). Errors name the file and the frame.
class PredictionStream {
 public:
  // Reads every frame's tag; throws util::InvalidBitstream for one that cannot be read.
  PredictionStream(const util::IvfReader& ivf, const DecoderState& start);

  size_t size() const { return ivf_.frame_count(); }
  size_t shown_frames() const { return shown_; }
  bool starts_with_key_frame() const { return first_is_key_; }
  const util::IvfReader& ivf() const { return ivf_; }

  // One frame's syntax, its picture when it is hidden, and the state after it (for frames that are
  // not reconstructed, the references are stale: later frames are only parsed).
  struct Frame {
    ParsedFrame parsed;
    RasterRef picture;
    bool shown = true;
    uint64_t pts = 0;
    DecoderState state_after;
  };

  // The first frame, parsed (and kept for next(0)) without advancing the stream.
  const Frame& first();
  // Parses frame `i`; frames are taken in order from 0 (or again from 0 after rewind()).
  Frame next(size_t i);
  // Starts again from the first frame.
  void rewind();

 private:
  Frame parse(size_t i);

  const util::IvfReader& ivf_;
  DecoderState start_;
  DecoderState state_;
  std::optional<Frame> first_;
  size_t shown_ = 0;
  size_t reconstruct_until_ = 0;  // frames before this one are reconstructed
  bool first_is_key_ = false;
};

// The quantizer index (y_ac_qi) of a prediction stream's frame, from its header alone.
int frame_qindex(const util::IvfReader& ivf, size_t index);

// The raw picture of shown frame `index` of a chunk (e.g. from a Y4M file).
using PictureSource = std::function<util::Image(size_t index)>;

// Receives each output frame, in order, as soon as it is made.
using FrameSink = std::function<void(uint64_t pts, std::span<const uint8_t> bytes)>;

struct ChunkOptions {
  // The re-encoded first frame's quantizer index: weight * key-frame q + (1 - weight) * next-frame q.
  double weight = 1.0;
  // Instead of the weight, choose the first frame's quantizer by rate and distortion over the chunk.
  bool rd_search = false;
  double lambda_divisor = 35;
  bool report = false;
};

// Re-encodes a chunk onto `start`: the prediction stream (which must start with a key frame, decoded
// from a fresh decoder) has its first frame re-decided as an inter frame on `start`, and its later
// frames rebased. Returns the state after the last frame.
DecoderState reencode_chunk(const DecoderState& start, PredictionStream& pred, const PictureSource& pictures,
                            const ChunkOptions& options, const FrameSink& sink,
                            const dsp::Dsp& dsp = dsp::best_dsp());

// Rebases every frame of a chunk (made against another state) onto `start`. Returns the state after
// the last frame.
DecoderState rebase_chunk(const DecoderState& start, PredictionStream& pred, const PictureSource& pictures,
                          const FrameSink& sink, const dsp::Dsp& dsp = dsp::best_dsp());

}  // namespace xc::vp8::enc
