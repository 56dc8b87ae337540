// Terminating a chunk: rewriting the reference updates of its last frames (§9.7-9.8) so that the
// decoder state after it is the state as of its last shown picture.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace xc::vp8 {

// Rewrites `frames` (a chunk starting with a key frame) so that decoding it shows the same pictures
// and ends with the last shown picture in the last-frame reference, golden and alt-ref holding what
// they held right after that picture, and the same probabilities, segmentation and loop-filter deltas
// as the original's final state.
//
// The last shown frame is made to refresh the last-frame reference; its golden and alt-ref updates
// stay as the encoder chose them, so a golden frame (normally the chunk's key frame, which the
// re-encode replaces by its first frame) carries over into the next chunk, where its first frame can
// predict from it. Hidden frames after the last shown one are kept, so that their probability,
// segmentation and filter-delta updates still reach the final state, but made to refresh and copy
// nothing: what they decode is never shown, and now never kept either. Frames before the last shown
// one are returned unchanged, and so is a frame whose flags already say what is wanted.
//
// Throws util::InvalidBitstream for an empty chunk, a first frame that is not a key frame, a chunk
// with no shown frame, or a frame that does not decode ("frame N: problem"); util::Unsupported for a
// hidden key frame after the last shown frame (key frames always refresh every reference).
std::vector<std::vector<uint8_t>> terminate_chunk(const std::vector<std::span<const uint8_t>>& frames);

}  // namespace xc::vp8
