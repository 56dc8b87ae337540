// libFuzzer harness: IVF reading and decode_frame over a whole stream. A frame the decoder refuses
// (util::InvalidBitstream or util::Unsupported) is skipped and decoding goes on from the state before
// it, as a player would; any other exception, a sanitizer report or a crash is a finding.
#include <cstdint>
#include <span>

#include "fuzz_support.hh"
#include "vp8/decoder.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xc;
  vp8::DecoderState state;
  for (const auto& frame : fuzz::read_stream({data, size})) {
    try {
      vp8::DecodedFrame out = vp8::decode_frame(state, frame);
      if (out.picture == nullptr) fuzz::fail("decode_frame returned no picture");
      state = std::move(out.state);
    } catch (const util::InvalidBitstream&) {
    } catch (const util::Unsupported&) {
    }
  }
  return 0;
}
