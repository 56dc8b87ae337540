// Our decoder next to libvpx's on one stream: shown pictures and the three reference frames compared
// after every frame that libvpx decodes cleanly, and what each decoder did with the first frame it
// did not. Shared by the differential tests and the differential fuzzer.
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <vector>

#include "libvpx_helpers.hh"
#include "vp8/bool_decoder.hh"
#include "vp8/decoder.hh"
#include "vp8/frame_header.hh"
#include "vp8/picture.hh"
#include "vp8/state.hh"

namespace xc::test {

// The macroblock-aligned area of a raster (the visible area plus what prediction may read beyond
// it).
inline util::Image aligned_image(const vp8::Raster& r) {
  util::Image img(r.y().width(), r.y().height());
  std::vector<uint8_t>* planes[] = {&img.y, &img.u, &img.v};
  for (int p = 0; p < 3; ++p) {
    const vp8::Plane& plane = r.plane(p);
    for (int y = 0; y < plane.height(); ++y) {
      std::copy_n(plane.row(y), plane.width(), planes[p]->begin() + ptrdiff_t(y) * plane.width());
    }
  }
  return img;
}

// Compares our three references with libvpx's after a frame; returns the first difference, if any.
inline std::string compare_references(const vp8::DecoderState& ours, VpxDecoder& reference) {
  const struct {
    const char* name;
    vpx_ref_frame_type_t type;
    const vp8::RasterRef& raster;
  } refs[] = {{"last", VP8_LAST_FRAME, ours.refs.last},
              {"golden", VP8_GOLD_FRAME, ours.refs.golden},
              {"alt-ref", VP8_ALTR_FRAME, ours.refs.altref}};
  for (const auto& r : refs) {
    const util::Image mine = aligned_image(*r.raster);
    const std::string diff = first_difference(mine, reference.reference(r.type, mine.width, mine.height));
    if (!diff.empty()) return std::string(r.name) + " reference (aligned area): " + diff;
  }
  return {};
}

// Why libvpx's result for a frame is no reference, or empty when it is one. Two kinds of frame that
// libvpx 1.12 (Debian 12's) decodes without error are outside the claim "equal wherever libvpx
// decodes cleanly"; our decoder refuses both (util::InvalidBitstream):
//   - an inter frame that copies reference buffer "3" into golden or alt-ref
//     (copy_buffer_to_golden / copy_buffer_to_alternate, RFC §9.7: 0..2 only): libvpx reports success
//     but points the reference at whichever of its internal frame buffers has index 0
//     (swap_frame_buffers sets an error code that is never returned), so its result depends on its
//     buffer pool, not on the stream;
//   - a frame tag with first_part_size 0: libvpx 1.12 reads the token partitions from the first
//     partition's own bytes; libvpx 1.17 refuses the frame ("Corrupt partition 0 length"), as ours
//     does.
inline std::string libvpx_result_undefined(std::span<const uint8_t> frame) {
  if (frame.size() >= 3 && ((frame[0] | (frame[1] << 8) | (frame[2] << 16)) >> 5) == 0) {
    return "first_part_size is 0 (libvpx 1.12 decodes it, 1.17 refuses it)";
  }
  try {
    const vp8::FrameTag tag = vp8::parse_frame_tag(frame);
    if (tag.key_frame) return {};
    vp8::BoolDecoder bd(frame.subspan(tag.size()));
    const vp8::FrameHeader h = vp8::parse_frame_header(bd, false);
    if (h.copy_buffer_to_golden == 3 || h.copy_buffer_to_alternate == 3) {
      return "copies reference buffer 3 (libvpx's result depends on its buffer pool)";
    }
  } catch (const std::exception&) {
  }
  return {};
}

// How a stream went through both decoders.
struct StreamComparison {
  int frames = 0;  // frames both decoded cleanly, with equal pictures and references
  // Why the comparison stopped before the end (kNone: every frame was compared).
  // kLibvpxUndefined: a frame whose libvpx result is no reference (libvpx_result_undefined).
  enum class Stop { kNone, kLibvpxRefused, kLibvpxCorrupt, kLibvpxUndefined, kDivergence } stop = Stop::kNone;
  bool ours_refused = false;  // at the frame where it stopped, our decoder threw
  std::string detail;         // the frame, and libvpx's message or the first difference

  bool diverged() const { return stop == Stop::kDivergence; }
};

// Decodes `frames` in order with both decoders. Stops at the first frame libvpx refuses, flags as
// corrupt or has no defined result for (noting whether ours refused it), or at the first divergence: our decoder throwing on
// a frame libvpx decodes cleanly, a shown/hidden disagreement, or a difference in the shown picture
// or in any reference.
inline StreamComparison compare_stream_with_libvpx(const std::vector<std::span<const uint8_t>>& frames) {
  StreamComparison c;
  VpxDecoder reference;
  vp8::DecoderState state;
  for (size_t i = 0; i < frames.size(); ++i) {
    const VpxDecoder::Result expected = reference.try_decode(frames[i]);
    vp8::DecodedFrame ours;
    std::string our_error;
    try {
      ours = vp8::decode_frame(state, frames[i]);
    } catch (const std::exception& e) {
      our_error = e.what();
    }
    c.ours_refused = !our_error.empty();
    const std::string where = "frame " + std::to_string(i) + ": ";
    if (expected.outcome != VpxDecoder::Outcome::kOk) {
      const bool refused = expected.outcome == VpxDecoder::Outcome::kError;
      c.stop = refused ? StreamComparison::Stop::kLibvpxRefused : StreamComparison::Stop::kLibvpxCorrupt;
      c.detail = where + "libvpx " + (refused ? "refuses it: " + expected.error : "flags it as corrupt") +
                 "; ours " + (c.ours_refused ? "refuses it: " + our_error : "decodes it");
      return c;
    }
    if (const std::string why = libvpx_result_undefined(frames[i]); !why.empty()) {
      c.stop = StreamComparison::Stop::kLibvpxUndefined;
      c.detail = where + why + "; ours " + (c.ours_refused ? "refuses it: " + our_error : "decodes it");
      return c;
    }
    std::string diff;
    if (c.ours_refused) {
      diff = "libvpx decodes it, ours throws: " + our_error;
    } else if (ours.shown != expected.shown.has_value()) {
      diff = std::string("we ") + (ours.shown ? "show" : "hide") + " it, libvpx " +
             (expected.shown ? "shows" : "hides") + " it";
    } else {
      if (expected.shown) diff = first_difference(vp8::to_image(*ours.picture), *expected.shown);
      if (!diff.empty()) diff = "shown picture: " + diff + " (ours vs libvpx)";
      if (diff.empty()) diff = compare_references(ours.state, reference);
    }
    if (!diff.empty()) {
      c.stop = StreamComparison::Stop::kDivergence;
      c.detail = where + diff;
      return c;
    }
    state = std::move(ours.state);
    ++c.frames;
  }
  return c;
}

}  // namespace xc::test
