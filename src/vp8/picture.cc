// Visible-area views of decoded frames.
#include "vp8/picture.hh"

#include <cstring>

#include "util/hash.hh"

namespace xc::vp8 {

std::string picture_md5(const Raster& p) {
  util::Md5 md5;
  const int w = p.display_width(), h = p.display_height();
  const int cw = (w + 1) / 2, ch = (h + 1) / 2;
  for (int y = 0; y < h; ++y) md5.update(p.y().row(y), w);
  for (int y = 0; y < ch; ++y) md5.update(p.u().row(y), cw);
  for (int y = 0; y < ch; ++y) md5.update(p.v().row(y), cw);
  return md5.hex_digest();
}

void write_picture(util::Y4mWriter& out, const Raster& p) {
  out.write(p.y().row(0), p.y().stride(), p.u().row(0), p.u().stride(), p.v().row(0), p.v().stride());
}

util::Image to_image(const Raster& p) {
  util::Image img(p.display_width(), p.display_height());
  for (int y = 0; y < img.height; ++y) std::memcpy(&img.y[size_t(y) * img.width], p.y().row(y), img.width);
  const int cw = img.chroma_width();
  for (int y = 0; y < img.chroma_height(); ++y) {
    std::memcpy(&img.u[size_t(y) * cw], p.u().row(y), cw);
    std::memcpy(&img.v[size_t(y) * cw], p.v().row(y), cw);
  }
  return img;
}

}  // namespace xc::vp8
