// xc-bench: decoding speed of this toolkit's decoder against libvpx, measured in the same process on
// the same frames, per clip and instruction set (and on more threads); each rule of the ExCamera graph
// against vpxenc on the same chunk and the graph's critical path against one whole-clip vpxenc encode;
// and the time a rebase takes against a decode of the same frames. One table holds them all.
#include <fmt/format.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "graph/cpu_time.hh"
#include "graph/excamera_graph.hh"
#include "util/ivf.hh"
#include "util/thread_pool.hh"
#include "util/y4m.hh"
#include "util/tool.hh"
#include "vp8/decoder.hh"
#include "vp8/encoder/residual.hh"
#include "vp8/picture.hh"

using namespace xc;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

using bench::thread_cpu_seconds;

// One decode of the whole stream: CPU time of the calling thread (robust to other processes on a shared
// machine) and wall time (what counts with more threads).
struct Timing {
  double cpu = 0, wall = 0;
};

template <typename Work>
Timing timed(Work&& work) {
  const double cpu0 = thread_cpu_seconds();
  const auto wall0 = Clock::now();
  work();
  return {thread_cpu_seconds() - cpu0, seconds_since(wall0)};
}

Timing time_ours(const util::IvfReader& ivf, const vp8::dsp::Dsp& dsp, util::ThreadPool* threads = nullptr) {
  vp8::DecoderState s;
  vp8::RasterPool pool;
  return timed([&] {
    for (const auto& f : ivf.frames()) s = vp8::decode_frame(s, f.data, dsp, &pool, threads).state;
  });
}

Timing time_libvpx(const util::IvfReader& ivf) {
  vpx_codec_ctx_t ctx;
  vpx_codec_dec_cfg_t cfg{};
  cfg.threads = 1;
  if (vpx_codec_dec_init(&ctx, vpx_codec_vp8_dx(), &cfg, 0) != VPX_CODEC_OK) {
    throw util::Error("libvpx decoder failed to initialise");
  }
  const Timing t = timed([&] {
    for (const auto& f : ivf.frames()) {
      if (vpx_codec_decode(&ctx, f.data.data(), unsigned(f.data.size()), nullptr, 0) != VPX_CODEC_OK) {
        const std::string error = vpx_codec_error(&ctx);
        vpx_codec_destroy(&ctx);
        throw util::Error(fmt::format("libvpx failed to decode: {}", error));
      }
      vpx_codec_iter_t iter = nullptr;
      while (vpx_codec_get_frame(&ctx, &iter) != nullptr) {
      }
    }
  });
  vpx_codec_destroy(&ctx);
  return t;
}

struct Spread {
  double min, median, max;
};

Spread spread(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  const double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return {v.front(), median, v.back()};
}

std::string show(const Spread& s) { return fmt::format("{:.2f} / {:.2f} / {:.2f}", s.min, s.median, s.max); }

// One line of the table: a measure of this toolkit against a reference, both in milliseconds of CPU
// time (medians over the runs), and the min / median / max of the per-run ratio. Columns are at least
// two spaces apart and no field holds two spaces in a row, so the table splits on runs of spaces.
struct Row {
  std::string clip, size;
  size_t frames = 0;
  std::string measure;
  double xc_ms = 0;
  std::string reference;
  double ref_ms = 0;
  Spread ratio{};
};

void print_header() {
  std::printf("%-16s  %-9s  %6s  %-24s  %10s  %-18s  %10s  %s\n", "clip", "size", "frames", "measure", "xc ms",
              "reference", "ref ms", "xc/ref min / med / max");
}

void print_row(const Row& r) {
  std::printf("%-16s  %-9s  %6zu  %-24s  %10.1f  %-18s  %10.1f  %s\n", r.clip.c_str(), r.size.c_str(), r.frames,
              r.measure.c_str(), r.xc_ms, r.reference.c_str(), r.ref_ms, show(r.ratio).c_str());
}

