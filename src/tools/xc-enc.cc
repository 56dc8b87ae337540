// xc-enc: the ExCamera encoder. Re-encodes a chunk's first frame onto another chunk's final state
// (-r -I S -p P), rebases a chunk encoded against one state onto another (-r -I S -p P -S S'), or
// encodes raw frames at a constant quantizer (-y) from a fresh decoder.
#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "util/ivf.hh"
#include "util/tool.hh"
#include "util/y4m.hh"
#include "vp8/decoder.hh"
#include "vp8/encoder/frame_encoder.hh"
#include "vp8/frame_writer.hh"
#include "vp8/picture.hh"
#include "vp8/state_io.hh"
#include "vp8/stream_check.hh"

using namespace xc;

namespace {

struct Options {
  std::string output, input_state, pred_ivf, pred_state, output_state, input, input_format = "y4m";
  double weight = 1.0;
  bool reencode = false;
  bool no_wait = false;
  int qindex = -1;
};

// The prediction stream decoded from its state: each frame's syntax, what it decodes to, and the
// state before it.
struct PredFrame {
  vp8::ParsedFrame parsed;
  vp8::DecodedFrame decoded;
  uint64_t pts = 0;
};

std::vector<PredFrame> decode_prediction(const util::IvfReader& ivf, const vp8::DecoderState& start) {
  std::vector<PredFrame> frames;
  vp8::DecoderState s = start;
  for (size_t i = 0; i < ivf.frame_count(); ++i) {
    PredFrame f;
    try {
      f.parsed = vp8::parse_frame(s, ivf.frame(i).data);
      f.decoded = vp8::reconstruct_frame(s, f.parsed);
    } catch (const util::Error& e) {
      throw util::InvalidBitstream(fmt::format("{}: frame {}: {}", ivf.path(), i, e.what()));
    }
    f.pts = ivf.frame(i).pts;
    s = f.decoded.state;
    frames.push_back(std::move(f));
  }
  return frames;
}

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

// The sources of the shown frames, one per Y4M picture; hidden frames aim at what they decoded to.
std::vector<util::Image> targets_for(const std::vector<PredFrame>& pred, const util::Y4mReader& y4m,
                                     const std::string& pred_path) {
  size_t shown = 0;
  for (const auto& f : pred) shown += f.decoded.shown;
  if (shown != y4m.frame_count()) {
    throw util::UsageError(fmt::format("{} shows {} frames but {} holds {}", pred_path, shown, y4m.path(),
                                       y4m.frame_count()));
  }
  std::vector<util::Image> targets;
  size_t next = 0;
  for (const auto& f : pred) {
    if (f.decoded.shown) {
      targets.push_back(y4m.frame(next++));
    } else {
      targets.push_back(vp8::to_image(*f.decoded.picture));
    }
  }
  return targets;
}

int run(const Options& o) {
  if (!o.no_wait) {
    // Under the original coordinator, the process is released by closing its standard input.
    char buffer[256];
    while (::read(0, buffer, sizeof buffer) > 0) {
    }
  }
  if (o.input_format != "y4m") throw util::UsageError(fmt::format("input format '{}' is not supported (only y4m)", o.input_format));
  const util::Y4mReader y4m(o.input);
  const int w = y4m.header().width, h = y4m.header().height;

  if (!o.reencode) {
    // Primary encoding: a key frame, then inter frames, at a constant quantizer.
    if (o.qindex < 0) throw util::UsageError("without -r, a quantizer (-y) is required");
    util::IvfHeader header;
    header.width = uint16_t(w);
    header.height = uint16_t(h);
    header.timebase_den = uint32_t(y4m.header().fps_num);
    header.timebase_num = uint32_t(y4m.header().fps_den);
    vp8::DecoderState state;
    header.expected_state_tag = vp8::expected_state_tag(state);
    Output out(o.output, header);
    for (size_t i = 0; i < y4m.frame_count(); ++i) {
      vp8::enc::FreshFrameParams p;
      p.qindex = o.qindex;
      p.key_frame = i == 0;
      p.refresh_golden = p.refresh_alternate = i + 1 == y4m.frame_count();
      const auto f = vp8::enc::encode_fresh_frame(state, y4m.frame(i), p);
      out.add(state, f, i);
      state = f.decoded.state;
    }
    out.finish();
    if (!o.output_state.empty()) vp8::save_state(state, o.output_state);
    return 0;
  }

  if (o.input_state.empty() || o.pred_ivf.empty()) throw util::UsageError("-r needs -I (input state) and -p (prediction IVF)");
  const util::IvfReader pred_ivf(o.pred_ivf);
  if (pred_ivf.frame_count() == 0) throw util::InvalidBitstream(o.pred_ivf + ": the file holds no frames");
  const bool rebase = !o.pred_state.empty();
  const vp8::DecoderState pred_start = rebase ? vp8::load_state(o.pred_state) : vp8::DecoderState{};
  vp8::check_stream_state(pred_ivf, pred_start, rebase ? o.pred_state : "a fresh decoder");
  const std::vector<PredFrame> pred = decode_prediction(pred_ivf, pred_start);
  if (!rebase && !pred.front().parsed.tag.key_frame) {
    throw util::UsageError(o.pred_ivf + ": re-encoding needs a prediction stream that starts with a key frame");
  }
  const vp8::DecoderState start = vp8::load_state(o.input_state);
  if (!start.has_key_frame()) throw util::StateMismatch(o.input_state + ": the state has no frames to predict from");
  const auto& pred_size = pred.front().decoded.state;
  if (start.width != pred_size.width || start.height != pred_size.height || w != pred_size.width ||
      h != pred_size.height) {
    throw util::StateMismatch(fmt::format("sizes differ: {} is {}x{}, {} is {}x{}, {} is {}x{}", o.input_state,
                                          start.width, start.height, o.pred_ivf, pred_size.width, pred_size.height,
                                          o.input, w, h));
  }
  const std::vector<util::Image> targets = targets_for(pred, y4m, o.pred_ivf);

  util::IvfHeader header = pred_ivf.header();
  header.expected_state_tag = vp8::expected_state_tag(start);
  Output out(o.output, header);
  vp8::DecoderState state = start;
  for (size_t i = 0; i < pred.size(); ++i) {
    const bool last = i + 1 == pred.size();
    vp8::enc::EncodedFrame f;
    if (!rebase && i == 0) {
      // The key frame becomes an inter frame on the real state, at a quantizer between the key
      // frame's and the next frame's.
      const int kf_q = pred[0].parsed.header.quant.y_ac_qi;
      const int next_q = pred.size() > 1 ? pred[1].parsed.header.quant.y_ac_qi : kf_q;
      vp8::enc::FreshFrameParams p;
      p.qindex = int(std::lround(o.weight * kf_q + (1.0 - o.weight) * next_q));
      p.version = pred[0].parsed.tag.version;
      p.like = &pred[0].parsed.header;
      p.like_state = &pred[0].decoded.state;
      for (const auto& mb : pred[0].parsed.mbs) p.segment_ids.push_back(mb.segment_id);
      f = vp8::enc::encode_fresh_frame(state, targets[0], p);
    } else {
      vp8::ParsedFrame frame = pred[i].parsed;
      if (last) vp8::enc::refresh_all_references(frame.header);
      f = vp8::enc::rebase_frame_fully(state, frame, targets[i]);
    }
    if (last && !(f.frame.header.refresh_golden_frame && f.frame.header.refresh_alternate_frame &&
                  f.frame.header.refresh_last)) {
      throw std::logic_error("the last frame must refresh every reference");
    }
    out.add(state, f, pred[i].pts);
    state = f.decoded.state;
  }
  out.finish();
  if (!o.output_state.empty()) vp8::save_state(state, o.output_state);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Encode VP8 chunks onto explicit decoder states (the ExCamera encoder).\n"
      "  re-encode: xc-enc -W -w 0.75 -i y4m -o 2-1.ivf -r -I 1-0.state -p 2-0.ivf [-O 2-1.state] 2.y4m\n"
      "     the prediction stream's first (key) frame becomes an inter frame on -I; later frames keep\n"
      "     their modes and vectors with residues recomputed against the new reconstruction.\n"
      "  rebase:    xc-enc -W -w 0.75 -i y4m -o 3.ivf -r -I 2-1.state -p 3-1.ivf -S 2-0.state -O 3-1.state 3.y4m\n"
      "     the prediction stream, made against -S, is recomputed to decode from -I.\n"
      "  primary:   xc-enc -i y4m -o out.ivf -y 30 in.y4m\n"
      "The last output frame always refreshes all three references. Outputs carry the expected-state tag\n"
      "of the state they decode from.",
      "xc-enc"};
  Options o;
  app.add_option("input", o.input, "raw frames (Y4M), one per shown frame of the prediction stream")->required();
  app.add_option("-o,--output", o.output, "output IVF")->required();
  app.add_option("-I,--input-state", o.input_state, "state the output will be decoded from");
  app.add_option("-p,--pred-ivf", o.pred_ivf, "prediction IVF (modes, vectors and flags to keep)");
  app.add_option("-S,--pred-state", o.pred_state, "state the prediction IVF decodes from (rebase)");
  app.add_option("-O,--output-state", o.output_state, "write the state after the output");
  app.add_option("-w,--weight", o.weight, "re-encoded frame quantizer: w * key-frame q + (1 - w) * next-frame q")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("-i,--input-format", o.input_format, "input format (y4m)");
  app.add_flag("-r,--reencode", o.reencode, "re-encode or rebase the prediction stream");
  app.add_flag("-W,--no-wait", o.no_wait, "start at once instead of waiting for standard input to close");
  app.add_option("-y,--quantizer", o.qindex, "constant quantizer index 0-127 (primary encoding)")
      ->check(CLI::Range(0, 127));
  app.set_version_flag("--version", XC_VERSION);
  return util::run_tool("xc-enc", app, argc, argv, [&] { return run(o); });
}
