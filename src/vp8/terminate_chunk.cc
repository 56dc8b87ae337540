// Chunk termination: parse the last frames, change their reference updates (§9.7-9.8), write them
// back with the frame writer.
#include "vp8/terminate_chunk.hh"

#include <fmt/format.h>

#include "util/errors.hh"
#include "vp8/decoder.hh"
#include "vp8/frame_writer.hh"

namespace xc::vp8 {

namespace {

// Runs `f` and prefixes the message of a decoding error with the frame number.
template <typename F>
auto for_frame(size_t index, F&& f) {
  try {
    return f();
  } catch (const util::InvalidBitstream& e) {
    throw util::InvalidBitstream(fmt::format("frame {}: {}", index, e.what()));
  }
}

// Sets the reference updates of an inter frame: for the last shown frame, a refresh of the last-frame
// reference with its golden and alt-ref updates kept; for a hidden frame after it, no refresh and no
// copy. Returns whether anything changed.
bool set_refreshes(FrameHeader& h, bool last_shown) {
  const FrameHeader before = h;
  if (last_shown) {
    h.refresh_last = true;
  } else {
    h.refresh_golden_frame = h.refresh_alternate_frame = h.refresh_last = false;
    h.copy_buffer_to_golden = h.copy_buffer_to_alternate = 0;
  }
  return !(h == before);
}

}  // namespace

std::vector<std::vector<uint8_t>> terminate_chunk(const std::vector<std::span<const uint8_t>>& frames) {
  using util::InvalidBitstream;
  if (frames.empty()) throw InvalidBitstream("the chunk holds no frames");
  std::vector<FrameTag> tags;
  for (size_t i = 0; i < frames.size(); ++i) tags.push_back(for_frame(i, [&] { return parse_frame_tag(frames[i]); }));
  if (!tags[0].key_frame) {
    throw InvalidBitstream("frame 0 is an inter frame; a chunk to terminate must start with a key frame");
  }
  size_t last_shown = frames.size();
  for (size_t i = 0; i < frames.size(); ++i) {
    if (tags[i].show_frame) last_shown = i;
  }
  if (last_shown == frames.size()) throw InvalidBitstream("no frame of the chunk is shown");
  for (size_t i = last_shown + 1; i < frames.size(); ++i) {
    if (tags[i].key_frame) {
      throw util::Unsupported(fmt::format(
          "frame {} is a hidden key frame after the last shown frame {}; it would replace every reference", i,
          last_shown));
    }
  }

  std::vector<std::vector<uint8_t>> out;
  DecoderState state;
  RasterPool pool;  // the frames' pictures, reused
  for (size_t i = 0; i < frames.size(); ++i) {
    std::vector<uint8_t> bytes(frames[i].begin(), frames[i].end());
    if (i >= last_shown && !tags[i].key_frame) {
      ParsedFrame parsed = for_frame(i, [&] { return parse_frame(state, frames[i]); });
      if (set_refreshes(parsed.header, i == last_shown)) bytes = write_frame(state, parsed);
    }
    state = for_frame(i, [&] { return decode_frame(state, bytes, dsp::best_dsp(), &pool).state; });
    out.push_back(std::move(bytes));
  }
  return out;
}

}  // namespace xc::vp8
