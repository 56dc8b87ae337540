// Storage that an encoding loop reuses from frame to frame: a frame's reconstruction, its
// loop-filter trial bands and its coefficients, each picture-sized (at 720p 1.6 MB per raster and
// 3 MB of coefficients). Taken again rather than allocated, they cost no zero-filling and keep the
// heap of a rebase to one set of them (with the heap left to itself, a frame's new coefficients
// often did not fit where the last frame's had been freed, and a second set of pages was touched).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "vp8/raster.hh"
#include "vp8/tokens.hh"

namespace xc::vp8::enc {

// One per encoding loop; not thread-safe. What it hands out holds stale contents from an earlier
// frame (or zeros), which the user overwrites whole.
class FrameBuffers {
 public:
  // A raster for a frame's reconstruction that nothing else holds any longer (see RasterPool).
  std::shared_ptr<Raster> picture(int display_width, int display_height) {
    return pictures_.acquire(display_width, display_height);
  }

  // The raster of loop-filter trial band `index` of a frame, of the given size; the same object for
  // the same index until the next call with that index.
  Raster& band(size_t index, int display_width, int display_height);

  // Storage for `count` macroblocks' coefficients: the last recycled vector, resized.
  std::vector<MacroblockCoeffs> coefficients(size_t count);
  // Takes a frame's coefficients back once the frame is written.
  void recycle(std::vector<MacroblockCoeffs>&& coeffs) { spare_coeffs_ = std::move(coeffs); }

 private:
  // From the heap, which xc-enc populates ahead for them (util::populate_heap).
  RasterPool pictures_{util::PageBuffer::Source::kHeap};
  std::vector<std::unique_ptr<Raster>> bands_;
  std::vector<MacroblockCoeffs> spare_coeffs_;
};

}  // namespace xc::vp8::enc
