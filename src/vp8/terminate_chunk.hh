// Terminating a chunk: rewriting the refresh flags of its last frames (§9.7-9.8) so that the decoder
// state after it holds one picture, the last shown one, in all three references.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace xc::vp8 {

// Rewrites `frames` (a chunk starting with a key frame) so that decoding it shows the same pictures
// and ends with last, golden and alt-ref all holding the last shown picture, and with the same
// probabilities, segmentation and loop-filter deltas as the original's final state.
//
// The last shown frame is made to refresh all three references without copies (its own picture does
// not depend on its refresh flags). Hidden frames after it are kept, so that their probability,
// segmentation and filter-delta updates still reach the final state, but made to refresh and copy
// nothing: what they decode is never shown, and now never kept either. Frames before the last shown
// one are returned unchanged, and so is a frame whose flags already say what is wanted.
//
// Throws util::InvalidBitstream for an empty chunk, a first frame that is not a key frame, a chunk
// with no shown frame, or a frame that does not decode ("frame N: problem"); util::Unsupported for a
// hidden key frame after the last shown frame (key frames always refresh every reference).
std::vector<std::vector<uint8_t>> terminate_chunk(const std::vector<std::span<const uint8_t>>& frames);

}  // namespace xc::vp8
