// Shared pieces of the libFuzzer harnesses: the fuzz input as a file (the IVF and Y4M readers map
// files), the stream as exactly sized frame buffers (so an over-read is a heap over-read that
// AddressSanitizer reports), and the caps that keep one run fast.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "util/errors.hh"
#include "util/ivf.hh"
#include "vp8/frame_header.hh"

namespace xc::fuzz {

// Frames decoded per input, and the largest picture area (in pixels) a key frame may declare: a
// 16383x16383 frame is valid VP8 but takes seconds, which would only slow the search down.
inline constexpr size_t kMaxFrames = 24;
inline constexpr long kMaxArea = 320 * 240;

// Writes the input to a file private to this process (one per harness and suffix) and returns its
// path; each run overwrites it.
inline std::string input_file(std::span<const uint8_t> data, const char* suffix) {
  const char* dir = std::getenv("TMPDIR");
  const std::string path =
      std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/xc-fuzz-" + std::to_string(getpid()) + suffix;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

// Whether a frame is within the caps: anything but a key frame declaring more than kMaxArea pixels
// (frames whose tag does not parse are within: the decoder refuses them).
inline bool within_area_cap(std::span<const uint8_t> frame) {
  try {
    const vp8::FrameTag tag = vp8::parse_frame_tag(frame);
    return !tag.key_frame || long(tag.width) * tag.height <= kMaxArea;
  } catch (const util::InvalidBitstream&) {
    return true;
  }
}

// The frames of the IVF in the input, each in its own exactly sized buffer, up to kMaxFrames and up
// to (not including) the first frame over the area cap. Empty when the IVF does not parse.
inline std::vector<std::vector<uint8_t>> read_stream(std::span<const uint8_t> data) {
  std::vector<std::vector<uint8_t>> frames;
  try {
    const util::IvfReader ivf(input_file(data, ".ivf"));
    for (const auto& f : ivf.frames()) {
      if (frames.size() == kMaxFrames || !within_area_cap(f.data)) break;
      frames.emplace_back(f.data.begin(), f.data.end());
    }
  } catch (const util::InvalidBitstream&) {
    frames.clear();
  }
  return frames;
}

inline std::vector<std::span<const uint8_t>> spans(const std::vector<std::vector<uint8_t>>& frames) {
  return {frames.begin(), frames.end()};
}

// Reports a broken property and stops the run (libFuzzer saves the input as a crash).
[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "property violated: %s\n", what.c_str());
  std::abort();
}

}  // namespace xc::fuzz
