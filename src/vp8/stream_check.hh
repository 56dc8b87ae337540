// Checks that a stream may be decoded from a given state, using the IVF's expected-state tag.
#pragma once

#include <string>

#include "util/ivf.hh"
#include "vp8/state.hh"

namespace xc::vp8 {

// Throws util::Unsupported "PATH: codec XXXX is not VP8 (VP80)" unless the IVF header names VP8.
void check_vp8_stream(const util::IvfReader& stream);

// Checks check_vp8_stream, then the state. A stream whose first frame is a key frame decodes the same from any state, so it is always
// accepted. Otherwise a non-zero tag must equal expected_state_tag(state); a stream of inter frames
// with no tag (0) is accepted as it is (files from other writers). Throws util::StateMismatch naming
// the stream and `state_name` (the state file, or "a fresh decoder").
void check_stream_state(const util::IvfReader& stream, const DecoderState& state, const std::string& state_name);

}  // namespace xc::vp8
