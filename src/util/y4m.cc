// YUV4MPEG2 reading and writing for 4:2:0 pictures (the raw format around the codec; not in the
// RFC).
#include "util/y4m.hh"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "util/errors.hh"

namespace xc::util {

namespace {

// VP8 stores dimensions in 14 bits (RFC 6386 section 9.2), so larger pictures cannot be coded.
constexpr int kMaxDimension = 16383;
constexpr std::string_view kSignature = "YUV4MPEG2";
constexpr std::string_view kFrameMarker = "FRAME";
constexpr std::string_view kInterlaceModes = "ptbm?";

bool is_420(std::string_view colorspace) {
  return colorspace == "420" || colorspace == "420jpeg" || colorspace == "420paldv" ||
         colorspace == "420mpeg2";
}

std::string unsupported_colorspace(const std::string& path, std::string_view token) {
  return fmt::format("{}: colour space {} is not supported; only 4:2:0 (C420*) is", path, token);
}

size_t plane_bytes(const Y4mHeader& h) {
  const size_t chroma = size_t((h.width + 1) / 2) * size_t((h.height + 1) / 2);
  return size_t(h.width) * size_t(h.height) + 2 * chroma;
}

// Digits only: from_chars alone would accept a sign and stop silently at trailing junk.
std::optional<int> parse_int(std::string_view s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

std::optional<std::pair<int, int>> parse_ratio(std::string_view s) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto num = parse_int(s.substr(0, colon));
  auto den = parse_int(s.substr(colon + 1));
  if (!num || !den) return std::nullopt;
  return std::pair{*num, *den};
}

// Parses the parameters after "YUV4MPEG2" (the line without its newline).
Y4mHeader parse_header(std::string_view params, const std::string& path) {
  Y4mHeader h;
  h.colorspace.clear();  // absent unless a C parameter says otherwise
  bool has_width = false, has_height = false;
  while (!params.empty()) {
    const size_t space = params.find(' ');
    const std::string_view token = params.substr(0, space);
    params = space == std::string_view::npos ? std::string_view() : params.substr(space + 1);
    if (token.empty()) continue;  // tolerate doubled spaces
    const std::string_view value = token.substr(1);
    auto invalid = [&](std::string_view what) {
      return InvalidBitstream(fmt::format("{}: bad Y4M {} parameter '{}'", path, what, token));
    };
    switch (token[0]) {
      case 'W':
      case 'H': {
        auto n = parse_int(value);
        if (!n || *n < 1 || *n > kMaxDimension) {
          throw InvalidBitstream(fmt::format("{}: Y4M {} {} is not a number in 1..{}", path,
                                             token[0] == 'W' ? "width" : "height", token,
                                             kMaxDimension));
        }
        (token[0] == 'W' ? h.width : h.height) = *n;
        (token[0] == 'W' ? has_width : has_height) = true;
        break;
      }
      case 'F': {
        auto r = parse_ratio(value);
        if (!r || r->first <= 0 || r->second <= 0) throw invalid("frame rate");
        std::tie(h.fps_num, h.fps_den) = *r;
        break;
      }
      case 'A': {
        auto r = parse_ratio(value);
        if (!r) throw invalid("pixel aspect");
        std::tie(h.par_num, h.par_den) = *r;
        break;
      }
      case 'I':
        if (value.size() != 1 || kInterlaceModes.find(value[0]) == std::string_view::npos) {
          throw invalid("interlace");
        }
        h.interlace = value[0];
        break;
      case 'C':
        if (!is_420(value)) throw Unsupported(unsupported_colorspace(path, token));
        h.colorspace = value;
        break;
      case 'X':
        h.extra.emplace_back(value);
        break;
      default:
        break;  // Y4M readers skip parameters they do not know
    }
  }
  if (!has_width || !has_height) {
    throw InvalidBitstream(fmt::format("{}: Y4M header lacks {}", path,
                                       has_width ? "the height (H)" : "the width (W)"));
  }
  // mjpegtools writes the subsampling as XYSCSS when there is no C parameter.
  if (h.colorspace.empty()) {
    for (const std::string& x : h.extra) {
      if (x.starts_with("YSCSS=") && !x.starts_with("YSCSS=420")) {
        throw Unsupported(unsupported_colorspace(path, "X" + x));
      }
    }
  }
  return h;
}

}  // namespace

Y4mReader::Y4mReader(const std::string& path) : file_(path, true) {
  const std::span<const uint8_t> bytes = file_.bytes();
  const std::string_view data(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const std::string& name = file_.path();

  if (!data.starts_with(kSignature) ||
      (data.size() > kSignature.size() && data[kSignature.size()] != ' ' &&
       data[kSignature.size()] != '\n')) {
    throw InvalidBitstream(name + ": not a Y4M file (bad signature)");
  }
  const size_t header_end = data.find('\n');
  if (header_end == std::string_view::npos) {
    throw InvalidBitstream(name + ": truncated Y4M header (no end of line)");
  }
  header_ = parse_header(data.substr(kSignature.size(), header_end - kSignature.size()), name);

  const size_t frame_bytes = plane_bytes(header_);
  size_t offset = header_end + 1;
  while (offset < data.size()) {
    const size_t index = frames_.size();
    const std::string_view rest = data.substr(offset);
    const size_t line_end = rest.find('\n');
    const std::string_view line = rest.substr(0, line_end);
    // The file ends inside "FRAME" or inside its parameters: a cut, not a foreign byte.
    if (line_end == std::string_view::npos &&
        (kFrameMarker.starts_with(line) || line.starts_with("FRAME "))) {
      throw InvalidBitstream(
          fmt::format("{}: frame {} is truncated (FRAME line cut short)", name, index));
    }
    if (line_end == std::string_view::npos || !line.starts_with(kFrameMarker) ||
        (line.size() > kFrameMarker.size() && line[kFrameMarker.size()] != ' ')) {
      throw InvalidBitstream(
          fmt::format("{}: frame {}: expected FRAME at byte offset {}", name, index, offset));
    }
    offset += line_end + 1;
    if (data.size() - offset < frame_bytes) {
      throw InvalidBitstream(fmt::format("{}: frame {} is truncated ({} of {} bytes)", name, index,
                                         data.size() - offset, frame_bytes));
    }
    frames_.push_back(offset);
    offset += frame_bytes;
  }
}

std::span<const uint8_t> Y4mReader::frame_bytes(size_t index) const {
  return file_.bytes().subspan(frames_.at(index), plane_bytes(header_));
}

Image Y4mReader::frame(size_t index) const {
  Image image(header_.width, header_.height);
  size_t offset = frames_.at(index);
  for (std::vector<uint8_t>* plane : {&image.y, &image.u, &image.v}) {
    file_.copy(offset, *plane);
    offset += plane->size();
  }
  return image;
}

Y4mWriter::Y4mWriter(const std::string& path, const Y4mHeader& header)
    : out_(path), header_(header) {
  const Y4mHeader& h = header_;
  auto refuse = [&](std::string_view what) {
    return std::invalid_argument(fmt::format("{}: cannot write a Y4M header with {}", path, what));
  };
  if (h.width < 1 || h.width > kMaxDimension || h.height < 1 || h.height > kMaxDimension) {
    throw refuse(fmt::format("size {}x{}", h.width, h.height));
  }
  if (h.fps_num <= 0 || h.fps_den <= 0) throw refuse(fmt::format("F{}:{}", h.fps_num, h.fps_den));
  if (h.par_num < 0 || h.par_den < 0) throw refuse(fmt::format("A{}:{}", h.par_num, h.par_den));
  if (h.interlace == '\0' || kInterlaceModes.find(h.interlace) == std::string_view::npos) {
    throw refuse(fmt::format("interlace mode '{}'", h.interlace));
  }
  if (!h.colorspace.empty() && !is_420(h.colorspace)) throw refuse("C" + h.colorspace);
  for (const std::string& x : h.extra) {
    if (x.find_first_of(" \n") != std::string::npos) throw refuse("X parameter '" + x + "'");
  }

  std::string line = fmt::format("{} W{} H{} F{}:{} I{} A{}:{}", kSignature, h.width, h.height,
                                 h.fps_num, h.fps_den, h.interlace, h.par_num, h.par_den);
  if (!h.colorspace.empty()) line += " C" + h.colorspace;
  for (const std::string& x : h.extra) line += " X" + x;
  line += '\n';
  out_.write({reinterpret_cast<const uint8_t*>(line.data()), line.size()});
}

void Y4mWriter::write(const Image& image) {
  const size_t chroma = size_t(image.chroma_width()) * size_t(image.chroma_height());
  if (image.width != header_.width || image.height != header_.height ||
      image.y.size() != size_t(image.width) * size_t(image.height) || image.u.size() != chroma ||
      image.v.size() != chroma) {
    throw std::invalid_argument(fmt::format("{}: image {}x{} does not fit the Y4M header's {}x{}",
                                            out_.path(), image.width, image.height, header_.width,
                                            header_.height));
  }
  write(image.y.data(), image.width, image.u.data(), image.chroma_width(), image.v.data(),
        image.chroma_width());
}

void Y4mWriter::write(const uint8_t* y, int y_stride, const uint8_t* u, int u_stride,
                      const uint8_t* v, int v_stride) {
  const int w = header_.width, h = header_.height;
  const int cw = (w + 1) / 2, ch = (h + 1) / 2;
  if (y_stride < w || u_stride < cw || v_stride < cw) {
    throw std::invalid_argument(fmt::format("{}: plane strides {}, {}, {} below the widths {}, {}",
                                            out_.path(), y_stride, u_stride, v_stride, w, cw));
  }
  // One write per frame: the marker and the planes are gathered into buffer_ first.
  buffer_.resize(kFrameMarker.size() + 1 + plane_bytes(header_));
  uint8_t* out = std::copy(kFrameMarker.begin(), kFrameMarker.end(), buffer_.data());
  *out++ = '\n';
  auto copy_plane = [&out](const uint8_t* src, int stride, int width, int height) {
    for (int row = 0; row < height; ++row, src += stride, out += width) {
      std::memcpy(out, src, size_t(width));
    }
  };
  copy_plane(y, y_stride, w, h);
  copy_plane(u, u_stride, cw, ch);
  copy_plane(v, v_stride, cw, ch);
  out_.write(buffer_);
}

void Y4mWriter::finish() { out_.commit(); }

}  // namespace xc::util
