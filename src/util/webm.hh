// VP8 video in WebM (Matroska with DocType "webm"), written with libmatroska: one video track, one
// frame per SimpleBlock, a cluster per key frame, cues for seeking and the colour description VP8
// implies.
//
//   EBML header (DocType webm, version 4: the Colour element is a version-4 element)
//   Segment
//     SeekHead   where Info, Tracks and Cues are (written last, into room kept before Info)
//     Info       TimecodeScale 1 ms, Duration, MuxingApp, WritingApp
//     Tracks     one TrackEntry: V_VP8, DefaultDuration, Video (size, progressive, Colour)
//     Cluster... SimpleBlocks (key flag on key frames, invisible flag on hidden frames)
//     Cues       one CuePoint per cluster that starts with a key frame
//
// Builds without libmatroska (the static build) have no writer: webm_supported() is false and
// write_webm throws Unsupported.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace xc::util {

struct WebmFrame {
  std::span<const uint8_t> data;  // one VP8 frame (RFC 6386 §9.1 onwards)
  uint64_t pts = 0;               // in the video's time base
  bool key = false;
  bool shown = true;  // show_frame (RFC 6386 §9.1); hidden frames are decoded but never displayed
};

struct WebmVideo {
  uint32_t timebase_num = 1;  // seconds per tick: num / den
  uint32_t timebase_den = 30;
  uint16_t width = 0;  // of the shown pictures
  uint16_t height = 0;
  uint64_t frame_interval =
      0;                 // ticks between shown frames (0: unknown, no DefaultDuration written)
  uint64_t end_pts = 0;  // where the last frame ends: the Duration
  std::span<const WebmFrame> frames;
};

// Whether this build can write WebM.
bool webm_supported();

// Writes `video` to `path` atomically; the same input always gives the same bytes. Throws
// Unsupported for a zero time base or without libmatroska, InvalidBitstream for a video that starts
// with anything but a key frame, IoError when the file cannot be written.
void write_webm(const std::string& path, const WebmVideo& video);

}  // namespace xc::util
