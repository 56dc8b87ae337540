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

// Re-chooses every probability `frame` codes its modes and tokens with, against `state` (the state
// it will be decoded from; for key frames, after the key-frame reset), from the branch counts of
// the frame's own modes and tokens:
//  - mb_no_coeff_skip and prob_skip_false; skip flags then follow the coefficients (a macroblock
//    without coefficients is skipped when the frame codes skip flags);
//  - prob_intra, prob_last, prob_gf (inter frames);
//  - every coefficient probability update (§13.4), made only where the bits it saves on the frame's
//    tokens exceed its flag and 8 bits;
//  - the MV probability updates (§17.2, 7-bit values) and the intra 16x16 and chroma mode
//    probability sets (§16.2, 4 and 3 probabilities of 8 bits each), likewise (inter frames).
// Updates the header had are replaced. Costs are estimated from the counts with the bool encoder's
// cost table; where the estimated saving of all updates together is within the rounding of the
// partitions to whole bytes, the frame is written both ways and the smaller kept. The frame decodes
// to the same picture as before. With refresh_entropy_probs the updates persist into the next
// frame's state, so a frame must be optimized before it is finished or written.
void optimize_probabilities(const DecoderState& state, ParsedFrame& frame);

}  // namespace xc::vp8::enc
