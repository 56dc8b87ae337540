// An I420 picture with tightly packed planes (visible area only).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace xc::util {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> y, u, v;  // y: width*height; u, v: chroma_width()*chroma_height()

  Image() = default;
  Image(int w, int h)
      : width(w), height(h), y(size_t(w) * h), u(size_t(chroma_width()) * chroma_height()),
        v(size_t(chroma_width()) * chroma_height()) {}

  int chroma_width() const { return (width + 1) / 2; }
  int chroma_height() const { return (height + 1) / 2; }
  bool operator==(const Image&) const = default;
};

}  // namespace xc::util
