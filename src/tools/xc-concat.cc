// xc-concat: joins final chunks into one VP8 stream that plays from a fresh decoder, checking with our
// decoder (RFC 6386 §5) that each chunk continues from the state the chunks before it leave; writes IVF,
// or WebM through libmatroska.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "util/file.hh"
#include "util/ivf.hh"
#include "util/tool.hh"
#include "vp8/decoder.hh"
#include "vp8/stream_check.hh"

#if XC_HAVE_MATROSKA
#include <ebml/EbmlHead.h>
#include <ebml/EbmlSubHead.h>
#include <ebml/EbmlVoid.h>
#include <ebml/MemIOCallback.h>
#include <matroska/KaxBlock.h>
#include <matroska/KaxCluster.h>
#include <matroska/KaxCues.h>
#include <matroska/KaxCuesData.h>
#include <matroska/KaxInfo.h>
#include <matroska/KaxInfoData.h>
#include <matroska/KaxSeekHead.h>
#include <matroska/KaxSegment.h>
#include <matroska/KaxSemantic.h>
#include <matroska/KaxTrackEntryData.h>
#include <matroska/KaxTrackVideo.h>
#include <matroska/KaxTracks.h>
#endif

using namespace xc;

namespace {

// One frame of the joined stream; `data` points into its chunk's mapped file.
struct Frame {
  std::span<const uint8_t> data;
  uint64_t pts = 0;  // in the output's time base
  bool key = false;
  bool shown = false;
};

struct JoinedStream {
  util::IvfHeader header;  // time base and picture size of the output
  std::vector<Frame> frames;
  uint64_t end_pts = 0;    // where the last frame ends (its pts plus one frame interval)
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
  int width = 0, height = 0;
  for (size_t k = 0; k < chunks.size(); ++k) {
    const util::IvfReader& chunk = *chunks[k];
    const std::string& path = chunk.path();
    if (chunk.frame_count() == 0) throw util::InvalidBitstream(path + ": the chunk holds no frames");
    const util::IvfHeader& h = chunk.header();
    if (h.fourcc != std::array<char, 4>{'V', 'P', '8', '0'}) {
      throw util::Unsupported(fmt::format("{}: codec {:.4} is not VP8 (VP80)", path, h.fourcc.data()));
    }
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
        d = vp8::decode_frame(state, frame.data);
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
  for (const Frame& f : stream.frames) out.append(f.pts, f.data);
  out.finish();
}

#if XC_HAVE_MATROSKA

// Matroska time stamps in milliseconds (TimecodeScale 1 ms, WebM's usual choice), so that a block's
// 16-bit offset from its cluster spans 32 s.
constexpr uint64_t kTimecodeScaleNs = 1000000;
// A new cluster starts at every key frame and at least every 5 s, well inside the 16-bit offset range.
constexpr uint64_t kMaxClusterMs = 5000;
constexpr uint64_t kTrackNumber = 1;
// Fixed, so that the same input always gives the same bytes.
constexpr uint64_t kTrackUid = 1;
// Room before Info for the SeekHead, written last (three entries need about 50 bytes).
constexpr uint64_t kSeekHeadRoom = 128;

// Nanoseconds of `ticks` of the stream's time base (num/den seconds), without overflow.
uint64_t ticks_to_ns(uint64_t ticks, const util::IvfHeader& h) {
  const unsigned __int128 ns = (unsigned __int128)ticks * h.timebase_num * 1000000000u;
  return uint64_t(ns / h.timebase_den);
}

// Writes the WebM in memory, then atomically to `path`. VP8 in WebM: codec V_VP8, one frame per
// SimpleBlock, key frames flagged, hidden (alt-ref) frames flagged invisible; block times must
// increase, so a hidden frame and the frame shown after it (which share an IVF timestamp) are 1 ms
// apart, as libvpx's own WebM writer does.
void write_webm(const JoinedStream& stream, const std::string& path) {
  using namespace libebml;
  using namespace libmatroska;
  const util::IvfHeader& h = stream.header;
  if (h.timebase_num == 0 || h.timebase_den == 0) {
    throw util::Unsupported(fmt::format("{}: time base {}/{} cannot be written to WebM", path, h.timebase_num,
                                        h.timebase_den));
  }
  // Block times in ms, strictly increasing.
  std::vector<uint64_t> ms(stream.frames.size());
  for (size_t i = 0; i < ms.size(); ++i) {
    ms[i] = (ticks_to_ns(stream.frames[i].pts, h) + kTimecodeScaleNs / 2) / kTimecodeScaleNs;
    if (i > 0 && ms[i] <= ms[i - 1]) ms[i] = ms[i - 1] + 1;
  }
  const uint64_t interval_ns = ticks_to_ns(stream.frame_interval, h);
  // Where the last frame ends; never before the last block (which the 1 ms steps may have delayed).
  const double duration_ms =
      std::max(double(ticks_to_ns(stream.end_pts, h)) / double(kTimecodeScaleNs), double(ms.back() + 1));

  MemIOCallback out(stream.frames.size() * 64 + 4096);
  EbmlHead head;
  GetChild<EDocType>(head).SetValue("webm");
  GetChild<EDocTypeVersion>(head).SetValue(4);
  GetChild<EDocTypeReadVersion>(head).SetValue(2);
  head.Render(out, true);

  KaxSegment segment;
  const uint64_t segment_head = segment.WriteHead(out, 8);  // size patched at the end
  EbmlVoid seek_room;
  seek_room.SetSize(kSeekHeadRoom);
  seek_room.Render(out);
  KaxSeekHead seek_head;

  auto& info = GetChild<KaxInfo>(segment);
  GetChild<KaxTimecodeScale>(info).SetValue(kTimecodeScaleNs);
  GetChild<KaxDuration>(info).SetValue(duration_ms);
  GetChild<KaxMuxingApp>(info).SetValue(UTFstring{L"libmatroska"});
  UTFstring writing_app;
  writing_app.SetUTF8(std::string("xc-concat ") + XC_VERSION);
  GetChild<KaxWritingApp>(info).SetValue(writing_app);
  info.Render(out, true);
  seek_head.IndexThis(info, segment);

  auto& tracks = GetChild<KaxTracks>(segment);
  auto& track = GetChild<KaxTrackEntry>(tracks);
  track.SetGlobalTimecodeScale(kTimecodeScaleNs);
  GetChild<KaxTrackNumber>(track).SetValue(kTrackNumber);
  GetChild<KaxTrackUID>(track).SetValue(kTrackUid);
  GetChild<KaxTrackType>(track).SetValue(track_video);
  GetChild<KaxCodecID>(track).SetValue("V_VP8");
  GetChild<KaxTrackFlagLacing>(track).SetValue(0);
  if (interval_ns > 0) GetChild<KaxTrackDefaultDuration>(track).SetValue(interval_ns);
  auto& video = GetChild<KaxTrackVideo>(track);
  GetChild<KaxVideoPixelWidth>(video).SetValue(h.width);
  GetChild<KaxVideoPixelHeight>(video).SetValue(h.height);
  tracks.Render(out);
  seek_head.IndexThis(tracks, segment);

  KaxCues cues;
  cues.SetGlobalTimecodeScale(kTimecodeScaleNs);
  size_t i = 0;
  while (i < stream.frames.size()) {
    // One cluster: from frame i up to the next key frame or kMaxClusterMs.
    KaxCluster cluster;
    cluster.SetParent(segment);
    cluster.InitTimecode(ms[i], kTimecodeScaleNs);
    const size_t begin = i;
    do {
      const Frame& f = stream.frames[i];
      auto& block = AddNewChild<KaxSimpleBlock>(cluster);
      block.SetParent(cluster);
      // The block owns the DataBuffer (it deletes it) but not the bytes, which stay in the mapped chunk.
      auto* data = new DataBuffer(const_cast<binary*>(f.data.data()), uint32(f.data.size()));
      block.AddFrame(track, ms[i] * kTimecodeScaleNs, *data, LACING_NONE, !f.shown);
      block.SetKeyframe(f.key);
      ++i;
    } while (i < stream.frames.size() && !stream.frames[i].key && ms[i] - ms[begin] < kMaxClusterMs);
    cluster.Render(out, cues);
    if (stream.frames[begin].key) {
      auto& point = AddNewChild<KaxCuePoint>(cues);
      GetChild<KaxCueTime>(point).SetValue(ms[begin]);
      auto& position = GetChild<KaxCueTrackPositions>(point);
      GetChild<KaxCueTrack>(position).SetValue(kTrackNumber);
      GetChild<KaxCueClusterPosition>(position).SetValue(segment.GetRelativePosition(cluster));
    }
    cluster.ReleaseFrames();
  }
  cues.Render(out);
  seek_head.IndexThis(cues, segment);
  seek_room.ReplaceWith(seek_head, out);

  out.setFilePointer(0, seek_end);
  const uint64_t end = out.getFilePointer();
  if (segment.ForceSize(end - segment.GetElementPosition() - segment_head)) {
    segment.OverwriteHead(out);
  } else {
    throw util::Error(path + ": libmatroska could not record the segment size");
  }
  util::write_file_atomically(path, {out.GetDataBuffer(), size_t(out.GetDataBufferSize())});
}

#endif

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
#if !XC_HAVE_MATROSKA
    if (format == "webm") {
      throw util::Unsupported("this build of xc-concat has no WebM writer (it was linked without libmatroska)");
    }
#endif
    std::vector<std::unique_ptr<util::IvfReader>> chunks;
    for (const std::string& path : inputs) {
      if (path == output) throw util::UsageError(path + ": the output is also one of the chunks");
      chunks.push_back(std::make_unique<util::IvfReader>(path));
    }
    const JoinedStream stream = join(chunks);
#if XC_HAVE_MATROSKA
    if (format == "webm") {
      write_webm(stream, output);
      return 0;
    }
#endif
    write_ivf(stream, output);
    return 0;
  });
}
