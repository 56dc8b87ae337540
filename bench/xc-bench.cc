// xc-bench: decoding speed of this toolkit's decoder against libvpx, measured in the same process,
// single-threaded, on the same frames. Prints frames per second for both and the time ratio.
#include <fmt/format.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "util/ivf.hh"
#include "util/tool.hh"
#include "vp8/decoder.hh"

using namespace xc;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double time_ours(const util::IvfReader& ivf, const vp8::dsp::Dsp& dsp) {
  const auto t = Clock::now();
  vp8::DecoderState s;
  for (const auto& f : ivf.frames()) s = vp8::decode_frame(s, f.data, dsp).state;
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Benchmark this toolkit against libvpx, in one process, single-threaded.\n"
      "decode: decodes FILE with both decoders (best of --runs each, interleaved) and prints frames per\n"
      "second and our time / libvpx time (lower is better; 1.0 is parity).\n\n"
      "Example: xc-bench decode clip.ivf --runs 5",
      "xc-bench"};
  std::string file;
  int runs = 3;
  bool scalar = false;
  auto* decode = app.add_subcommand("decode", "decoding speed against libvpx");
  decode->add_option("file", file, "IVF file")->required();
  decode->add_option("--runs", runs, "repetitions; the best time of each decoder is used")->check(CLI::PositiveNumber);
  decode->add_flag("--scalar", scalar, "use the scalar DSP kernels instead of the best SIMD ones");
  app.require_subcommand(1);
  app.set_version_flag("--version", XC_VERSION);
  return util::run_tool("xc-bench", app, argc, argv, [&] {
    const util::IvfReader ivf(file);
    const auto& dsp = scalar ? vp8::dsp::scalar_dsp() : vp8::dsp::best_dsp();
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
