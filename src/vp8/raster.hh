// Frame buffers: three 8-bit planes with borders, sized to whole macroblocks, in one zeroed block of
// memory (a util::PageBuffer, from the heap or mapped in 2 MB pages). A finished frame is
// frozen as a shared immutable value (RasterRef), so references and states copy pointers only.
//
//   <------------------ stride ------------------>
//   +--------------------------------------------+  ^ border rows (replicated top row)
//   |   +------------------------------------+   |
//   |   | aligned area: mb_cols*16 x        |   |  border columns replicate the edge pixels
//   |   | mb_rows*16 (visible area at its    |   |
//   |   | top-left corner)                  |   |
//   |   +------------------------------------+   |
//   +--------------------------------------------+  v border rows (replicated bottom row)
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "util/page_buffer.hh"

namespace xc::vp8 {

// One plane of a Raster: a view of its part of the raster's block.
class Plane {
 public:
  Plane() = default;
  // The plane at `origin` (pixel (0, 0)) in a block of at least bytes_for(width, height, border).
  Plane(int width, int height, int border, uint8_t* block);
  static size_t bytes_for(int width, int height, int border) {
    return size_t(width + 2 * border) * size_t(height + 2 * border);
  }

  int width() const { return width_; }    // aligned width (whole macroblocks)
  int height() const { return height_; }  // aligned height
  int border() const { return border_; }
  int stride() const { return stride_; }

  uint8_t* row(int y) { return origin_ + ptrdiff_t(y) * stride_; }
  const uint8_t* row(int y) const { return origin_ + ptrdiff_t(y) * stride_; }
  uint8_t* at(int x, int y) { return row(y) + x; }
  const uint8_t* at(int x, int y) const { return row(y) + x; }

  // Replicates the edge pixels of the aligned area into the whole border.
  void extend_borders();
  // Whether the aligned areas hold the same pixels (borders are derived, so they are not compared).
  bool same_pixels(const Plane& other) const;

 private:
  int width_ = 0, height_ = 0, border_ = 0, stride_ = 0;
  uint8_t* origin_ = nullptr;  // pixel (0, 0)
};

class Raster {
 public:
  static constexpr int kLumaBorder = 32;
  static constexpr int kChromaBorder = 16;

  // All pixels zero, in a block from `source`.
  Raster(int display_width, int display_height, util::PageBuffer::Source source = util::PageBuffer::Source::kHeap);
  // Copies hold their own block; moves keep it.
  Raster(const Raster& other);
  Raster& operator=(const Raster& other);
  Raster(Raster&&) noexcept = default;
  Raster& operator=(Raster&&) noexcept = default;

  int display_width() const { return display_width_; }
  int display_height() const { return display_height_; }
  int mb_cols() const { return (display_width_ + 15) / 16; }
  int mb_rows() const { return (display_height_ + 15) / 16; }

  Plane& y() { return planes_[0]; }
  Plane& u() { return planes_[1]; }
  Plane& v() { return planes_[2]; }
  const Plane& y() const { return planes_[0]; }
  const Plane& u() const { return planes_[1]; }
  const Plane& v() const { return planes_[2]; }
  Plane& plane(int i) { return planes_[i]; }
  const Plane& plane(int i) const { return planes_[i]; }

  void extend_borders();
  bool same_pixels(const Raster& other) const;

 private:
  // Makes planes_ views of block_.
  void lay_out_planes();

  int display_width_, display_height_;
  util::PageBuffer block_;
  Plane planes_[3];
};

using RasterRef = std::shared_ptr<const Raster>;

// Frame buffers handed back for reuse, so that a decoding loop does not allocate (and have the
// system zero and map) a new frame for every picture. acquire() returns a raster of the given size
// that nobody but the pool holds any longer, with its old pixels still in it (decoding overwrites
// every pixel, borders included), or a new one. One pool per decoding loop; not thread-safe.
// By default its rasters are mapped (util::PageBuffer): a pool keeps them, so each costs its
// system calls and the zeroing of its pages once, in a handful of 2 MB page faults where the
// system has large pages. A process that populates its heap ahead for them asks for heap ones.
class RasterPool {
 public:
  explicit RasterPool(util::PageBuffer::Source source = util::PageBuffer::Source::kMapped) : source_(source) {}
  std::shared_ptr<Raster> acquire(int display_width, int display_height);
  size_t size() const { return rasters_.size(); }

 private:
  util::PageBuffer::Source source_;
  std::vector<std::shared_ptr<Raster>> rasters_;
};

// Equality of shared rasters: the same object, or both null, or equal pixels.
bool same_raster(const RasterRef& a, const RasterRef& b);

}  // namespace xc::vp8