// The decode rows: for each clip, each instruction set the CPU has against libvpx (single thread,
// CPU time, the two decoders alternating run by run so that both see the same machine). With
// `threads` > 1, also lines (after the table) on this decoder on that many threads against itself on
// one (wall time).
std::vector<std::string> bench_decode(const std::vector<std::string>& files, int runs, int threads) {
  std::optional<util::ThreadPool> pool;
  if (threads > 1) pool.emplace(threads);
  std::vector<std::string> speedups;
  for (const auto& file : files) {
    const util::IvfReader ivf(file);
    const std::string name = std::filesystem::path(file).filename().string();
    const std::string size = fmt::format("{}x{}", ivf.header().width, ivf.header().height);
    for (int level = 0; level <= int(vp8::dsp::Isa::kAvx2); ++level) {
      const vp8::dsp::Dsp* dsp = vp8::dsp::dsp_for(vp8::dsp::Isa(level));
      if (dsp == nullptr) continue;
      std::vector<double> ours, theirs, ratios;
      for (int i = 0; i < runs; ++i) {
        ours.push_back(time_ours(ivf, *dsp).cpu);
        theirs.push_back(time_libvpx(ivf).cpu);
        ratios.push_back(ours.back() / theirs.back());
      }
      print_row({name, size, ivf.frame_count(), fmt::format("decode {}", dsp->name), spread(ours).median * 1e3,
                 "libvpx decode", spread(theirs).median * 1e3, spread(ratios)});
    }
    if (pool) {
      std::vector<double> speedup;
      for (int i = 0; i < runs; ++i) {
        const double one = time_ours(ivf, vp8::dsp::best_dsp()).wall;
        speedup.push_back(one / time_ours(ivf, vp8::dsp::best_dsp(), &*pool).wall);
      }
      speedups.push_back(fmt::format("{} {}: decode on {} threads, speed-up over one (wall time) min/med/max {}",
                                     name, size, threads, show(spread(speedup))));
    }
  }
  return speedups;
}

// The graph rows for one clip: each rule of each chunk against vpxenc on that chunk, each rule over
// all chunks, then the longest rule, the sum of all rules and the critical path, each against one
// vpxenc encode of all the chunks' frames; all from the same runs. Returns the critical path's chain
// (of the median run) for a line after the table.
std::string bench_graph(const std::string& file, int runs, int chunks, int cq) {
  bench::GraphSetup setup;
  setup.clip = file;
  setup.chunks = chunks;
  setup.cq = cq;
  const std::vector<bench::GraphRun> graph = bench::run_graph(setup, runs);
  const util::Y4mReader clip(file);
  const std::string name = std::filesystem::path(file).filename().string();
  const std::string size = fmt::format("{}x{}", clip.header().width, clip.header().height);
  const size_t n = graph.front().chunks.size();
  const size_t per_chunk = size_t(setup.frames_per_chunk);
  using bench::Stage;
  const Stage kRules[] = {Stage::kTerminate, Stage::kDump, Stage::kReencode, Stage::kRebase};

  auto row = [&](size_t frames, const std::string& measure, const std::string& reference, auto&& ours,
                 auto&& theirs) {
    std::vector<double> xc, ref, ratio;
    for (const bench::GraphRun& run : graph) {
      for (size_t c = 0; c < n; ++c) {
        const std::optional<double> a = ours(run, c), b = theirs(run, c);
        if (!a) continue;
        xc.push_back(*a * 1e3);
        ref.push_back(*b * 1e3);
        ratio.push_back(*a / *b);
      }
    }
    if (!xc.empty()) print_row({name, size, frames, measure, spread(xc).median, reference, spread(ref).median,
                                spread(ratio)});
  };
  auto vpxenc_on = [](size_t only) {
    return [only](const bench::GraphRun& run, size_t c) -> std::optional<double> {
      if (c != only) return std::nullopt;
      return run.chunks[c][Stage::kVpxenc];
    };
  };
  auto stage_on = [](Stage stage, std::optional<size_t> only) {
    return [stage, only](const bench::GraphRun& run, size_t c) -> std::optional<double> {
      if ((only && c != *only) || !run.chunks[c].has(stage)) return std::nullopt;
      return run.chunks[c][stage];
    };
  };
  for (size_t c = 0; c < n; ++c) {
    for (Stage stage : kRules) {
      row(per_chunk, fmt::format("chunk {} {}", c, bench::stage_name(stage)), fmt::format("vpxenc chunk {}", c),
          stage_on(stage, c), vpxenc_on(c));
    }
  }
  for (Stage stage : kRules) {
    row(per_chunk, fmt::format("{} (every chunk)", bench::stage_name(stage)), "vpxenc same chunk",
        stage_on(stage, std::nullopt), [](const bench::GraphRun& run, size_t c) -> std::optional<double> {
          return run.chunks[c][Stage::kVpxenc];
        });
  }
  // Whole-graph figures: one value per run (taken at chunk 0 so that each run counts once).
  auto per_run = [](auto&& figure) {
    return [figure](const bench::GraphRun& run, size_t c) -> std::optional<double> {
      if (c != 0) return std::nullopt;
      return figure(run);
    };
  };
  auto whole = per_run([](const bench::GraphRun& run) { return run.whole_clip_vpxenc; });
  const size_t frames = n * per_chunk;
  const std::string reference = "vpxenc whole clip";
  row(frames, "longest rule", reference, per_run([](const bench::GraphRun& run) {
        double longest = 0;
        for (const auto& t : run.chunks) {
          for (double v : t.seconds) longest = std::max(longest, v);
        }
        return longest;
      }),
      whole);
  row(frames, "all rules", reference, per_run([](const bench::GraphRun& run) {
        double sum = 0;
        for (const auto& t : run.chunks) {
          for (double v : t.seconds) sum += std::max(0.0, v);
        }
        return sum;
      }),
      whole);
  row(frames, fmt::format("critical path, {} chunks", n), reference,
      per_run([](const bench::GraphRun& run) { return bench::critical_path(run.chunks).seconds; }), whole);

  // The chain of the run whose critical path is the median one.
  std::vector<std::pair<double, size_t>> by_length;
  for (size_t r = 0; r < graph.size(); ++r) by_length.push_back({bench::critical_path(graph[r].chunks).seconds, r});
  std::sort(by_length.begin(), by_length.end());
  const bench::CriticalPath median = bench::critical_path(graph[by_length[by_length.size() / 2].second].chunks);
  std::string chain;
  for (const bench::Rule& r : median.chain) {
    chain += fmt::format("{}{} {}", chain.empty() ? "" : " > ", bench::stage_name(r.stage), r.chunk);
  }
  return fmt::format("{}: critical path ({:.1f} ms): {}", name, median.seconds * 1e3, chain);
}

