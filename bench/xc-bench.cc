// xc-bench: decoding speed of this toolkit's decoder against libvpx, measured in the same process on
// the same frames, per clip and instruction set (and on more threads), and the time a rebase takes
// against a decode of the same frames.
#include <fmt/format.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "util/ivf.hh"
#include "util/thread_pool.hh"
#include "util/tool.hh"
#include "vp8/decoder.hh"
#include "vp8/encoder/residual.hh"
#include "vp8/picture.hh"

using namespace xc;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double thread_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

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

// The decode table: for each clip, each instruction set the CPU has against libvpx (single thread,
// CPU time, the two decoders alternating run by run so that both see the same machine), then this
// decoder on `threads` threads against itself on one (wall time).
void bench_decode(const std::vector<std::string>& files, int runs, int threads) {
  std::printf("%-16s %-10s %6s  %-6s %9s %11s  %-24s\n", "clip", "size", "frames", "isa", "xc ms", "libvpx ms",
              "xc/libvpx min/med/max");
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
      std::printf("%-16s %-10s %6zu  %-6s %9.1f %11.1f  %-24s\n", name.c_str(), size.c_str(), ivf.frame_count(),
                  dsp->name, spread(ours).median * 1e3, spread(theirs).median * 1e3, show(spread(ratios)).c_str());
    }
    if (pool) {
      std::vector<double> speedup;
      for (int i = 0; i < runs; ++i) {
        const double one = time_ours(ivf, vp8::dsp::best_dsp()).wall;
        speedup.push_back(one / time_ours(ivf, vp8::dsp::best_dsp(), &*pool).wall);
      }
      speedups.push_back(fmt::format("{:<16} {:<10} -t {}: speed-up over -t 1 (wall time) min/med/max {}", name, size,
                                     threads, show(spread(speedup))));
    }
  }
  for (const auto& line : speedups) std::printf("%s\n", line.c_str());
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
      "Benchmark this toolkit against libvpx, in one process.\n"
      "decode: decodes each FILE with both decoders, on one thread, with every instruction set the CPU\n"
      "has, the two alternating run by run; prints the median CPU time of each and the min / median /\n"
      "max of the per-run time ratio xc/libvpx (lower is better; 1.0 is parity). With -t N, also the\n"
      "wall-time speed-up of this decoder on N threads over one.\n\n"
      "rebase: rebases every frame of FILE onto the state it decodes from (aiming at its own picture) and\n"
      "prints each frame's rebase and decode CPU time.\n\n"
      "Example: xc-bench decode a.ivf b.ivf --runs 7 -t 2",
      "xc-bench"};
  std::vector<std::string> files;
  std::string file;
  int runs = 5;
  int threads = 1;
  bool scalar = false;
  auto* decode = app.add_subcommand("decode", "decoding speed against libvpx");
  decode->add_option("files", files, "IVF files")->required();
  decode->add_option("--runs", runs, "runs of each decoder per clip and instruction set")->check(CLI::PositiveNumber);
  decode->add_option("-t,--threads", threads, "also time this decoder on this many threads")->check(CLI::Range(1, 64));
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
    bench_decode(files, runs, threads);
    return 0;
  });
}
