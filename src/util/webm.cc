// VP8 in WebM through libmatroska (see webm.hh for the layout written).
#include "util/webm.hh"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "util/errors.hh"
#include "util/file.hh"

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

namespace xc::util {

#if XC_HAVE_MATROSKA

namespace {

// Matroska time stamps in milliseconds (TimecodeScale 1 ms, WebM's usual choice), so that a block's
// 16-bit offset from its cluster spans 32 s.
constexpr uint64_t kTimecodeScaleNs = 1000000;
// A new cluster starts at every key frame and at least every 5 s, well inside the 16-bit offset
// range.
constexpr uint64_t kMaxClusterMs = 5000;
constexpr uint64_t kTrackNumber = 1;
// Fixed, so that the same input always gives the same bytes.
constexpr uint64_t kTrackUid = 1;
// Room before Info for the SeekHead, written last (three entries need about 50 bytes).
constexpr uint64_t kSeekHeadRoom = 128;

// What VP8's pictures mean, written into the track's Colour element (codes of ITU-T H.273 and the
// Matroska specification). RFC 6386 §9.2: color_space 0, the only one defined, is YUV like
// BT.601's, so the matrix is BT.601's (H.273 code 6, SMPTE 170M, as Chromium's default for VP8;
// code 5 is the same matrix); libvpx encodes and decodes limited-range ("broadcast", 16-235 luma)
// samples; and chroma sits at the centre of each 2x2 block of luma ("half" both ways), the siting
// of libvpx's 4:2:0 input (Y4M "420jpeg") and what ffmpeg writes for such a stream. Without a
// Colour element players guess, and Chromium's Media Source Extensions then convert with BT.709: a
// visible colour shift. Primaries and transfer characteristics stay unspecified: a VP8 stream does
// not carry them.
constexpr uint64_t kMatrixBt601 = 6;
constexpr uint64_t kRangeBroadcast = 1;
constexpr uint64_t kChromaSitingHalf = 2;
// FlagInterlaced: VP8 has no fields, every frame is progressive.
constexpr uint64_t kProgressive = 2;

// Nanoseconds of `ticks` of the stream's time base (num/den seconds), without overflow.
uint64_t ticks_to_ns(uint64_t ticks, const WebmVideo& v) {
  const unsigned __int128 ns = (unsigned __int128)ticks * v.timebase_num * 1000000000u;
  return uint64_t(ns / v.timebase_den);
}

// Block times in ms, strictly increasing as Matroska players expect. A hidden frame shares its IVF
// timestamp with the frame shown after it (libvpx emits an alt-ref frame just before the frame that
// shows it); it moves 1 ms earlier, so that every shown frame keeps its own time, and a frame only
// moves later when there is no room before it.
std::vector<uint64_t> block_times_ms(const WebmVideo& v) {
  const size_t n = v.frames.size();
  std::vector<uint64_t> ms(n);
  for (size_t i = 0; i < n; ++i)
    ms[i] = (ticks_to_ns(v.frames[i].pts, v) + kTimecodeScaleNs / 2) / kTimecodeScaleNs;
  for (size_t i = n - 1; i-- > 0;) {
    if (ms[i] >= ms[i + 1] && ms[i + 1] > 0) ms[i] = ms[i + 1] - 1;
  }
  for (size_t i = 1; i < n; ++i) ms[i] = std::max(ms[i], ms[i - 1] + 1);
  return ms;
}

}  // namespace

bool webm_supported() { return true; }

void write_webm(const std::string& path, const WebmVideo& v) {
  using namespace libebml;
  using namespace libmatroska;
  if (v.timebase_num == 0 || v.timebase_den == 0) {
    throw Unsupported(fmt::format("{}: time base {}/{} cannot be written to WebM", path,
                                  v.timebase_num, v.timebase_den));
  }
  if (v.frames.empty() || !v.frames.front().key) {
    throw InvalidBitstream(path + ": a WebM video must start with a key frame");
  }
  const std::vector<uint64_t> ms = block_times_ms(v);
  const uint64_t interval_ns = ticks_to_ns(v.frame_interval, v);
  // Where the last frame ends; never before the last block (which the 1 ms steps may have delayed).
  const double duration_ms =
      std::max(double(ticks_to_ns(v.end_pts, v)) / double(kTimecodeScaleNs), double(ms.back() + 1));

  MemIOCallback out(v.frames.size() * 64 + 4096);
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
  writing_app.SetUTF8(std::string("xc ") + XC_VERSION);
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
  GetChild<KaxVideoPixelWidth>(video).SetValue(v.width);
  GetChild<KaxVideoPixelHeight>(video).SetValue(v.height);
  GetChild<KaxVideoFlagInterlaced>(video).SetValue(kProgressive);
  auto& colour = GetChild<KaxVideoColour>(video);
  GetChild<KaxVideoColourMatrix>(colour).SetValue(kMatrixBt601);
  GetChild<KaxVideoChromaSitHorz>(colour).SetValue(kChromaSitingHalf);
  GetChild<KaxVideoChromaSitVert>(colour).SetValue(kChromaSitingHalf);
  GetChild<KaxVideoColourRange>(colour).SetValue(kRangeBroadcast);
  tracks.Render(out);
  seek_head.IndexThis(tracks, segment);

  KaxCues cues;
  cues.SetGlobalTimecodeScale(kTimecodeScaleNs);
  size_t i = 0;
  while (i < v.frames.size()) {
    // One cluster: from frame i up to the next key frame or kMaxClusterMs.
    KaxCluster cluster;
    cluster.SetParent(segment);
    cluster.InitTimecode(ms[i], kTimecodeScaleNs);
    const size_t begin = i;
    do {
      const WebmFrame& f = v.frames[i];
      auto& block = AddNewChild<KaxSimpleBlock>(cluster);
      block.SetParent(cluster);
      // The block owns the DataBuffer (it deletes it) but not the bytes, which stay the caller's.
      auto* data = new DataBuffer(const_cast<binary*>(f.data.data()), uint32(f.data.size()));
      // Matroska's invisible flag is exactly a hidden frame: decode it, never display it.
      block.AddFrame(track, ms[i] * kTimecodeScaleNs, *data, LACING_NONE, !f.shown);
      block.SetKeyframe(f.key);
      ++i;
    } while (i < v.frames.size() && !v.frames[i].key && ms[i] - ms[begin] < kMaxClusterMs);
    cluster.Render(out, cues);
    if (v.frames[begin].key) {
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
    throw Error(path + ": libmatroska could not record the segment size");
  }
  write_file_atomically(path, {out.GetDataBuffer(), size_t(out.GetDataBufferSize())});
}

#else

bool webm_supported() { return false; }

void write_webm(const std::string& path, const WebmVideo&) {
  throw Unsupported(path + ": this build has no WebM writer (it was linked without libmatroska)");
}

#endif

}  // namespace xc::util
