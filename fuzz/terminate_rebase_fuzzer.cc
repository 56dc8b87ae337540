// libFuzzer harness: terminate_chunk and the rebase (rebase_frame_fully) on fuzzed prediction
// streams, their output decoded by libvpx. The input's longest prefix that our decoder accepts
// (from its first frame, a key frame) is the chunk.
//   - terminate_chunk's output must show the same pictures as the chunk (our decoder), end with the
//     last shown picture as the last frame and golden and alt-ref as the chunk had them right after
//     that picture, and decode in libvpx exactly as in ours.
//   - The chunk's inter frames after the first are then rebased, in order, onto the terminated
//     chunk's final state (as ExCamera rebases a chunk onto the previous chunk's end), each aiming
//     at the picture it decoded to originally. Each written frame must decode in our decoder to
//     what the encoder says it does, and libvpx, fed the terminated chunk and then the rebased
//     frames, must agree with ours on every picture and reference.
// Frames libvpx refuses or flags as corrupt are outside the claim (tests/libvpx_compare.hh); a
// chunk that libvpx does not decode cleanly as it is is skipped.
#include <cstdint>
#include <span>

#include "fuzz_support.hh"
#include "libvpx_compare.hh"
#include "vp8/decoder.hh"
#include "vp8/encoder/frame_encoder.hh"
#include "vp8/frame_writer.hh"
#include "vp8/picture.hh"
#include "vp8/terminate_chunk.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xc;
  // The chunk: the prefix our decoder accepts, limited to a few frames (the rebase encodes).
  std::vector<std::vector<uint8_t>> chunk;
  std::vector<vp8::DecoderState> states{vp8::DecoderState{}};  // states[i]: before frame i
  std::vector<vp8::DecodedFrame> decoded;
  for (auto& frame : fuzz::read_stream({data, size})) {
    if (chunk.size() == 6) break;
    try {
      decoded.push_back(vp8::decode_frame(states.back(), frame));
    } catch (const util::InvalidBitstream&) {
      break;
    } catch (const util::Unsupported&) {
      break;
    }
    states.push_back(decoded.back().state);
    chunk.push_back(std::move(frame));
  }
  if (chunk.empty() || test::compare_stream_with_libvpx(fuzz::spans(chunk)).stop != test::StreamComparison::Stop::kNone) {
    return 0;
  }

  std::vector<std::vector<uint8_t>> terminated;
  try {
    terminated = vp8::terminate_chunk(fuzz::spans(chunk));
  } catch (const util::InvalidBitstream&) {
    return 0;
  } catch (const util::Unsupported&) {
    return 0;
  }
  // Same shown pictures; the last of them as the last frame, golden and alt-ref as right after it.
  vp8::DecoderState end;
  vp8::RasterRef last_shown;
  const vp8::DecoderState* at_last_shown = nullptr;  // the chunk's state right after its last shown frame
  std::vector<std::string> shown_before, shown_after;
  for (const auto& d : decoded) {
    if (!d.shown) continue;
    shown_before.push_back(vp8::picture_md5(*d.picture));
    at_last_shown = &d.state;
  }
  for (const auto& frame : terminated) {
    vp8::DecodedFrame d = vp8::decode_frame(end, frame);
    if (d.shown) {
      shown_after.push_back(vp8::picture_md5(*d.picture));
      last_shown = d.picture;
    }
    end = std::move(d.state);
  }
  if (shown_after != shown_before) fuzz::fail("terminate_chunk changes the shown pictures");
  if (!vp8::same_raster(end.refs.last, last_shown)) {
    fuzz::fail("the last frame after terminate_chunk is not the last shown picture");
  }
  if (!vp8::same_raster(end.refs.golden, at_last_shown->refs.golden) ||
      !vp8::same_raster(end.refs.altref, at_last_shown->refs.altref)) {
    fuzz::fail("golden or alt-ref after terminate_chunk differ from the chunk's after its last shown frame");
  }

  // Rebase the chunk's inter frames onto the terminated chunk's end.
  std::vector<std::vector<uint8_t>> stream = terminated;
  vp8::DecoderState base = end;
  for (size_t i = 1; i < chunk.size() && !decoded[i].tag.key_frame; ++i) {
    const vp8::ParsedFrame parsed = vp8::parse_frame(states[i], chunk[i]);
    const vp8::enc::EncodedFrame rebased =
        vp8::enc::rebase_frame_fully(base, parsed, vp8::to_image(*decoded[i].picture));
    std::vector<uint8_t> bytes = vp8::write_frame(base, rebased.frame);
    const vp8::DecodedFrame ours = vp8::decode_frame(base, bytes);
    if (!(ours.state == rebased.decoded.state) || !vp8::same_raster(ours.picture, rebased.decoded.picture)) {
      fuzz::fail("rebased frame " + std::to_string(i) + " decodes otherwise than the encoder says");
    }
    base = ours.state;
    stream.push_back(std::move(bytes));
  }
  const test::StreamComparison c = test::compare_stream_with_libvpx(fuzz::spans(stream));
  if (c.stop != test::StreamComparison::Stop::kNone) {
    fuzz::fail("terminated and rebased chunk in libvpx: " + c.detail);
  }
  return 0;
}
