// Serialization of DecoderState to and from .state files (format in state_io.hh).
#include "vp8/state_io.hh"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "util/errors.hh"
#include "util/file.hh"
#include "util/hash.hh"

namespace xc::vp8 {

namespace {

constexpr char kMagic[8] = {'X', 'C', 'V', 'P', '8', 'S', 'T', 'A'};

// Writes fields little-endian into any sink with put(const uint8_t*, size_t).
template <typename Sink>
class FieldWriter {
 public:
  explicit FieldWriter(Sink& sink) : sink_(sink) {}
  void bytes(const void* p, size_t n) { sink_.put(static_cast<const uint8_t*>(p), n); }
  void u8(uint8_t v) { bytes(&v, 1); }
  void i8(int8_t v) { u8(uint8_t(v)); }
  void u16(uint16_t v) {
    const uint8_t b[2] = {uint8_t(v), uint8_t(v >> 8)};
    bytes(b, 2);
  }
  void u32(uint32_t v) {
    const uint8_t b[4] = {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
    bytes(b, 4);
  }

 private:
  Sink& sink_;
};

struct VectorSink {
  std::vector<uint8_t>& out;
  void put(const uint8_t* p, size_t n) { out.insert(out.end(), p, p + n); }
};

struct HashSink {
  util::Hash64& hash;
  void put(const uint8_t* p, size_t n) { hash.update(p, n); }
};

// The distinct reference rasters (by pixel equality) and the index of each reference.
struct RasterSet {
  std::vector<const Raster*> distinct;
  uint8_t index[3] = {0, 0, 0};
};

RasterSet distinct_references(const References& refs) {
  RasterSet set;
  const RasterRef* all[3] = {&refs.last, &refs.golden, &refs.altref};
  for (int i = 0; i < 3; ++i) {
    if (!*all[i]) continue;
    size_t j = 0;
    for (; j < set.distinct.size(); ++j) {
      if (set.distinct[j] == all[i]->get() || set.distinct[j]->same_pixels(**all[i])) break;
    }
    if (j == set.distinct.size()) set.distinct.push_back(all[i]->get());
    set.index[i] = uint8_t(j);
  }
  return set;
}

template <typename Sink>
void write_content(const DecoderState& s, Sink& sink) {
  FieldWriter<Sink> w(sink);
  w.bytes(kMagic, sizeof kMagic);
  w.u32(kStateFormatVersion);
  w.u16(s.width);
  w.u16(s.height);
  w.u8(s.horiz_scale);
  w.u8(s.vert_scale);
  for (auto& a : s.probs.coeff_probs)
    for (auto& b : a)
      for (auto& c : b) w.bytes(c.data(), c.size());
  w.bytes(s.probs.y_mode_probs.data(), 4);
  w.bytes(s.probs.uv_mode_probs.data(), 3);
  for (auto& m : s.probs.mv_probs) w.bytes(m.data(), m.size());
  w.u8(s.segmentation.absolute_values);
  for (int8_t v : s.segmentation.quantizer) w.i8(v);
  for (int8_t v : s.segmentation.loop_filter_level) w.i8(v);
  // The map is canonical: an all-zero map is stored as absent.
  bool has_map = false;
  if (s.segmentation.map) {
    for (uint8_t v : *s.segmentation.map) has_map |= v != 0;
  }
  w.u8(has_map);
  if (has_map) w.bytes(s.segmentation.map->data(), s.segmentation.map->size());
  for (int8_t v : s.lf_deltas.ref) w.i8(v);
  for (int8_t v : s.lf_deltas.mode) w.i8(v);
  const RasterSet set = distinct_references(s.refs);
  w.u8(uint8_t(set.distinct.size()));
  for (uint8_t i : set.index) w.u8(i);
  for (const Raster* r : set.distinct) {
    for (int p = 0; p < 3; ++p) {
      const Plane& plane = r->plane(p);
      for (int y = 0; y < plane.height(); ++y) w.bytes(plane.row(y), plane.width());
    }
  }
}

class FieldReader {
 public:
  FieldReader(std::span<const uint8_t> bytes, const std::string& name) : bytes_(bytes), name_(name) {}

