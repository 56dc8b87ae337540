// YUV4MPEG2 (Y4M) reading and writing, 4:2:0 only.
//
// Header: "YUV4MPEG2 W<w> H<h> F<num>:<den> I<p|t|b|m> A<num>:<den> C<colorspace> [X<extra>]...\n"
// then per frame "FRAME[ params]\n" followed by the Y, U and V planes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "util/file.hh"
#include "util/image.hh"

namespace xc::util {

struct Y4mHeader {
  int width = 0;
  int height = 0;
  int fps_num = 30;
  int fps_den = 1;
  int par_num = 0;  // 0:0 means unknown, as in the Y4M convention
  int par_den = 0;
  char interlace = 'p';  // p, t, b, m or ?: carried through, never interpreted
  // One of 420, 420jpeg, 420paldv, 420mpeg2, kept as read so that a round trip keeps the header.
  // Empty means the file had no C parameter (which Y4M defines as 420jpeg) and writes none back.
  std::string colorspace = "420jpeg";
  std::vector<std::string> extra;  // X parameters, preserved verbatim (without the leading X)

  bool operator==(const Y4mHeader&) const = default;
};

// Maps the file and indexes the frames. Throws InvalidBitstream "PATH: problem" for a bad signature,
// a missing or absurd W/H (must be 1..16383), a malformed F, I or A, a missing FRAME marker or a
// truncated frame (frame numbers are 0-based, like frame(index)); Unsupported for colour spaces
// other than 4:2:0 ("PATH: colour space C444 is not supported; only 4:2:0 (C420*) is").
// A missing F means 30:1 (as ffmpeg assumes); missing I and A mean p and 0:0. Unknown parameters
// and FRAME parameters are ignored. Odd sizes have chroma planes of ceil(w/2) x ceil(h/2).
class Y4mReader {
 public:
  explicit Y4mReader(const std::string& path);

  const Y4mHeader& header() const { return header_; }
  size_t frame_count() const { return frames_.size(); }
  Image frame(size_t index) const;                         // a copy of the planes, read from the file
  std::span<const uint8_t> frame_bytes(size_t index) const;  // Y, U, V planes back to back
  const std::string& path() const { return file_.path(); }

 private:
  MappedFile file_;
  Y4mHeader header_;
  std::vector<size_t> frames_;  // offsets of each frame's plane data
};

// Writes atomically: frames are appended, finish() commits. Without finish() no file is left.
// The header line is "YUV4MPEG2 W H F I A [C] [X...]" from the struct's fields, C omitted when
// empty. A header the reader would refuse, or an image of another size, is std::invalid_argument.
class Y4mWriter {
 public:
  Y4mWriter(const std::string& path, const Y4mHeader& header);
  void write(const Image& image);
  // Planes with arbitrary strides (for example a decoder's bordered raster), visible area only.
  void write(const uint8_t* y, int y_stride, const uint8_t* u, int u_stride, const uint8_t* v,
             int v_stride);
  void finish();

 private:
  AtomicFile out_;
  Y4mHeader header_;
  std::vector<uint8_t> buffer_;
};

}  // namespace xc::util
