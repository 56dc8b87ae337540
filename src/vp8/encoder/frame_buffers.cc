// Frame-to-frame storage of an encoding loop (see frame_buffers.hh).
#include "vp8/encoder/frame_buffers.hh"

namespace xc::vp8::enc {

Raster& FrameBuffers::band(size_t index, int display_width, int display_height) {
  if (bands_.size() <= index) bands_.resize(index + 1);
  std::unique_ptr<Raster>& b = bands_[index];
  if (!b || b->display_width() != display_width || b->display_height() != display_height) {
    b = std::make_unique<Raster>(display_width, display_height);
  }
  return *b;
}

std::vector<MacroblockCoeffs> FrameBuffers::coefficients(size_t count) {
  std::vector<MacroblockCoeffs> c = std::move(spare_coeffs_);
  spare_coeffs_ = {};
  c.resize(count);
  return c;
}

}  // namespace xc::vp8::enc
