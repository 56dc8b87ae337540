// The two ExCamera encoding steps on a chunk: re-encoding it onto another chunk's final state (its
// first (key) frame re-decided as an inter frame, its later frames' modes decided anew against the
// new references, with the prediction stream's modes among the candidates), and rebasing a chunk
// made against one state onto another (its first frame decided again against the new references,
// every later frame keeping its modes, vectors and flags with its residue recomputed against them).
// Every frame keeps the prediction stream's reference updates, except the re-encoded first frame: it
// refreshes last and golden, as the key frame it replaces did, and hands the previous golden frame to
// alt-ref. Every frame keeps the stream's loop-filter level and sharpness (FilterLevel::keep) but a
// chunk's first frame, whose level is searched wherever its modes are decided (re-encode and rebase).
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
#include "vp8/encoder/mode_decision.hh"

namespace xc::vp8::enc {

// A prediction stream (an IVF chunk) parsed one frame at a time from the state it decodes from, so
// that only the frame being encoded is held, and the first, which every coding starts again from. Its pictures matter only as the targets of hidden
// frames (a shown frame aims at its raw picture), so frames are reconstructed only up to the last
// hidden one; after that the state is advanced only as far as parsing needs (probabilities,
// segmentation, loop-filter deltas) and their tokens are not read. Every frame comes without
// coefficients (ParsedFrame::coeffs empty), since every encoder replaces them. Errors name the file
// and the frame.
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

  // The first frame, parsed once and kept: next(0) returns a copy of it.
  const Frame& first();
  // Parses frame `i`; frames are taken in order from 0 (and again from 0 as often as wanted).
  Frame next(size_t i);

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

// The modes the re-encode tries when it decides its later frames: B_PRED and SPLITMV only where the
// prediction stream chose them: searching B_PRED costs as much as the rest of the decision and SPLITMV
// an eighth of it, for little gain in rate on frames whose stream decided them against nearly the
// same references.
ModeDecisionOptions later_frame_modes();

// The modes the rebase tries when it decides a chunk's first frame again: as later_frame_modes(), but
// SPLITMV is searched everywhere. The frame was decided against other references than those it now
// has. On every real clip tried the search took bytes off at equal quality, for about a third more
// rebase time (B_PRED searched as well gained little more and doubled it).
ModeDecisionOptions rebased_first_frame_modes();

// The quantizer index (y_ac_qi) of a prediction stream's frame, from its header alone.
int frame_qindex(const util::IvfReader& ivf, size_t index);

// The raw picture of shown frame `index` of a chunk (e.g. from a Y4M file).
using PictureSource = std::function<util::Image(size_t index)>;

// Receives each output frame, in order, as soon as it is made.
using FrameSink = std::function<void(uint64_t pts, std::span<const uint8_t> bytes)>;

struct ChunkOptions {
  // The re-encoded first frame's quantizer index, when given: weight * key-frame q + (1 - weight) *
  // next-frame q (xc-enc -w). Otherwise it is chosen by rate and distortion over the whole chunk.
  std::optional<double> weight;
};

// One coding of a chunk with its first frame at one quantizer: the chunk's bits, its squared error
// (shown frames against their pictures, all planes) and the rate-distortion cost sse + lambda x bits.
struct FirstFrameTrial {
  int qindex = 0;
  int64_t bits = 0;
  int64_t sse = 0;
  double cost = 0;
};

struct ReencodeResult {
  DecoderState end;                     // the state after the last frame
  int first_qindex = 0;                 // the re-encoded first frame's quantizer index
  std::vector<FirstFrameTrial> trials;  // the codings compared (empty with a weight), by quantizer
};

// The weight of bits against squared error in the choice of the first frame's quantizer, for chunks
// whose later frames use quantizer index `next_qindex`: step^2 / 100, step being that quantizer's AC
// step (the squared error a bit buys near that quantizer, scaled down since the first frame is a
// reference beyond its own chunk as well).
double first_frame_lambda(int next_qindex);

// Re-encodes a chunk onto `start`: the prediction stream (which must start with a key frame, decoded
// from a fresh decoder) has its first frame re-decided as an inter frame on `start`, and its later
// shown frames' modes decided anew (the stream's own choice of each macroblock is one candidate:
// the stream was made against a key frame this output does not have, so its choices may no longer
// be the best; B_PRED and SPLITMV are tried only where the stream has them; hidden frames are
// rebased). Without a weight, the first frame's modes are decided at
// the quantizer halfway between the key frame's and the next frame's, and the chunk is coded with
// the first frame at a quarter, half and three quarters of the way, the later frames' modes decided
// in the first of these codings and kept in the others; the coding of least cost is written.
ReencodeResult reencode_chunk(const DecoderState& start, PredictionStream& pred, const PictureSource& pictures,
                              const ChunkOptions& options, const FrameSink& sink,
                              const dsp::Dsp& dsp = dsp::best_dsp());

// Rebases a chunk made against another state onto `start`: its first frame, when it is a shown inter
// frame, has its modes decided again against `start`'s references (the stream's own choice of each
// macroblock among the candidates, as rebased_first_frame_modes() says, the loop-filter level
// searched); every other frame keeps its modes, vectors and flags and has its residue
// recomputed. Returns the state after the last frame.
DecoderState rebase_chunk(const DecoderState& start, PredictionStream& pred, const PictureSource& pictures,
                          const FrameSink& sink, const dsp::Dsp& dsp = dsp::best_dsp());

}  // namespace xc::vp8::enc
