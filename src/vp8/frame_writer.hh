// Writing a frame's syntax back to bytes (§9, §13, §19): frame tag, first partition (header and
// modes) and token partitions; the inverse of parse_frame.
#pragma once

#include <cstdint>
#include <vector>

#include "vp8/decoder.hh"
#include "vp8/state.hh"

namespace xc::vp8 {

// Serializes `frame` for decoding from `state`: parse_frame(state, write_frame(state, frame)) gives
// `frame` back, with first_part_size recomputed (the tag's value is ignored). Partitions end with
// libvpx's flush, so a frame libvpx wrote comes back byte for byte.
//
// `frame` must be codable against `state`: an inter frame needs a state with a key frame, there is one
// record and one coefficient set per macroblock, every field fits its syntax, and each macroblock's
// vectors and token ends are those its modes and tokens imply (see write_modes and
// write_macroblock_tokens). Otherwise throws std::invalid_argument saying which.
std::vector<uint8_t> write_frame(const DecoderState& state, const ParsedFrame& frame);

}  // namespace xc::vp8
