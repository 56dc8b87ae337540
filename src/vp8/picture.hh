// The visible area of a decoded frame: per-frame MD5 (the conformance .md5 layout) and Y4M output.
#pragma once

#include <string>

#include "util/y4m.hh"
#include "vp8/raster.hh"

namespace xc::vp8 {

// Lowercase hex MD5 of the visible I420 planes: Y rows, then U rows, then V rows, each row only its
// visible width ((w + 1) / 2 for chroma).
std::string picture_md5(const Raster& picture);

// Appends the visible area to a Y4M writer.
void write_picture(util::Y4mWriter& out, const Raster& picture);

// Copies the visible area into an Image.
util::Image to_image(const Raster& picture);

}  // namespace xc::vp8
