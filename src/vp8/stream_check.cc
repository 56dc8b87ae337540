// Checks before decoding an IVF: that it holds VP8, and the expected-state tag of streams that continue
// from a saved state.
#include "vp8/stream_check.hh"

#include <fmt/format.h>

#include <array>
#include <string>

#include "util/errors.hh"
#include "vp8/frame_header.hh"

namespace xc::vp8 {

void check_vp8_stream(const util::IvfReader& stream) {
  const std::array<char, 4>& fourcc = stream.header().fourcc;
  if (fourcc != std::array<char, 4>{'V', 'P', '8', '0'}) {
    std::string shown;  // printable, since the field may hold any bytes
    for (const char c : fourcc) {
      shown += c >= 0x20 && c < 0x7f ? std::string(1, c) : fmt::format("\\x{:02x}", uint8_t(c));
    }
    throw util::Unsupported(fmt::format("{}: codec {} is not VP8 (VP80)", stream.path(), shown));
  }
}

void check_stream_state(const util::IvfReader& stream, const DecoderState& state, const std::string& state_name) {
  check_vp8_stream(stream);
  if (stream.frame_count() == 0) return;
  const auto first = stream.frame(0).data;
  if (!first.empty() && !(first[0] & 1)) return;  // starts with a key frame
  const uint32_t tag = stream.header().expected_state_tag;
  if (tag == 0) return;
  const uint32_t have = expected_state_tag(state);
  if (tag != have) {
    throw util::StateMismatch(fmt::format(
        "{}: this stream must be decoded from the state tagged {:08x}, but {} has tag {:08x}", stream.path(), tag,
        state_name, have));
  }
}

}  // namespace xc::vp8
