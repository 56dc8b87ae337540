// xc-bench: decoding speed of this toolkit's decoder against libvpx, measured in the same process,
// single-threaded, on the same frames (frames per second for both and the time ratio), and the time a
// rebase takes against a decode of the same frames.
#include <fmt/format.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <vector>

#include "util/ivf.hh"
#include "util/tool.hh"
#include "vp8/decoder.hh"
#include "vp8/encoder/residual.hh"
#include "vp8/picture.hh"

using namespace xc;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double time_ours(const util::IvfReader& ivf, const vp8::dsp::Dsp& dsp) {
  const auto t = Clock::now();
  vp8::DecoderState s;
  vp8::RasterPool pool;
  for (const auto& f : ivf.frames()) s = vp8::decode_frame(s, f.data, dsp, &pool).state;
  return seconds_since(t);
}

double time_libvpx(const util::IvfReader& ivf) {
  vpx_codec_ctx_t ctx;
  vpx_codec_dec_cfg_t cfg{};
  cfg.threads = 1;
  if (vpx_codec_dec_init(&ctx, vpx_codec_vp8_dx(), &cfg, 0) != VPX_CODEC_OK) {
    throw util::Error("libvpx decoder failed to initialise");
  }
  const auto t = Clock::now();
  for (const auto& f : ivf.frames()) {
    if (vpx_codec_decode(&ctx, f.data.data(), unsigned(f.data.size()), nullptr, 0) != VPX_CODEC_OK) {
      vpx_codec_destroy(&ctx);
      throw util::Error(fmt::format("libvpx failed to decode: {}", vpx_codec_error(&ctx)));
    }
    vpx_codec_iter_t iter = nullptr;
    while (vpx_codec_get_frame(&ctx, &iter) != nullptr) {
    }
  }
  const double s = seconds_since(t);
  vpx_codec_destroy(&ctx);
  return s;
}

// Rebases every frame of the stream onto the state it decodes from, aiming at its own decoded picture,
// and prints the fastest of `runs` rebases and decodes of each frame (thread CPU time).
void bench_rebase(const util::IvfReader& ivf, int runs, const vp8::dsp::Dsp& dsp) {
  auto cpu_ms = [] {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
  };
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
      "Benchmark this toolkit against libvpx, in one process, single-threaded.\n"
      "decode: decodes FILE with both decoders (best of --runs each, interleaved) and prints frames per\n"
      "second and our time / libvpx time (lower is better; 1.0 is parity).\n\n"
      "rebase: rebases every frame of FILE onto the state it decodes from (aiming at its own picture) and\n"
      "prints each frame's rebase and decode CPU time.\n\n"
      "Example: xc-bench decode clip.ivf --runs 5",
      "xc-bench"};
  std::string file;
  int runs = 3;
  bool scalar = false;
  auto* decode = app.add_subcommand("decode", "decoding speed against libvpx");
  decode->add_option("file", file, "IVF file")->required();
  decode->add_option("--runs", runs, "repetitions; the best time of each decoder is used")->check(CLI::PositiveNumber);
  decode->add_flag("--scalar", scalar, "use the scalar DSP kernels instead of the best SIMD ones");
  auto* rebase = app.add_subcommand("rebase", "rebase time against decode time");
  rebase->add_option("file", file, "IVF file")->required();
  rebase->add_option("--runs", runs, "repetitions; the best time of each is used")->check(CLI::PositiveNumber);
  rebase->add_flag("--scalar", scalar, "use the scalar DSP kernels instead of the best SIMD ones");
  app.require_subcommand(1);
  app.set_version_flag("--version", XC_VERSION);
  return util::run_tool("xc-bench", app, argc, argv, [&] {
    const util::IvfReader ivf(file);
    const auto& dsp = scalar ? vp8::dsp::scalar_dsp() : vp8::dsp::best_dsp();
    if (rebase->parsed()) {
      bench_rebase(ivf, runs, dsp);
      return 0;
    }
    double ours = 1e30, theirs = 1e30;
    for (int i = 0; i < runs; ++i) {
      ours = std::min(ours, time_ours(ivf, dsp));
      theirs = std::min(theirs, time_libvpx(ivf));
    }
    const double n = double(ivf.frame_count());
    std::printf("file: %s (%ux%u, %zu frames), dsp: %s\n", file.c_str(), ivf.header().width, ivf.header().height,
                ivf.frame_count(), dsp.name);
    std::printf("xc decoder:     %8.1f fps\n", n / ours);
    std::printf("libvpx decoder: %8.1f fps\n", n / theirs);
    std::printf("time ratio xc/libvpx: %.2f\n", ours / theirs);
    return 0;
  });
}
