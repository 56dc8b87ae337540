// xc-terminate-chunk: rewrites an IVF chunk so that the decoder state after it is the state as of its
// last shown picture (RFC 6386 §9.7-9.8), with every shown picture unchanged.
//
// The last shown frame gets refresh_last = 1; its golden and alt-ref updates stay as the encoder chose
// them, so the chunk's golden frame (its key frame, unless the encoder refreshed golden later) is
// still there for the next chunk's first frame to predict from. When hidden frames (libvpx's alt-ref
// frames, show_frame = 0) follow it, they are kept but made to refresh and copy nothing: dropping
// them would lose their probability, segmentation and loop-filter-delta updates from the final state,
// and letting them refresh a reference would leave a never-shown picture in it. A hidden key frame
// after the last shown frame cannot be neutralised that way and is refused. The IVF header (size,
// timebase) and every frame's timestamp are kept.
#include <fmt/format.h>

#include <span>
#include <vector>

#include "util/ivf.hh"
#include "util/tool.hh"
#include "vp8/stream_check.hh"
#include "vp8/terminate_chunk.hh"

using namespace xc;

int main(int argc, char** argv) {
  CLI::App app{
      "Rewrite a VP8 IVF chunk (which must start with a key frame) so that it ends on its last shown\n"
      "picture: that picture in the last-frame slot, golden and alt-ref as they were right after it (the\n"
      "next chunk's first frame can still predict from the golden frame). Every shown picture decodes as\n"
      "before; only the reference updates of the last shown frame (refresh last) and of any hidden frames\n"
      "after it (refresh nothing) change.\n\n"
      "Example: xc-terminate-chunk chunk.ivf terminated.ivf",
      "xc-terminate-chunk"};
  std::string input, output;
  app.add_option("input", input, "IVF chunk to terminate")->required();
  app.add_option("output", output, "where to write the terminated chunk")->required();
  app.set_version_flag("--version", XC_VERSION);

  return util::run_tool("xc-terminate-chunk", app, argc, argv, [&] {
    const util::IvfReader ivf(input);
    vp8::check_vp8_stream(ivf);
    std::vector<std::span<const uint8_t>> frames;
    for (const auto& f : ivf.frames()) frames.push_back(f.data);
    std::vector<std::vector<uint8_t>> terminated;
    try {
      terminated = vp8::terminate_chunk(frames);
    } catch (const util::Unsupported& e) {
      throw util::Unsupported(util::with_path(input, e.what()));
    } catch (const util::Error& e) {
      throw util::InvalidBitstream(util::with_path(input, e.what()));
    }
    util::IvfWriter out(output, ivf.header());
    for (size_t i = 0; i < terminated.size(); ++i) out.append(ivf.frame(i).pts, terminated[i]);
    out.finish();
    return 0;
  });
}
