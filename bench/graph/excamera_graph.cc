// The ExCamera graph of gen_makefile.py run in process on one clip, each rule timed, and its critical
// path.
#include "graph/excamera_graph.hh"

#include <fmt/format.h>
#include <stdlib.h>

#include <algorithm>
#include <optional>
#include <sstream>

#include "graph/cpu_time.hh"
#include "graph/graph_flags.hh"
#include "util/errors.hh"
#include "util/ivf.hh"
#include "util/temp_folder.hh"
#include "util/y4m.hh"
#include "vp8/decoder.hh"
#include "vp8/encoder/chunk.hh"
#include "vp8/state.hh"
#include "vp8/state_io.hh"
#include "vp8/stream_check.hh"
#include "vp8/terminate_chunk.hh"
#include "vpxenc/vpxenc_command.hh"

namespace xc::bench {

const char* stage_name(Stage stage) {
  switch (stage) {
    case Stage::kVpxenc:
      return "vpxenc";
    case Stage::kTerminate:
      return "terminate";
    case Stage::kDump:
      return "dump";
    case Stage::kReencode:
      return "re-encode";
    case Stage::kRebase:
      return "rebase";
  }
  return "?";
}

CriticalPath critical_path(const std::vector<ChunkTimes>& chunks) {
  // Finish time of each rule when every rule starts as soon as its inputs exist, and the rule it
  // waited for last (the previous link of its longest chain).
  const size_t n = chunks.size();
  std::vector<std::array<double, kStages>> finish(n);
  std::vector<std::array<std::optional<Rule>, kStages>> waited_for(n);
  auto at = [&](Rule r) -> double& { return finish[size_t(r.chunk)][size_t(r.stage)]; };
  auto settle = [&](Rule rule, std::initializer_list<Rule> inputs) {
    double start = 0;
    for (const Rule& input : inputs) {
      if (at(input) > start || !waited_for[size_t(rule.chunk)][size_t(rule.stage)]) {
        start = std::max(start, at(input));
        waited_for[size_t(rule.chunk)][size_t(rule.stage)] = input;
      }
    }
    at(rule) = start + chunks[size_t(rule.chunk)][rule.stage];
  };
  for (size_t i = 0; i < n; ++i) {
    const int c = int(i);
    const ChunkTimes& t = chunks[i];
    if (!t.has(Stage::kVpxenc) || !t.has(Stage::kTerminate) || !t.has(Stage::kDump) ||
        t.has(Stage::kReencode) != (c >= 1) || t.has(Stage::kRebase) != (c >= 2)) {
      throw util::Error(fmt::format("critical_path: chunk {} has the wrong set of rules", c));
    }
    settle({c, Stage::kVpxenc}, {});
    settle({c, Stage::kTerminate}, {{c, Stage::kVpxenc}});
    settle({c, Stage::kDump}, {{c, Stage::kTerminate}});
    if (c >= 1) settle({c, Stage::kReencode}, {{c, Stage::kTerminate}, {c - 1, Stage::kDump}});
    if (c >= 2) {
      const Rule previous_state{c - 1, c - 1 == 1 ? Stage::kReencode : Stage::kRebase};
      settle({c, Stage::kRebase}, {{c, Stage::kReencode}, {c - 1, Stage::kDump}, previous_state});
    }
  }
  CriticalPath path;
  std::optional<Rule> last;
  for (size_t i = 0; i < n; ++i) {
    for (int s = 0; s < kStages; ++s) {
      const Rule r{int(i), Stage(s)};
      if (chunks[i].has(r.stage) && (!last || at(r) > path.seconds)) {
        path.seconds = at(r);
        last = r;
      }
    }
  }
  for (std::optional<Rule> r = last; r; r = waited_for[size_t(r->chunk)][size_t(r->stage)]) {
    path.chain.insert(path.chain.begin(), *r);
  }
  return path;
}

namespace {

std::string chunk_name(int chunk) { return fmt::format("{:08d}", chunk); }

// The first-stage encode: the vpxenc command with the graph's flags (and -q, which only silences
// its per-pass lines).
void run_vpxenc(const std::string& flags, const std::string& input, const std::string& output) {
  std::vector<std::string> args{"vpxenc"};
  std::istringstream words(flags);
  for (std::string w; words >> w;) args.push_back(w);
  for (const char* a : {"-q", "-o"}) args.emplace_back(a);
  args.push_back(output);
  args.push_back(input);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int status = tools::vpxenc_command(int(args.size()), argv.data());
  if (status != 0) throw util::Error(fmt::format("{}: vpxenc failed (exit status {})", input, status));
}

// What xc-terminate-chunk does.
void run_terminate(const std::string& input, const std::string& output) {
  const util::IvfReader ivf(input);
  vp8::check_vp8_stream(ivf);
  std::vector<std::span<const uint8_t>> frames;
  for (const auto& f : ivf.frames()) frames.push_back(f.data);
  const std::vector<std::vector<uint8_t>> terminated = vp8::terminate_chunk(frames);
  util::IvfWriter out(output, ivf.header());
  for (size_t i = 0; i < terminated.size(); ++i) out.append(ivf.frame(i).pts, terminated[i]);
  out.finish();
}

// What xc-dump does (from a fresh decoder, after the last frame).
void run_dump(const std::string& input, const std::string& output) {
  const util::IvfReader ivf(input);
  vp8::DecoderState state;
  for (const auto& f : ivf.frames()) state = vp8::decode_frame(state, f.data).state;
  vp8::save_state(state, output);
}

// What xc-enc -r does: a re-encode when `pred_state` is empty, else a rebase of a prediction stream
// made against `pred_state`. Writes `output_state` unless it is empty.
void run_xc_enc(const std::string& pictures_y4m, const std::string& input_state, const std::string& pred_ivf,
                const std::string& pred_state, const std::string& output, const std::string& output_state) {
  const util::Y4mReader y4m(pictures_y4m);
  const util::IvfReader pred_stream(pred_ivf);
  const bool rebase = !pred_state.empty();
  const vp8::DecoderState pred_start = rebase ? vp8::load_state(pred_state) : vp8::DecoderState{};
  vp8::check_stream_state(pred_stream, pred_start, rebase ? pred_state : "a fresh decoder");
  vp8::enc::PredictionStream pred(pred_stream, pred_start);
  if (pred.shown_frames() != y4m.frame_count()) {
    throw util::InvalidBitstream(fmt::format("{} shows {} frames but {} holds {}", pred_ivf, pred.shown_frames(),
                                             pictures_y4m, y4m.frame_count()));
  }
  const vp8::DecoderState start = vp8::load_state(input_state);
  util::IvfHeader header = pred_stream.header();
  header.expected_state_tag = vp8::expected_state_tag(start);
  util::IvfWriter out(output, header);
  const vp8::enc::PictureSource pictures = [&](size_t i) { return y4m.frame(i); };
  const vp8::enc::FrameSink sink = [&](uint64_t pts, std::span<const uint8_t> bytes) { out.append(pts, bytes); };
  const vp8::DecoderState end = rebase ? vp8::enc::rebase_chunk(start, pred, pictures, sink)
                                       : vp8::enc::reencode_chunk(start, pred, pictures, {}, sink).end;
  out.finish();
  if (!output_state.empty()) vp8::save_state(end, output_state);
}

// Writes frames [first, first + count) of `clip` to `path`.
void write_frames(const util::Y4mReader& clip, size_t first, size_t count, const std::string& path) {
  util::Y4mWriter out(path, clip.header());
  for (size_t i = first; i < first + count; ++i) out.write(clip.frame(i));
  out.finish();
}

}  // namespace

std::vector<GraphRun> run_graph(const GraphSetup& setup, int runs) {
  // In process, xc-enc's flags mean nothing beyond the defaults run_xc_enc uses: -W (start at once),
  // -i y4m (the pictures' format) and no -w (the first frame's quantizer chosen by rate and
  // distortion). A different set in gen_makefile.py must be taught to this benchmark first.
  if (std::string(kXcEncFlags) != "-W -i y4m") {
    throw util::Error(fmt::format("gen_makefile.py's XC_ENC_FLAGS are '{}'; this benchmark runs xc-enc as '-W -i y4m'",
                                  kXcEncFlags));
  }
  std::string flags = kVpxencFlags;
  const size_t cq_at = flags.find("{cq}");
  if (cq_at == std::string::npos) throw util::Error("gen_makefile.py's VPXENC_FLAGS have no {cq}");
  flags.replace(cq_at, 4, std::to_string(setup.cq));

  const util::Y4mReader clip(setup.clip);
  const size_t per_chunk = size_t(setup.frames_per_chunk);
  const int chunks = int(std::min(size_t(setup.chunks), clip.frame_count() / per_chunk));
  if (chunks < 1) {
    throw util::InvalidBitstream(fmt::format("{}: {} frames, fewer than one chunk of {}", setup.clip,
                                             clip.frame_count(), per_chunk));
  }
  const util::TempFolder work("xc-bench-graph-");
  for (int c = 0; c < chunks; ++c) write_frames(clip, size_t(c) * per_chunk, per_chunk, work.file(chunk_name(c) + ".y4m"));
  write_frames(clip, 0, size_t(chunks) * per_chunk, work.file("whole.y4m"));

  std::vector<GraphRun> results;
  for (int r = 0; r < runs; ++r) {
    GraphRun run;
    run.chunks.resize(size_t(chunks));
    // Chunk by chunk in the graph's order, so that a burst of load elsewhere hits every rule alike.
    for (int c = 0; c < chunks; ++c) {
      ChunkTimes& t = run.chunks[size_t(c)];
      const std::string x = work.file(chunk_name(c)), p = c > 0 ? work.file(chunk_name(c - 1)) : "";
      // The first chunk keeps its key frame: its terminated encode is already final.
      const std::string terminated = c == 0 ? x + ".ivf" : x + "-0.ivf";
      t[Stage::kVpxenc] = cpu_seconds([&] { run_vpxenc(flags, x + ".y4m", x + "-vpxenc.ivf"); });
      t[Stage::kTerminate] = cpu_seconds([&] { run_terminate(x + "-vpxenc.ivf", terminated); });
      t[Stage::kDump] = cpu_seconds([&] { run_dump(terminated, x + "-0.state"); });
      if (c == 1) {
        // The second chunk's re-encode starts from the first chunk's real state: it is final.
        t[Stage::kReencode] = cpu_seconds(
            [&] { run_xc_enc(x + ".y4m", p + "-0.state", x + "-0.ivf", "", x + ".ivf", x + "-1.state"); });
      } else if (c > 1) {
        t[Stage::kReencode] =
            cpu_seconds([&] { run_xc_enc(x + ".y4m", p + "-0.state", x + "-0.ivf", "", x + "-1.ivf", ""); });
        const std::string state_out = c + 1 == chunks ? "" : x + "-1.state";
        t[Stage::kRebase] = cpu_seconds(
            [&] { run_xc_enc(x + ".y4m", p + "-1.state", x + "-1.ivf", p + "-0.state", x + ".ivf", state_out); });
      }
    }
    run.whole_clip_vpxenc = cpu_seconds([&] { run_vpxenc(flags, work.file("whole.y4m"), work.file("whole-vpxenc.ivf")); });
    results.push_back(std::move(run));
  }
  return results;
}

}  // namespace xc::bench
