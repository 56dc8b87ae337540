// xc-decode: decodes an IVF to Y4M and/or per-frame MD5s, optionally starting from and ending in a
// saved decoder state.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

#include "util/file.hh"
#include "util/ivf.hh"
#include "util/thread_pool.hh"
#include "util/tool.hh"
#include "util/y4m.hh"
#include "vp8/decoder.hh"
#include "vp8/picture.hh"
#include "vp8/state_io.hh"
#include "vp8/stream_check.hh"

using namespace xc;

namespace {

void print_frame_info(size_t index, size_t bytes, const vp8::DecodedFrame& d) {
  const vp8::FrameHeader& h = d.header;
  const bool key = d.tag.key_frame;
  std::string refresh;
  if (key || h.refresh_last) refresh += 'L';
  if (key || h.refresh_golden_frame) refresh += 'G';
  else if (h.copy_buffer_to_golden) refresh += h.copy_buffer_to_golden == 1 ? "G<L" : "G<A";
  if (key || h.refresh_alternate_frame) refresh += 'A';
  else if (h.copy_buffer_to_alternate) refresh += h.copy_buffer_to_alternate == 1 ? "A<L" : "A<G";
  std::fprintf(stderr, "frame %zu: %s %s %zu bytes q %d filter %d sharpness %d refresh %s\n", index,
               key ? "key" : "inter", d.shown ? "shown" : "hidden", bytes, int(h.quant.y_ac_qi),
               int(h.loop_filter_level), int(h.sharpness_level), refresh.empty() ? "-" : refresh.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Decode a VP8 IVF file with this toolkit's decoder.\n"
      "Shown frames go to a Y4M file (-o) and/or their MD5s to standard output (--frame-md5), one\n"
      "lowercase hex line per shown frame (visible Y, then U, then V), the layout of the conformance\n"
      "vectors' .md5 files. Decoding can start from a saved state (-S) and save its final state (-O).\n\n"
      "Example: xc-decode --frame-md5 -o out.y4m in.ivf",
      "xc-decode"};
  std::string input, y4m_out, input_state, output_state;
  bool frame_md5 = false, frame_info = false;
  int threads = 1;
  app.add_option("input", input, "IVF file to decode")->required();
  app.add_option("-o,--output", y4m_out, "write the shown frames to this Y4M file");
  app.add_option("-S,--input-state", input_state, "start from this .state file instead of a fresh decoder");
  app.add_option("-O,--output-state", output_state, "write the decoder state after the last frame");
  app.add_flag("--frame-md5", frame_md5, "print the MD5 of every shown frame");
  app.add_option("-t,--threads", threads,
                 "decode macroblock rows on this many threads (a wavefront); the output is the same")
      ->check(CLI::Range(1, 64));
  app.add_flag("--frame-info", frame_info,
               "print one line per frame (shown or not) to standard error: index, key/inter, shown, bytes,\n"
               "quantizer index, loop-filter level and sharpness, and which references it refreshes");
  app.set_version_flag("--version", XC_VERSION);

  return util::run_tool("xc-decode", app, argc, argv, [&] {
    const util::IvfReader ivf(input);
    if (ivf.frame_count() == 0) throw util::InvalidBitstream(input + ": the file holds no frames");
    vp8::DecoderState state;
    if (!input_state.empty()) state = vp8::load_state(input_state);
    vp8::check_stream_state(ivf, state, input_state.empty() ? "a fresh decoder" : input_state);
    vp8::RasterPool pool;
    util::ThreadPool thread_pool(threads);
    std::unique_ptr<util::Y4mWriter> y4m;
    util::Y4mHeader y4m_header;
    for (size_t i = 0; i < ivf.frame_count(); ++i) {
      vp8::DecodedFrame d;
      try {
        d = vp8::decode_frame(state, ivf.frame(i).data, vp8::dsp::best_dsp(), &pool, &thread_pool);
      } catch (const util::Error& e) {
        throw util::InvalidBitstream(fmt::format("{}: frame {}: {}", input, i, e.what()));
      }
      state = std::move(d.state);
      if (frame_info) print_frame_info(i, ivf.frame(i).data.size(), d);
      if (!d.shown) continue;
      const vp8::Raster& pic = *d.picture;
      if (frame_md5) std::printf("%s\n", vp8::picture_md5(pic).c_str());
      if (!y4m_out.empty()) {
        if (!y4m) {
          y4m_header.width = pic.display_width();
          y4m_header.height = pic.display_height();
          y4m_header.fps_num = int(ivf.header().timebase_den);
          y4m_header.fps_den = int(ivf.header().timebase_num);
          if (y4m_header.fps_num <= 0 || y4m_header.fps_den <= 0) y4m_header.fps_num = 30, y4m_header.fps_den = 1;
          y4m_header.par_num = y4m_header.par_den = 1;
          y4m = std::make_unique<util::Y4mWriter>(y4m_out, y4m_header);
        } else if (pic.display_width() != y4m_header.width || pic.display_height() != y4m_header.height) {
          throw util::Unsupported(fmt::format("{}: frame {}: size changes from {}x{} to {}x{}, which Y4M cannot hold",
                                              input, i, y4m_header.width, y4m_header.height, pic.display_width(),
                                              pic.display_height()));
        }
        vp8::write_picture(*y4m, pic);
      }
    }
    if (!y4m_out.empty() && !y4m) {
      throw util::InvalidBitstream(input + ": no frame is shown, so there is no picture to write to " + y4m_out);
    }
    std::vector<util::PendingOutput> outputs;
    if (y4m) outputs.push_back({y4m_out, [&] { y4m->finish(); }});
    if (!output_state.empty()) outputs.push_back({output_state, [&] { vp8::save_state(state, output_state); }});
    util::commit_all(outputs);
    return 0;
  });
}