  const uint8_t* take(size_t n, const char* what) {
    if (bytes_.size() - pos_ < n) {
      throw util::InvalidBitstream(fmt::format("{}: truncated state file ({} bytes) while reading {}",
                                               name_, bytes_.size(), what));
    }
    const uint8_t* p = bytes_.data() + pos_;
    pos_ += n;
    return p;
  }
  uint8_t u8(const char* what) { return *take(1, what); }
  int8_t i8(const char* what) { return int8_t(u8(what)); }
  uint16_t u16(const char* what) {
    const uint8_t* p = take(2, what);
    return uint16_t(p[0] | (p[1] << 8));
  }
  uint32_t u32(const char* what) {
    const uint8_t* p = take(4, what);
    return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
  }
  size_t position() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }
  [[noreturn]] void fail(const std::string& what) const {
    throw util::InvalidBitstream(fmt::format("{}: {}", name_, what));
  }

 private:
  std::span<const uint8_t> bytes_;
  const std::string& name_;
  size_t pos_ = 0;
};

}  // namespace

std::vector<uint8_t> serialize_state(const DecoderState& state) {
  std::vector<uint8_t> out;
  VectorSink sink{out};
  write_content(state, sink);
  const uint64_t sum = util::hash64(out);
  for (int i = 0; i < 8; ++i) out.push_back(uint8_t(sum >> (8 * i)));
  return out;
}

uint64_t state_content_hash(const DecoderState& state) {
  util::Hash64 hash;
  HashSink sink{hash};
  write_content(state, sink);
  return hash.value();
}

DecoderState deserialize_state(std::span<const uint8_t> bytes, const std::string& name) {
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    throw util::InvalidBitstream(fmt::format("{}: not a state file (bad magic)", name));
  }
  if (bytes.size() < 8 + 4 + 8) {
    throw util::InvalidBitstream(fmt::format("{}: truncated state file ({} bytes)", name, bytes.size()));
  }
  // Verify the checksum first, so a flipped byte is reported as such rather than as a bad field.
  const size_t content = bytes.size() - 8;
  uint64_t stored = 0;
  for (int i = 0; i < 8; ++i) stored |= uint64_t(bytes[content + i]) << (8 * i);
  FieldReader r(bytes.subspan(0, content), name);
  r.take(sizeof kMagic, "magic");
  const uint32_t version = r.u32("version");
  if (version != kStateFormatVersion) {
    r.fail(fmt::format("unsupported state format version {} (this build reads {})", version,
                       kStateFormatVersion));
  }
  if (util::hash64(bytes.subspan(0, content)) != stored) {
    r.fail("checksum mismatch (the state file is corrupt or truncated)");
  }

  DecoderState s;
  s.width = r.u16("width");
  s.height = r.u16("height");
  s.horiz_scale = r.u8("horiz_scale");
  s.vert_scale = r.u8("vert_scale");
  if (s.width > 0x3fff || s.height > 0x3fff || (s.width == 0) != (s.height == 0) || s.horiz_scale > 3 ||
      s.vert_scale > 3) {
    r.fail(fmt::format("invalid frame size {}x{} (scale {}, {})", s.width, s.height, s.horiz_scale,
                       s.vert_scale));
  }
  for (auto& a : s.probs.coeff_probs)
    for (auto& b : a)
      for (auto& c : b) std::memcpy(c.data(), r.take(c.size(), "coefficient probabilities"), c.size());
  std::memcpy(s.probs.y_mode_probs.data(), r.take(4, "y-mode probabilities"), 4);
  std::memcpy(s.probs.uv_mode_probs.data(), r.take(3, "uv-mode probabilities"), 3);
  for (auto& m : s.probs.mv_probs) std::memcpy(m.data(), r.take(m.size(), "MV probabilities"), m.size());

