// xc-enc: the ExCamera encoder. Re-encodes a chunk's first frame onto another chunk's final state
// (-r -I S -p P), rebases a chunk encoded against one state onto another (-r -I S -p P -S S'), or
// encodes raw frames at a constant quantizer (-y) from a fresh decoder.
#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <optional>
#include <vector>

#include "util/file.hh"
#include "util/heap.hh"
#include "util/ivf.hh"
#include "util/tool.hh"
#include "util/y4m.hh"
#include "vp8/decoder.hh"
#include "vp8/encoder/chunk.hh"
#include "vp8/encoder/frame_encoder.hh"
#include "vp8/encoder/ssim_target.hh"
#include "vp8/frame_writer.hh"
#include "vp8/picture.hh"
#include "vp8/state_io.hh"
#include "vp8/stream_check.hh"

using namespace xc;

namespace {

struct Options {
  std::string output, input_state, pred_ivf, pred_state, output_state, input, input_format = "y4m";
  std::optional<double> weight;
  bool reencode = false;
  bool no_wait = false;
  int qindex = -1;
  double min_ssim = -1;
};

// The -O file, created (as a temporary) before anything is encoded so that a path that cannot be written
// fails while no IVF exists; committed after the IVF, so a failure of either leaves neither.
class StateOutput {
 public:
  explicit StateOutput(const std::string& path) {
    if (!path.empty()) file_.emplace(path);
  }
  void write(const vp8::DecoderState& state) {
    if (file_) file_->write(vp8::serialize_state(state));
  }
  void commit() {
    if (file_) file_->commit();
  }

 private:
  std::optional<util::AtomicFile> file_;
};

class Output {
 public:
  Output(const std::string& path, util::IvfHeader header) : writer_(path, header) {}
  void add(const vp8::DecoderState& before, const vp8::enc::EncodedFrame& f, uint64_t pts) {
    writer_.append(pts, vp8::write_frame(before, f.frame));
  }
  void finish() { writer_.finish(); }

