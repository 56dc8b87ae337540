// xc-dump: decodes an IVF (from a fresh decoder or a saved state) and writes the decoder state after a
// chosen frame to a .state file.
#include <fmt/format.h>

#include "util/ivf.hh"
#include "util/tool.hh"
#include "vp8/decoder.hh"
#include "vp8/state_io.hh"
#include "vp8/stream_check.hh"

using namespace xc;

int main(int argc, char** argv) {
  CLI::App app{
      "Decode a VP8 IVF file and save the decoder state reached after a frame (default: the last).\n"
      "The state holds the probability tables, segmentation, loop-filter deltas and the three\n"
      "reference frames, so another process can resume decoding, or encode onto it, from there.\n\n"
      "Example: xc-dump -S 1-0.state 2-1.ivf 2-1.state",
      "xc-dump"};
  std::string input, output, input_state;
  long frame_number = -1;
  app.add_option("input", input, "IVF file to decode")->required();
  app.add_option("output", output, "where to write the .state file")->required();
  app.add_option("-S,--input-state", input_state, "start from this .state file instead of a fresh decoder");
  app.add_option("-f,--frame-number", frame_number, "stop after this frame (0-based; default: the last)")
      ->check(CLI::NonNegativeNumber);
  app.set_version_flag("--version", XC_VERSION);

  return util::run_tool("xc-dump", app, argc, argv, [&] {
    const util::IvfReader ivf(input);
    vp8::DecoderState state;
    if (!input_state.empty()) state = vp8::load_state(input_state);
    vp8::check_stream_state(ivf, state, input_state.empty() ? "a fresh decoder" : input_state);
    if (ivf.frame_count() == 0) throw util::InvalidBitstream(input + ": the file holds no frames");
    const size_t last = frame_number < 0 ? ivf.frame_count() - 1 : size_t(frame_number);
    if (last >= ivf.frame_count()) {
      throw util::UsageError(fmt::format("{}: frame {} requested but the file has {} frames", input, last,
                                         ivf.frame_count()));
    }
    vp8::RasterPool pool;  // the frames' pictures, reused
    for (size_t i = 0; i <= last; ++i) {
      try {
        state = vp8::decode_frame(state, ivf.frame(i).data, vp8::dsp::best_dsp(), &pool).state;
      } catch (const util::Error& e) {
        throw util::InvalidBitstream(fmt::format("{}: frame {}: {}", input, i, e.what()));
      }
    }
    vp8::save_state(state, output);
    return 0;
  });
}
