// IVF container: 32-byte file header, then frames each behind a 12-byte header.
//
//   file header (little-endian)        frame header
//   0  "DKIF"                          0  u32 frame size in bytes
//   4  u16 version (0)                 4  u64 presentation timestamp
//   6  u16 header size (32)
//   8  fourcc ("VP80")
//   12 u16 width   14 u16 height
//   16 u32 timebase denominator (rate)  20 u32 timebase numerator (scale)
//   24 u32 frame count
//   28 u32 unused by players; this toolkit stores the expected-state tag there (0 = no claim)
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "util/file.hh"

namespace xc::util {

struct IvfHeader {
  std::array<char, 4> fourcc{'V', 'P', '8', '0'};
  uint16_t width = 0;
  uint16_t height = 0;
  uint32_t timebase_den = 30;  // "rate": frames per second numerator
  uint32_t timebase_num = 1;   // "scale"
  uint32_t frame_count = 0;    // as stored in the file; the reader counts frames itself
  uint32_t expected_state_tag = 0;

  bool operator==(const IvfHeader&) const = default;
};

struct IvfFrame {
  uint64_t pts = 0;
  std::span<const uint8_t> data;  // points into the mapped file
};

// Largest frame the reader and the writer accept: far above the frames this toolkit's encoder
// produces, low enough that a corrupt size field cannot make a tool allocate gigabytes.
inline constexpr uint32_t kIvfMaxFrameBytes = 64u << 20;

// Maps the file and indexes every frame up front. Throws InvalidBitstream with a message of the form
// "PATH: problem" for bad magic, a header size other than 32, a truncated file header, a truncated
// frame header, a frame larger than the rest of the file, or a frame larger than 64 MiB.
// Frame numbers in messages are 0-based, like frame(index). The frame count is found by walking the
// file; the header's count is kept as read but not trusted (writers killed early leave it wrong).
// Zero-size frames and a width or height of 0 are accepted (the decoder decides what they mean).
class IvfReader {
 public:
  explicit IvfReader(const std::string& path);

  const IvfHeader& header() const { return header_; }
  size_t frame_count() const { return frames_.size(); }
  const IvfFrame& frame(size_t index) const { return frames_.at(index); }
  const std::vector<IvfFrame>& frames() const { return frames_; }
  const std::string& path() const { return file_.path(); }

 private:
  MappedFile file_;
  IvfHeader header_;
  std::vector<IvfFrame> frames_;
};

// Writes an IVF atomically: frames are appended, finish() patches the frame count and commits.
// Destroying the writer without finish() leaves no file behind. append() throws Unsupported for a
// frame over kIvfMaxFrameBytes, so the writer never produces a file the reader rejects.
class IvfWriter {
 public:
  IvfWriter(const std::string& path, const IvfHeader& header);
  void append(uint64_t pts, std::span<const uint8_t> data);
  void finish();
  uint32_t frames_written() const { return count_; }

 private:
  AtomicFile out_;
  IvfHeader header_;
  uint32_t count_ = 0;
};

// Encodes and decodes the 32-byte file header (exposed for tests and for tools that patch tags).
std::array<uint8_t, 32> serialize_ivf_header(const IvfHeader& header);

}  // namespace xc::util