  const uint8_t absolute = r.u8("segment_feature_mode");
  if (absolute > 1) r.fail("invalid segment_feature_mode");
  s.segmentation.absolute_values = absolute;
  for (int8_t& v : s.segmentation.quantizer) v = r.i8("segment quantizer");
  for (int8_t& v : s.segmentation.loop_filter_level) v = r.i8("segment loop filter level");
  for (int i = 0; i < 4; ++i) {
    if (std::abs(s.segmentation.quantizer[i]) > 127 || std::abs(s.segmentation.loop_filter_level[i]) > 63) {
      r.fail("segment feature value out of range");
    }
  }
  const uint8_t has_map = r.u8("segment map flag");
  if (has_map > 1) r.fail("invalid segment map flag");
  if (has_map) {
    const size_t n = size_t(s.mb_cols()) * s.mb_rows();
    if (n == 0) r.fail("segment map present without a frame size");
    const uint8_t* p = r.take(n, "segment map");
    auto map = std::make_shared<std::vector<uint8_t>>(p, p + n);
    for (uint8_t v : *map)
      if (v > 3) r.fail("segment id out of range in segment map");
    s.segmentation.map = std::move(map);
  }
  for (int8_t& v : s.lf_deltas.ref) v = r.i8("loop filter ref delta");
  for (int8_t& v : s.lf_deltas.mode) v = r.i8("loop filter mode delta");
  for (int i = 0; i < 4; ++i) {
    if (std::abs(s.lf_deltas.ref[i]) > 63 || std::abs(s.lf_deltas.mode[i]) > 63) {
      r.fail("loop filter delta out of range");
    }
  }

  const uint8_t count = r.u8("reference count");
  uint8_t index[3];
  for (uint8_t& i : index) i = r.u8("reference index");
  if (count > 3) r.fail(fmt::format("invalid reference count {}", count));
  if ((count == 0) != (s.width == 0)) r.fail("reference frames and frame size disagree");
  // The pixels must be in the file before memory is taken for them, so that a damaged size field in a
  // small file cannot make the loader allocate (and zero) a picture of up to 16383x16383.
  const size_t aligned = size_t(s.mb_cols()) * 16 * size_t(s.mb_rows()) * 16;
  const size_t raster_bytes = aligned + aligned / 2;  // Y, then U and V at half size both ways
  if (r.remaining() / std::max<size_t>(raster_bytes, 1) < count) {
    r.fail(fmt::format("truncated state file: {} reference frame(s) of {}x{} need {} bytes, {} remain", count,
                       s.width, s.height, count * raster_bytes, r.remaining()));
  }
  std::vector<RasterRef> rasters;
  for (int k = 0; k < count; ++k) {
    auto raster = std::make_shared<Raster>(s.width, s.height);
    for (int p = 0; p < 3; ++p) {
      Plane& plane = raster->plane(p);
      for (int y = 0; y < plane.height(); ++y) {
        std::memcpy(plane.row(y), r.take(plane.width(), "reference frame pixels"), plane.width());
      }
    }
    raster->extend_borders();
    rasters.push_back(std::move(raster));
  }
  if (count > 0) {
    for (uint8_t i : index)
      if (i >= count) r.fail(fmt::format("reference index {} out of range (count {})", i, count));
    s.refs.last = rasters[index[0]];
    s.refs.golden = rasters[index[1]];
    s.refs.altref = rasters[index[2]];
  }
  if (r.position() != content) {
    r.fail(fmt::format("{} unexpected bytes after the state", content - r.position()));
  }
  // One file per state, so the checksum is always the loaded state's hash().
  if (state_content_hash(s) != stored) r.fail("not in canonical form (not as serialize_state writes it)");
  return s;
}

void save_state(const DecoderState& state, const std::string& path) {
  util::write_file_atomically(path, serialize_state(state));
}

DecoderState load_state(const std::string& path) {
  util::MappedFile file(path);
  return deserialize_state(file.bytes(), path);
}

}  // namespace xc::vp8
