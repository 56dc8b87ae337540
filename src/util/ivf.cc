// IVF container reading and writing (the framing libvpx uses around RFC 6386 frames; not in the
// RFC).
#include "util/ivf.hh"

#include <algorithm>
#include <cstring>
#include <string>

#include "util/bytes.hh"
#include "util/errors.hh"

namespace xc::util {

namespace {

constexpr size_t kFileHeaderBytes = 32;
constexpr size_t kFrameHeaderBytes = 12;
constexpr char kSignature[4] = {'D', 'K', 'I', 'F'};

}  // namespace

std::array<uint8_t, 32> serialize_ivf_header(const IvfHeader& header) {
  std::array<uint8_t, 32> out{};
  uint8_t* p = out.data();
  std::memcpy(p, kSignature, 4);
  store_le16(p + 4, 0);  // version
  store_le16(p + 6, kFileHeaderBytes);
  std::memcpy(p + 8, header.fourcc.data(), 4);
  store_le16(p + 12, header.width);
  store_le16(p + 14, header.height);
  store_le32(p + 16, header.timebase_den);
  store_le32(p + 20, header.timebase_num);
  store_le32(p + 24, header.frame_count);
  store_le32(p + 28, header.expected_state_tag);
  return out;
}

IvfReader::IvfReader(const std::string& path) : file_(path) {
  const std::span<const uint8_t> bytes = file_.bytes();
  const uint8_t* p = bytes.data();
  const size_t size = bytes.size();
  const std::string& name = file_.path();

  // A short file that starts like an IVF file is truncated; anything else is not IVF at all.
  if (!std::equal(p, p + std::min<size_t>(size, 4), kSignature)) {
    throw InvalidBitstream(name + ": not an IVF file (bad signature)");
  }
  if (size < kFileHeaderBytes) {
    throw InvalidBitstream(name + ": truncated IVF file header (" + std::to_string(size) + " of " +
                           std::to_string(kFileHeaderBytes) + " bytes)");
  }
  const uint16_t header_bytes = load_le16(p + 6);
  if (header_bytes != kFileHeaderBytes) {
    throw InvalidBitstream(name + ": IVF header size " + std::to_string(header_bytes) +
                           ", expected " + std::to_string(kFileHeaderBytes));
  }
  std::memcpy(header_.fourcc.data(), p + 8, 4);
  header_.width = load_le16(p + 12);
  header_.height = load_le16(p + 14);
  header_.timebase_den = load_le32(p + 16);
  header_.timebase_num = load_le32(p + 20);
  header_.frame_count = load_le32(p + 24);
  header_.expected_state_tag = load_le32(p + 28);

  size_t offset = kFileHeaderBytes;
  while (offset < size) {
    const size_t index = frames_.size();
    const std::string where = name + ": frame " + std::to_string(index);
    const size_t remaining = size - offset;
    if (remaining < kFrameHeaderBytes) {
      throw InvalidBitstream(where + ": truncated frame header (" + std::to_string(remaining) +
                             " of " + std::to_string(kFrameHeaderBytes) + " bytes)");
    }
    const uint32_t frame_bytes = load_le32(p + offset);
    const uint64_t pts = load_le64(p + offset + 4);
    offset += kFrameHeaderBytes;
    if (frame_bytes > kIvfMaxFrameBytes) {
      throw InvalidBitstream(where + " claims " + std::to_string(frame_bytes) +
                             " bytes, over the 64 MiB frame limit");
    }
    if (frame_bytes > size - offset) {
      throw InvalidBitstream(where + " claims " + std::to_string(frame_bytes) + " bytes but only " +
                             std::to_string(size - offset) + " remain");
    }
    frames_.push_back({pts, bytes.subspan(offset, frame_bytes)});
    offset += frame_bytes;
  }
}

IvfWriter::IvfWriter(const std::string& path, const IvfHeader& header)
    : out_(path), header_(header) {
  header_.frame_count = 0;  // patched by finish(); a file that is never finished is never seen
  out_.write(serialize_ivf_header(header_));
}

void IvfWriter::append(uint64_t pts, std::span<const uint8_t> data) {
  if (data.size() > kIvfMaxFrameBytes) {
    throw Unsupported(out_.path() + ": frame " + std::to_string(count_) + " has " +
                      std::to_string(data.size()) + " bytes, over the 64 MiB IVF frame limit");
  }
  std::array<uint8_t, kFrameHeaderBytes> frame_header{};
  store_le32(frame_header.data(), static_cast<uint32_t>(data.size()));
  store_le64(frame_header.data() + 4, pts);
  out_.write(frame_header);
  out_.write(data);
  ++count_;
}

void IvfWriter::finish() {
  header_.frame_count = count_;
  std::array<uint8_t, 4> count{};
  store_le32(count.data(), count_);
  out_.write_at(24, count);
  out_.commit();
}

}  // namespace xc::util
