// Reads back the WebM this toolkit writes, independently of libmatroska: the blocks with their times and
// flags, the clusters, the cues and the video track's unsigned fields. Only what the writer produces is
// understood (known element sizes, SimpleBlocks directly in Clusters); anything else throws.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace xc::test {

struct WebmBlock {
  int64_t time = 0;    // the cluster's Timestamp plus the block's offset, in TimecodeScale units
  uint8_t flags = 0;   // 0x80 key frame, 0x08 invisible
  size_t cluster = 0;  // index of its cluster
  std::string data;    // the frame
};

struct WebmCue {
  uint64_t time = 0;
  uint64_t cluster_position = 0;  // relative to the Segment's data
};

struct WebmLayout {
  std::vector<WebmBlock> blocks;
  std::vector<int64_t> cluster_times;
  std::vector<uint64_t> cluster_positions;  // relative to the Segment's data
  std::vector<WebmCue> cues;
  std::map<uint32_t, uint64_t> video;  // unsigned fields of Video and Colour by element ID
};

inline WebmLayout read_webm_layout(const std::string& bytes) {
  WebmLayout out;
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t size = bytes.size();
  uint64_t segment_data = 0;
  // An EBML variable-length integer at `pos`: an element ID keeps its length marker, a size does not.
  auto vint = [&](size_t& pos, bool keep_marker) {
    if (pos >= size) throw std::runtime_error("WebM: truncated at byte " + std::to_string(pos));
    int length = 1;
    while (length <= 8 && !(p[pos] & (0x80 >> (length - 1)))) ++length;
    if (length > 8 || pos + length > size) throw std::runtime_error("WebM: bad number at byte " + std::to_string(pos));
    uint64_t value = keep_marker ? p[pos] : p[pos] & (0xFF >> length);
    for (int i = 1; i < length; ++i) value = value << 8 | p[pos + i];
    pos += length;
    return value;
  };
  auto uint = [&](size_t pos, uint64_t length) {
    uint64_t value = 0;
    for (uint64_t i = 0; i < length; ++i) value = value << 8 | p[pos + i];
    return value;
  };
  auto walk = [&](auto& self, size_t pos, size_t end, uint32_t parent) -> void {
    while (pos < end) {
      const size_t start = pos;
      const auto id = uint32_t(vint(pos, true));
      const uint64_t length = vint(pos, false);
      if (length > end - pos) throw std::runtime_error("WebM: element past its parent at byte " + std::to_string(start));
      switch (id) {
        case 0x18538067:  // Segment
          segment_data = pos;
          self(self, pos, pos + length, id);
          break;
        case 0x1F43B675:  // Cluster
          out.cluster_positions.push_back(start - segment_data);
          out.cluster_times.push_back(-1);
          self(self, pos, pos + length, id);
          break;
        case 0x1654AE6B:  // Tracks
        case 0xAE:        // TrackEntry
        case 0xE0:        // Video
        case 0x55B0:      // Colour
        case 0x1C53BB6B:  // Cues
        case 0xB7:        // CueTrackPositions
          self(self, pos, pos + length, id);
          break;
        case 0xBB:  // CuePoint
          out.cues.emplace_back();
          self(self, pos, pos + length, id);
          break;
        case 0xB3:  // CueTime
          out.cues.back().time = uint(pos, length);
          break;
        case 0xF1:  // CueClusterPosition
          out.cues.back().cluster_position = uint(pos, length);
          break;
        case 0xE7:  // the cluster's Timestamp
          if (parent == 0x1F43B675) out.cluster_times.back() = int64_t(uint(pos, length));
          break;
        case 0xA3: {  // SimpleBlock: track number, signed 16-bit offset, flags, frame
          size_t at = pos;
          vint(at, false);
          if (at + 3 > pos + length) throw std::runtime_error("WebM: short block at byte " + std::to_string(start));
          const auto offset = int16_t(p[at] << 8 | p[at + 1]);
          out.blocks.push_back({out.cluster_times.back() + offset, p[at + 2], out.cluster_times.size() - 1,
                                bytes.substr(at + 3, pos + length - at - 3)});
          break;
        }
        default:
          if (parent == 0xE0 || parent == 0x55B0) out.video[id] = uint(pos, length);
          break;
      }
      pos += length;
    }
  };
  walk(walk, 0, size, 0);
  return out;
}

}  // namespace xc::test
