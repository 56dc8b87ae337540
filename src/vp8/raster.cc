// Bordered frame buffers (see raster.hh for the layout).
#include "vp8/raster.hh"

#include <cstring>

namespace xc::vp8 {

Plane::Plane(int width, int height, int border, uint8_t* block)
    : width_(width), height_(height), border_(border), stride_(width + 2 * border),
      origin_(block + ptrdiff_t(border) * stride_ + border) {}

void Plane::extend_borders() {
  for (int y = 0; y < height_; ++y) {
    uint8_t* r = row(y);
    std::memset(r - border_, r[0], border_);
    std::memset(r + width_, r[width_ - 1], border_);
  }
  const uint8_t* top = row(0) - border_;
  const uint8_t* bottom = row(height_ - 1) - border_;
  for (int i = 1; i <= border_; ++i) {
    std::memcpy(row(-i) - border_, top, stride_);
    std::memcpy(row(height_ - 1 + i) - border_, bottom, stride_);
  }
}

bool Plane::same_pixels(const Plane& other) const {
  if (width_ != other.width_ || height_ != other.height_) return false;
  for (int y = 0; y < height_; ++y) {
    if (std::memcmp(row(y), other.row(y), width_) != 0) return false;
  }
  return true;
}

Raster::Raster(int display_width, int display_height, util::PageBuffer::Source source)
    : display_width_(display_width), display_height_(display_height) {
  const int w = mb_cols() * 16, h = mb_rows() * 16;
  block_ = util::PageBuffer(Plane::bytes_for(w, h, kLumaBorder) + 2 * Plane::bytes_for(w / 2, h / 2, kChromaBorder),
                            source);
  lay_out_planes();
}

Raster::Raster(const Raster& other)
    : display_width_(other.display_width_), display_height_(other.display_height_), block_(other.block_) {
  lay_out_planes();
}

Raster& Raster::operator=(const Raster& other) {
  if (this != &other) {
    display_width_ = other.display_width_;
    display_height_ = other.display_height_;
    block_ = other.block_;
    lay_out_planes();
  }
  return *this;
}

void Raster::lay_out_planes() {
  const int w = mb_cols() * 16, h = mb_rows() * 16;
  uint8_t* at = block_.data();
  planes_[0] = Plane(w, h, kLumaBorder, at);
  at += Plane::bytes_for(w, h, kLumaBorder);
  planes_[1] = Plane(w / 2, h / 2, kChromaBorder, at);
  at += Plane::bytes_for(w / 2, h / 2, kChromaBorder);
  planes_[2] = Plane(w / 2, h / 2, kChromaBorder, at);
}

void Raster::extend_borders() {
  for (auto& p : planes_) p.extend_borders();
}

bool Raster::same_pixels(const Raster& other) const {
  return display_width_ == other.display_width_ && display_height_ == other.display_height_ &&
         planes_[0].same_pixels(other.planes_[0]) && planes_[1].same_pixels(other.planes_[1]) &&
         planes_[2].same_pixels(other.planes_[2]);
}

std::shared_ptr<Raster> RasterPool::acquire(int display_width, int display_height) {
  // A raster only the pool holds is free; free ones of another size are dropped.
  std::erase_if(rasters_, [&](const std::shared_ptr<Raster>& r) {
    return r.use_count() == 1 && (r->display_width() != display_width || r->display_height() != display_height);
  });
  for (const auto& r : rasters_) {
    if (r.use_count() == 1) return r;
  }
  return rasters_.emplace_back(std::make_shared<Raster>(display_width, display_height, source_));
}

bool same_raster(const RasterRef& a, const RasterRef& b) {
  if (a == b) return true;
  if (!a || !b) return false;
  return a->same_pixels(*b);
}

}  // namespace xc::vp8
