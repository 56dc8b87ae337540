// xc-concat: joins final chunks into one VP8 stream that plays from a fresh decoder, checking with our
// decoder (RFC 6386 §5) that each chunk continues from the state the chunks before it leave; writes IVF,
// or WebM (util/webm).
#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "util/file.hh"
#include "util/ivf.hh"
#include "util/tool.hh"
#include "util/webm.hh"
#include "vp8/decoder.hh"
#include "vp8/stream_check.hh"


using namespace xc;

namespace {

struct JoinedStream {
  util::IvfHeader header;               // time base and picture size of the output
  std::vector<util::WebmFrame> frames;  // the bytes point into the chunks' mapped files
  uint64_t end_pts = 0;                 // where the last frame ends (its pts plus one frame interval)
  uint64_t frame_interval = 1;
  size_t shown_count = 0;
};

// The smallest positive step between successive timestamps of a chunk: its frame interval, which a
// chunk of one frame (or of hidden frames sharing a timestamp with the next) cannot tell.
std::optional<uint64_t> frame_interval(const util::IvfReader& chunk) {
  std::optional<uint64_t> interval;
  for (size_t i = 1; i < chunk.frame_count(); ++i) {
    const uint64_t a = chunk.frame(i - 1).pts, b = chunk.frame(i).pts;
    if (b > a && (!interval || b - a < *interval)) interval = b - a;
  }
  return interval;
}

// Decodes the chunks in order from a fresh decoder. Every chunk after the first that does not start
// with a key frame must carry the expected-state tag of the state the chunks before it leave, so a
// missing, repeated or misordered chunk is refused here instead of producing a corrupt video.
// Timestamps keep each chunk's spacing and continue where the previous chunk ended.
JoinedStream join(const std::vector<std::unique_ptr<util::IvfReader>>& chunks) {
  JoinedStream out;
  vp8::DecoderState state;
  vp8::RasterPool pool;  // the frames' pictures, reused
  int width = 0, height = 0;
  for (size_t k = 0; k < chunks.size(); ++k) {
    const util::IvfReader& chunk = *chunks[k];
    const std::string& path = chunk.path();
    if (chunk.frame_count() == 0) throw util::InvalidBitstream(path + ": the chunk holds no frames");
    vp8::check_vp8_stream(chunk);
    const util::IvfHeader& h = chunk.header();
    if (k == 0) {
      out.header = h;
    } else if (h.timebase_num != out.header.timebase_num || h.timebase_den != out.header.timebase_den) {
      throw util::Unsupported(fmt::format("{}: time base {}/{} differs from the first chunk's ({}/{})", path,
                                          h.timebase_num, h.timebase_den, out.header.timebase_num,
                                          out.header.timebase_den));
    }
    const auto first = chunk.frame(0).data;
    const bool starts_with_key = !first.empty() && !(first[0] & 1);
    if (k == 0 && !starts_with_key) {
      throw util::StateMismatch(path + ": the first chunk must start with a key frame, so that the result plays "
                                       "from a fresh decoder");
    }
    if (!starts_with_key && h.expected_state_tag == 0) {
      throw util::StateMismatch(path + ": the chunk starts with an inter frame but carries no expected-state tag, "
                                       "so its place in the sequence cannot be checked");
    }
    if (k > 0) {
      try {
        vp8::check_stream_state(chunk, state, "the state after " + chunks[k - 1]->path());
      } catch (const util::StateMismatch& e) {
        throw util::StateMismatch(fmt::format("chunk {} does not continue chunk {}: {} (is a chunk missing or out of "
                                              "order?)", k, k - 1, e.what()));
      }
    }

    const uint64_t chunk_start = chunk.frame(0).pts;
    const uint64_t offset = k == 0 ? chunk_start : out.end_pts;
    for (size_t i = 0; i < chunk.frame_count(); ++i) {
      const util::IvfFrame& frame = chunk.frame(i);
      if (frame.pts < chunk_start) {
        throw util::InvalidBitstream(fmt::format("{}: frame {} has timestamp {}, before the chunk's first ({})", path,
                                                 i, frame.pts, chunk_start));
      }
      vp8::DecodedFrame d;
      try {
        d = vp8::decode_frame(state, frame.data, vp8::dsp::best_dsp(), &pool);
      } catch (const util::Error& e) {
        throw util::InvalidBitstream(fmt::format("{}: frame {}: {}", path, i, e.what()));
      }
      state = std::move(d.state);
      if (d.shown) {
        const int w = d.picture->display_width(), ht = d.picture->display_height();
        if (out.shown_count == 0) {
          width = w, height = ht;
        } else if (w != width || ht != height) {
          throw util::Unsupported(fmt::format("{}: frame {} is {}x{}, but the stream so far is {}x{}", path, i, w, ht,
                                              width, height));
        }
        ++out.shown_count;
      }
      out.frames.push_back({frame.data, frame.pts - chunk_start + offset, d.tag.key_frame, d.shown});
    }
    out.frame_interval = frame_interval(chunk).value_or(out.frame_interval);
    out.end_pts = out.frames.back().pts + out.frame_interval;
  }
  if (out.shown_count == 0) throw util::InvalidBitstream(chunks.back()->path() + ": no chunk shows a frame");
  out.header.width = uint16_t(width);
  out.header.height = uint16_t(height);
  out.header.frame_count = uint32_t(out.frames.size());
  out.header.expected_state_tag = 0;  // starts with a key frame: plays from any state
  return out;
}

void write_ivf(const JoinedStream& stream, const std::string& path) {
  util::IvfWriter out(path, stream.header);
  for (const util::WebmFrame& f : stream.frames) out.append(f.pts, f.data);
  out.finish();
}

// WebM of the joined frames.
void write_webm(const JoinedStream& stream, const std::string& path) {
  util::WebmVideo video;
  video.timebase_num = stream.header.timebase_num;
  video.timebase_den = stream.header.timebase_den;
  video.width = stream.header.width;
  video.height = stream.header.height;
  video.frame_interval = stream.frame_interval;
  video.end_pts = stream.end_pts;
  video.frames = stream.frames;
  util::write_webm(path, video);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Join final chunks (the NNNNNNNN.ivf files of an ExCamera run) into one VP8 stream that plays\n"
      "from a fresh decoder. The chunks are decoded in order with this toolkit's decoder: the first\n"
      "must start with a key frame, and every chunk that starts with an inter frame must carry the\n"
      "expected-state tag of the state the chunks before it leave, so a missing or misordered chunk\n"
      "is an error. Timestamps keep each chunk's spacing and continue where the previous chunk ends.\n"
      "The output is IVF (its header claims no state: it starts with a key frame) or, with\n"
      "--format=webm, WebM written with libmatroska.\n\n"
      "Example: xc-concat --format=webm out.webm 00000000.ivf 00000001.ivf 00000002.ivf",
      "xc-concat"};
  std::string output, format = "ivf";
  std::vector<std::string> inputs;
  app.add_option("output", output, "the file to write")->required();
  app.add_option("chunks", inputs, "the chunks, in order")->required();
  app.add_option("--format", format, "ivf (default) or webm; never guessed from the output's name")
      ->check(CLI::IsMember({"ivf", "webm"}));
  app.set_version_flag("--version", XC_VERSION);

  return util::run_tool("xc-concat", app, argc, argv, [&] {
    if (format == "webm" && !util::webm_supported()) {
      throw util::Unsupported("this build of xc-concat has no WebM writer (it was linked without libmatroska)");
    }
    std::vector<std::unique_ptr<util::IvfReader>> chunks;
    for (const std::string& path : inputs) {
      if (path == output) throw util::UsageError(path + ": the output is also one of the chunks");
      chunks.push_back(std::make_unique<util::IvfReader>(path));
    }
    const JoinedStream stream = join(chunks);
    if (format == "webm") {
      write_webm(stream, output);
    } else {
      write_ivf(stream, output);
    }
    return 0;
  });
}
