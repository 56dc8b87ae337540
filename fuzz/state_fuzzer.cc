// libFuzzer harness: .state loading. Each input is tried as it is and, so that mutations get past
// the checksum to the fields behind it, with its last 8 bytes replaced by the XXH64 of the bytes
// before them. Whatever loads must save and load back to an equal state, and saving that must give
// the same bytes again; everything else must be refused with util::InvalidBitstream.
#include <cstdint>
#include <span>
#include <vector>

#include "fuzz_support.hh"
#include "util/hash.hh"
#include "vp8/state_io.hh"

namespace {

using namespace xc;

void check(std::span<const uint8_t> bytes) {
  vp8::DecoderState state;
  try {
    state = vp8::deserialize_state(bytes, "input");
  } catch (const util::InvalidBitstream&) {
    return;
  }
  const std::vector<uint8_t> saved = vp8::serialize_state(state);
  const vp8::DecoderState loaded = vp8::deserialize_state(saved, "saved");
  if (!(loaded == state)) fuzz::fail("a loaded state does not survive save and load");
  if (vp8::serialize_state(loaded) != saved) fuzz::fail("saving a reloaded state gives other bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check({data, size});
  if (size >= 8) {
    std::vector<uint8_t> fixed(data, data + size);
    const uint64_t sum = util::hash64(std::span<const uint8_t>(fixed).first(size - 8));
    for (int i = 0; i < 8; ++i) fixed[size - 8 + i] = uint8_t(sum >> (8 * i));
    check(fixed);
  }
  return 0;
}
