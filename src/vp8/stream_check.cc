// Expected-state tag checks for streams that continue from a saved state.
#include "vp8/stream_check.hh"

#include <fmt/format.h>

#include "util/errors.hh"
#include "vp8/frame_header.hh"

namespace xc::vp8 {

void check_stream_state(const util::IvfReader& stream, const DecoderState& state, const std::string& state_name) {
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
