// libFuzzer harness: parse -> write -> parse of every frame our decoder accepts. The written frame
// must parse back to the same syntax (the frame tag's first_part_size aside), writing that again must
// give the same bytes (the rewrite is byte-identical from the first write on; the input's own bytes
// may differ, e.g. in what follows a partition's last symbol), and it must decode to the same picture
// and state as the input frame.
#include <cstdint>
#include <span>

#include "fuzz_support.hh"
#include "vp8/decoder.hh"
#include "vp8/frame_writer.hh"

namespace {

using namespace xc;

bool same_syntax(const vp8::ParsedFrame& a, const vp8::ParsedFrame& b) {
  vp8::FrameTag ta = a.tag, tb = b.tag;
  ta.first_part_size = tb.first_part_size = 0;
  if (!(ta == tb) || !(a.header == b.header) || a.mbs != b.mbs || a.coeffs.size() != b.coeffs.size()) return false;
  for (size_t i = 0; i < a.coeffs.size(); ++i) {
    if (a.coeffs[i].coeffs != b.coeffs[i].coeffs || a.coeffs[i].token_end != b.coeffs[i].token_end ||
        a.coeffs[i].all_eob != b.coeffs[i].all_eob) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vp8::DecoderState state;
  size_t index = 0;
  for (const auto& frame : fuzz::read_stream({data, size})) {
    const std::string where = "frame " + std::to_string(index++) + ": ";
    vp8::ParsedFrame parsed;
    vp8::DecodedFrame decoded;
    try {
      parsed = vp8::parse_frame(state, frame);
      decoded = vp8::decode_frame(state, frame);
    } catch (const util::InvalidBitstream&) {
      continue;
    } catch (const util::Unsupported&) {
      continue;
    }
    const std::vector<uint8_t> written = vp8::write_frame(state, parsed);
    const vp8::ParsedFrame again = vp8::parse_frame(state, written);
    if (!same_syntax(parsed, again)) fuzz::fail(where + "the written frame parses to other syntax");
    if (vp8::write_frame(state, again) != written) fuzz::fail(where + "writing the frame again gives other bytes");
    const vp8::DecodedFrame redecoded = vp8::decode_frame(state, written);
    if (!(redecoded.state == decoded.state) || !vp8::same_raster(redecoded.picture, decoded.picture) ||
        redecoded.shown != decoded.shown) {
      fuzz::fail(where + "the written frame decodes differently");
    }
    state = std::move(decoded.state);
  }
  return 0;
}
