// Frame probabilities chosen from the frame's own branch counts (§9.10-9.11, §13.4, §16.2, §17.2):
// skip, intra and reference probabilities, coefficient, MV and intra-mode probability updates.
#pragma once

#include <cstdint>

#include "vp8/decoder.hh"
#include "vp8/state.hh"

namespace xc::vp8::enc {

// The probability (1..255) of a zero that codes `zeros` zeros and `ones` ones in the fewest bits by
// the proportion rule; 128 without counts.
uint8_t prob_from_counts(int64_t zeros, int64_t ones);

// Re-chooses every probability `frame` codes its modes and tokens with, against `state` (the state it
// will be decoded from): prob_skip_false (skip flags follow the coefficients), prob_intra, prob_last,
// prob_gf. The decoded picture does not change; only the bits spent on it do.
void optimize_probabilities(const DecoderState& state, ParsedFrame& frame);

}  // namespace xc::vp8::enc