// Rebases every frame of the stream onto the state it decodes from, aiming at its own decoded picture,
// and prints the fastest of `runs` rebases and decodes of each frame (thread CPU time).
void bench_rebase(const util::IvfReader& ivf, int runs, const vp8::dsp::Dsp& dsp) {
  auto cpu_ms = [] { return thread_cpu_seconds() * 1e3; };
  auto fastest_ms = [&](auto&& work) {
    double best = 1e30;
    for (int k = 0; k < runs; ++k) {
      const double t0 = cpu_ms();
      work();
      best = std::min(best, cpu_ms() - t0);
    }
    return best;
  };
  vp8::DecoderState s;
  double rebase_total = 0, decode_total = 0;
  for (size_t i = 0; i < ivf.frame_count(); ++i) {
    const vp8::ParsedFrame parsed = vp8::parse_frame(s, ivf.frame(i).data);
    vp8::DecodedFrame d;
    const double decode_ms = fastest_ms([&] { d = vp8::reconstruct_frame(s, parsed, dsp); });
    const util::Image target = vp8::to_image(*d.picture);
    const double rebase_ms = fastest_ms([&] { vp8::enc::rebase_and_reconstruct(s, parsed, target, dsp); });
    std::printf("frame %zu (%s): rebase %.2f ms, reconstruct_frame %.2f ms\n", i, parsed.tag.key_frame ? "key" : "inter",
                rebase_ms, decode_ms);
    rebase_total += rebase_ms;
    decode_total += decode_ms;
    s = std::move(d.state);
  }
  std::printf("rebase / decode time: %.2f (%.1f ms / %.1f ms)\n", rebase_total / decode_total, rebase_total,
              decode_total);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Benchmark this toolkit against libvpx, in one process, as one table of CPU times (medians over\n"
      "the runs) and the min / median / max of the per-run ratio xc/reference (lower is better).\n\n"
      "decode: decodes each IVF with both decoders, on one thread, with every instruction set the CPU\n"
      "has, the two alternating run by run (1.0 is parity). With -t N, also the wall-time speed-up of\n"
      "this decoder on N threads over one.\n\n"
      "graph: splits each Y4M clip into (at most) 16 chunks of 6 frames and runs the ExCamera graph of\n"
      "gen_makefile.py on them in process, with its flags: vpxenc, terminate, dump, re-encode and rebase,\n"
      "each rule timed. Prints each rule of each chunk against vpxenc on that chunk, each rule over every\n"
      "chunk, then the longest rule, the sum of all rules and the critical path (the longest chain of\n"
      "rules each waiting for the one before: what no number of workers shortens), each against one\n"
      "vpxenc encode of all the chunks' frames, and the critical path's chain.\n\n"
      "all: both, one table: IVF files get decode rows, .y4m files graph rows.\n\n"
      "rebase: rebases every frame of FILE onto the state it decodes from (aiming at its own picture) and\n"
      "prints each frame's rebase and decode CPU time.\n\n"
      "Example: xc-bench all box720.ivf box96.y4m --runs 5 --graph-runs 3",
      "xc-bench"};
  std::vector<std::string> files;
  std::string file;
  int runs = 5;
  int graph_runs = 3;
  int threads = 1;
  int chunks = 16;
  int cq = 22;
  bool scalar = false;
  auto add_decode_options = [&](CLI::App* command) {
    command->add_option("--runs", runs, "runs of each decoder per clip and instruction set (default 5)")
        ->check(CLI::PositiveNumber);
    command->add_option("-t,--threads", threads, "also time this decoder on this many threads")
        ->check(CLI::Range(1, 64));
  };
  auto add_graph_options = [&](CLI::App* command, const char* runs_flag) {
    command->add_option(runs_flag, graph_runs, "runs of the whole graph per clip (default 3)")
        ->check(CLI::PositiveNumber);
    command->add_option("--chunks", chunks, "at most this many chunks of 6 frames (default 16)")
        ->check(CLI::Range(1, 1000));
    command->add_option("--cq", cq, "vpxenc --cq-level (default 22)")->check(CLI::Range(0, 63));
  };
  auto* decode = app.add_subcommand("decode", "decoding speed against libvpx");
  decode->add_option("files", files, "IVF files")->required();
  add_decode_options(decode);
  auto* graph = app.add_subcommand("graph", "the ExCamera graph's rules and critical path against vpxenc");
  graph->add_option("files", files, "Y4M clips")->required();
  add_graph_options(graph, "--runs");
  auto* all = app.add_subcommand("all", "decode and graph in one table");
  all->add_option("files", files, "IVF files (decode) and .y4m clips (graph)")->required();
  add_decode_options(all);
  add_graph_options(all, "--graph-runs");
  auto* rebase = app.add_subcommand("rebase", "rebase time against decode time");
  rebase->add_option("file", file, "IVF file")->required();
  rebase->add_option("--runs", runs, "repetitions; the best time of each is used")->check(CLI::PositiveNumber);
  rebase->add_flag("--scalar", scalar, "use the scalar DSP kernels instead of the best SIMD ones");
  app.require_subcommand(1);
  app.set_version_flag("--version", XC_VERSION);
  return util::run_tool("xc-bench", app, argc, argv, [&] {
    if (rebase->parsed()) {
      const util::IvfReader ivf(file);
      bench_rebase(ivf, runs, scalar ? vp8::dsp::scalar_dsp() : vp8::dsp::best_dsp());
      return 0;
    }
    std::vector<std::string> streams, clips;
    for (const std::string& f : files) {
      const bool y4m = std::filesystem::path(f).extension() == ".y4m";
      if (graph->parsed() || (all->parsed() && y4m)) {
        clips.push_back(f);
      } else {
        streams.push_back(f);
      }
    }
    // Every input opened once first, so that a bad one stops the run before the table starts.
    for (const std::string& f : streams) util::IvfReader{f};
    for (const std::string& f : clips) util::Y4mReader{f};
    print_header();
    std::vector<std::string> notes = bench_decode(streams, runs, threads);
    for (const std::string& clip : clips) notes.push_back(bench_graph(clip, graph_runs, chunks, cq));
    for (const std::string& line : notes) std::printf("%s\n", line.c_str());
    return 0;
  });
}