 private:
  util::IvfWriter writer_;
};

int run(const Options& o) {
  // The command line alone, checked before waiting.
  if (o.input_format != "y4m") throw util::UsageError(fmt::format("input format '{}' is not supported (only y4m)", o.input_format));
  if (o.reencode && (o.qindex >= 0 || o.min_ssim >= 0)) {
    throw util::UsageError("-y and -s set the quantizer of a primary encoding; -r keeps the prediction stream's");
  }
  if (!o.reencode && o.qindex < 0 && o.min_ssim < 0) {
    throw util::UsageError("without -r, a quantizer (-y) or an SSIM (-s) is required");
  }
  if (o.reencode && (o.input_state.empty() || o.pred_ivf.empty())) {
    throw util::UsageError("-r needs -I (input state) and -p (prediction IVF)");
  }
  const util::Y4mReader y4m(o.input);
  if (y4m.frame_count() == 0) throw util::InvalidBitstream(o.input + ": the file holds no frames");
  const int w = y4m.header().width, h = y4m.header().height;
  // The heap the process will use anyway, mapped in one go rather than a page fault at a time (two
  // fifths of a 720p rebase's time with huge pages). Measured at 720p and 480p, a rebase's heap grows
  // to about sixteen times a picture's bytes (its two states hold up to five distinct references with
  // their borders, since a chunk's golden frame carries over; then a frame's coefficients and the
  // source picture) and a re-encode's to about eighteen; asking for that much leaves the peak memory
  // within 1 MB of what it was (sixteen for a rebase at 720p: 2,800 page faults down to 1,000).
  const size_t picture_bytes = size_t(w) * size_t(h) * 3 / 2;
  if (o.reencode) util::populate_heap(picture_bytes * (o.pred_state.empty() ? 18 : 16));

  if (!o.reencode) {
    // Primary encoding: a key frame, then inter frames, at a constant quantizer or a minimum SSIM.
    util::IvfHeader header;
    header.width = uint16_t(w);
    header.height = uint16_t(h);
    header.timebase_den = uint32_t(y4m.header().fps_num);
    header.timebase_num = uint32_t(y4m.header().fps_den);
    vp8::DecoderState state;
    header.expected_state_tag = vp8::expected_state_tag(state);
    StateOutput state_out(o.output_state);
    Output out(o.output, header);
    for (size_t i = 0; i < y4m.frame_count(); ++i) {
      vp8::enc::FreshFrameParams p;
      p.qindex = o.qindex;
      p.key_frame = i == 0;
      p.refresh_golden = p.refresh_alternate = i + 1 == y4m.frame_count();
      const util::Image source = y4m.frame(i);
      vp8::enc::EncodedFrame f;
      if (o.min_ssim >= 0) {
        vp8::enc::SsimTargetResult r = vp8::enc::encode_for_minimum_ssim(state, source, p, o.min_ssim);
        if (!r.met) {
          std::fprintf(stderr, "xc-enc: frame %zu: SSIM %.6f at quantizer 0, below the target %.6f\n", i, r.ssim,
                       o.min_ssim);
        }
        f = std::move(r.encoded);
      } else {
        f = vp8::enc::encode_fresh_frame(state, source, p);
      }
      out.add(state, f, i);
      state = std::move(f.decoded.state);
    }
    state_out.write(state);
    util::commit_all({{o.output, [&] { out.finish(); }}, {o.output_state, [&] { state_out.commit(); }}});
    return 0;
  }

  // Re-encode or rebase. Everything but the input state is read before waiting: under the original
  // coordinator the input state is the previous chunk's output, which exists only once the process
  // is released, while the prediction stream (decoded from -S), the pictures and their checks can
  // be ready by then.
  const util::IvfReader pred_ivf(o.pred_ivf);
  if (pred_ivf.frame_count() == 0) throw util::InvalidBitstream(o.pred_ivf + ": the file holds no frames");
  const bool rebase = !o.pred_state.empty();
  const vp8::DecoderState pred_start = rebase ? vp8::load_state(o.pred_state) : vp8::DecoderState{};
  vp8::check_stream_state(pred_ivf, pred_start, rebase ? o.pred_state : "a fresh decoder");
  vp8::enc::PredictionStream pred(pred_ivf, pred_start);
  if (!rebase && !pred.starts_with_key_frame()) {
    throw util::InvalidBitstream(o.pred_ivf + ": re-encoding needs a prediction stream that starts with a key frame");
  }
  if (pred.shown_frames() != y4m.frame_count()) {
    throw util::InvalidBitstream(fmt::format("{} shows {} frames but {} holds {}", o.pred_ivf, pred.shown_frames(),
                                       y4m.path(), y4m.frame_count()));
  }
  const auto& pred_size = pred.first().state_after;
  if (w != pred_size.width || h != pred_size.height) {
    throw util::StateMismatch(fmt::format("sizes differ: {} is {}x{}, {} is {}x{}", o.pred_ivf, pred_size.width,
                                          pred_size.height, o.input, w, h));
  }

  if (!o.no_wait) {
    // The original coordinator releases the process by closing its standard input.
    char buffer[256];
    while (::read(0, buffer, sizeof buffer) > 0) {
    }
  }
  const vp8::DecoderState start = vp8::load_state(o.input_state);
  if (!start.has_key_frame()) throw util::StateMismatch(o.input_state + ": the state has no frames to predict from");
  if (start.width != pred_size.width || start.height != pred_size.height) {
    throw util::StateMismatch(fmt::format("sizes differ: {} is {}x{}, {} is {}x{}", o.input_state, start.width,
                                          start.height, o.pred_ivf, pred_size.width, pred_size.height));
  }

  util::IvfHeader header = pred_ivf.header();
  header.expected_state_tag = vp8::expected_state_tag(start);
  StateOutput state_out(o.output_state);
  util::IvfWriter out(o.output, header);
  const vp8::enc::PictureSource pictures = [&](size_t i) { return y4m.frame(i); };
  const vp8::enc::FrameSink sink = [&](uint64_t pts, std::span<const uint8_t> bytes) { out.append(pts, bytes); };
  vp8::enc::ChunkOptions options;
  options.weight = o.weight;
  const vp8::DecoderState end = rebase ? vp8::enc::rebase_chunk(start, pred, pictures, sink)
                                       : vp8::enc::reencode_chunk(start, pred, pictures, options, sink).end;
  state_out.write(end);
  util::commit_all({{o.output, [&] { out.finish(); }}, {o.output_state, [&] { state_out.commit(); }}});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Every frame allocates and frees picture-sized buffers (rasters, coefficients, images); kept in
  // the heap they are reused instead of mapped again (a tenth less time for about 2 MB more peak
  // memory at 720p).
  util::keep_freed_memory();
  CLI::App app{
      "Encode VP8 chunks onto explicit decoder states (the ExCamera encoder).\n"
      "  re-encode: xc-enc -W -i y4m -o 2-1.ivf -r -I 1-0.state -p 2-0.ivf [-O 2-1.state] 2.y4m\n"
      "     the prediction stream's first (key) frame becomes an inter frame on -I; later frames are\n"
      "     decided again against the new references, the stream's own choices among the candidates.\n"
      "  rebase:    xc-enc -W -i y4m -o 3.ivf -r -I 2-1.state -p 3-1.ivf -S 2-0.state -O 3-1.state 3.y4m\n"
      "     the prediction stream, made against -S, is recomputed to decode from -I: its first frame's\n"
      "     modes are decided again against -I's references, the later frames keep theirs.\n"
      "  primary:   xc-enc -i y4m -o out.ivf -y 30 in.y4m    or    xc-enc -i y4m -o out.ivf -s 0.99 in.y4m\n"
      "Every frame keeps the prediction stream's reference updates and loop-filter level and sharpness,\n"
      "except that a re-encode's first frame refreshes last and golden and moves the previous golden\n"
      "frame to alt-ref, and the first frame of either step has its filter level searched. Outputs carry\n"
      "the expected-state tag of the state they decode from.",
      "xc-enc"};
  Options o;
  app.add_option("input", o.input, "raw frames (Y4M), one per shown frame of the prediction stream")->required();
  app.add_option("-o,--output", o.output, "output IVF")->required();
  app.add_option("-I,--input-state", o.input_state, "state the output will be decoded from");
  app.add_option("-p,--pred-ivf", o.pred_ivf, "prediction IVF (modes, vectors and flags to keep)");
  app.add_option("-S,--pred-state", o.pred_state, "state the prediction IVF decodes from (rebase)");
  app.add_option("-O,--output-state", o.output_state, "write the state after the output");
  app.add_option("-w,--weight", o.weight,
                 "re-encoded first frame's quantizer index: w * key-frame q + (1 - w) * next-frame q (the\n"
                 "original's weighting); without -w it is chosen by rate and distortion over the whole chunk\n"
                 "among a quarter, half and three quarters of the way from the key frame's q to the next\n"
                 "frame's. Rebases (-S) keep every quantizer and ignore -w")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("-i,--input-format", o.input_format, "input format (y4m)");
  app.add_flag("-r,--reencode", o.reencode, "re-encode or rebase the prediction stream");
  app.add_flag("-W,--no-wait", o.no_wait,
               "with -r, read the input state at once instead of after standard input closes (the\n"
               "prediction stream and pictures are read first either way; a primary encoding never waits)");
  auto* quantizer = app.add_option("-y,--quantizer", o.qindex, "constant quantizer index 0-127 (primary encoding)")
                        ->check(CLI::Range(0, 127));
  app.add_option("-s,--ssim", o.min_ssim,
                 "minimum SSIM of every frame, 0-1 (primary encoding): each frame takes the largest quantizer\n"
                 "index whose decoded picture reaches it (libyuv's SSIM, Y 0.8, U and V 0.1 each)")
      ->check(CLI::Range(0.0, 1.0))
      ->excludes(quantizer);
  app.set_version_flag("--version", XC_VERSION);
  return util::run_tool("xc-enc", app, argc, argv, [&] { return run(o); });
}
