// Serialization of DecoderState to and from .state files (format in state_io.hh).
#include "vp8/state_io.hh"

#include <fmt/format.h>

#include <cstring>

#include "util/errors.hh"
#include "util/file.hh"
#include "util/hash.hh"

namespace xc::vp8 {

namespace {

constexpr char kMagic[8] = {'X', 'C', 'V', 'P', '8', 'S', 'T', 'A'};

// The distinct reference rasters (by pixel equality) and the index of each reference.
struct RasterSet {
  std::vector<RasterRef> distinct;
  uint8_t index[3] = {0, 0, 0};
};

RasterSet distinct_references(const References& refs) {
  RasterSet set;
  const RasterRef* all[3] = {&refs.last, &refs.golden, &refs.altref};
  for (int i = 0; i < 3; ++i) {
    if (!*all[i]) continue;
    size_t j = 0;
    for (; j < set.distinct.size(); ++j) {
      if (set.distinct[j] == *all[i] || set.distinct[j]->same_pixels(**all[i])) break;
    }
    if (j == set.distinct.size()) set.distinct.push_back(*all[i]);
    set.index[i] = uint8_t(j);
  }
  return set;
}

// Whether every value lies in -limit..limit.
bool within(const std::array<int8_t, 4>& values, int limit) {
  for (int8_t v : values)
    if (std::abs(v) > limit) return false;
  return true;
}

// The state's fields after the magic and version, in file order (state_io.hh), described once for
// the writer (which also makes the hash) and the reader. `State` is const DecoderState for a writer
// and DecoderState for a reader, which also checks each value once it is read. A coder provides,
// each taking the field and what to call it in an error:
//   kReads                                  whether it fills the state (true) or stores it
//   u8(f, what), i8(f, what), u16(f, what)  one little-endian integer
//   bytes(array, what)                      an array of bytes as they are
//   segment_map(map, count, what)           `count` segment ids
//   raster(ref, width, height, what)        the planes of a raster, row by row (Y, then U and V)
//   fail(message)                           (a reader) refuses the file
template <typename State, typename Coder>
void visit_state(State& s, Coder& c) {
  constexpr bool kReads = Coder::kReads;
  c.u16(s.width, "width");
  c.u16(s.height, "height");
  c.u8(s.horiz_scale, "horiz_scale");
  c.u8(s.vert_scale, "vert_scale");
  if constexpr (kReads) {
    if (s.width > 0x3fff || s.height > 0x3fff || (s.width == 0) != (s.height == 0) || s.horiz_scale > 3 ||
        s.vert_scale > 3) {
      c.fail(fmt::format("invalid frame size {}x{} (scale {}, {})", s.width, s.height, s.horiz_scale,
                         s.vert_scale));
    }
  }
  for (auto& a : s.probs.coeff_probs)
    for (auto& b : a)
      for (auto& p : b) c.bytes(p, "coefficient probabilities");
  c.bytes(s.probs.y_mode_probs, "y-mode probabilities");
  c.bytes(s.probs.uv_mode_probs, "uv-mode probabilities");
  for (auto& m : s.probs.mv_probs) c.bytes(m, "MV probabilities");

  c.flag(s.segmentation.absolute_values, "segment_feature_mode");
  for (auto& v : s.segmentation.quantizer) c.i8(v, "segment quantizer");
  for (auto& v : s.segmentation.loop_filter_level) c.i8(v, "segment loop filter level");
  if constexpr (kReads) {
    if (!within(s.segmentation.quantizer, 127) || !within(s.segmentation.loop_filter_level, 63)) {
      c.fail("segment feature value out of range");
    }
  }
  // The map is canonical: an all-zero map is stored as absent.
  bool has_map = false;
  if (!kReads && s.segmentation.map) {
    for (uint8_t v : *s.segmentation.map) has_map |= v != 0;
  }
  c.flag(has_map, "segment map flag");
  if (has_map) c.segment_map(s.segmentation.map, size_t(s.mb_cols()) * s.mb_rows(), "segment map");
  for (auto& v : s.lf_deltas.ref) c.i8(v, "loop filter ref delta");
  for (auto& v : s.lf_deltas.mode) c.i8(v, "loop filter mode delta");
  if constexpr (kReads) {
    if (!within(s.lf_deltas.ref, 63) || !within(s.lf_deltas.mode, 63)) c.fail("loop filter delta out of range");
  }

  // Identical references are stored once: how many distinct rasters, which one each reference is,
  // then the rasters.
  RasterSet set;
  if constexpr (!kReads) set = distinct_references(s.refs);
  uint8_t count = uint8_t(set.distinct.size());
  c.u8(count, "reference count");
  for (uint8_t& i : set.index) c.u8(i, "reference index");
  if constexpr (kReads) {
    if (count > 3) c.fail(fmt::format("invalid reference count {}", count));
    if ((count == 0) != (s.width == 0)) c.fail("reference frames and frame size disagree");
    set.distinct.resize(count);
  }
  for (RasterRef& r : set.distinct) c.raster(r, s.width, s.height, "reference frame pixels");
  if constexpr (kReads) {
    if (count > 0) {
      for (uint8_t i : set.index)
        if (i >= count) c.fail(fmt::format("reference index {} out of range (count {})", i, count));
      s.refs.last = set.distinct[set.index[0]];
      s.refs.golden = set.distinct[set.index[1]];
      s.refs.altref = set.distinct[set.index[2]];
    }
  }
}

// Writes fields little-endian into any sink with put(const uint8_t*, size_t).
template <typename Sink>
class FieldWriter {
 public:
  static constexpr bool kReads = false;
  explicit FieldWriter(Sink& sink) : sink_(sink) {}
  void bytes(const void* p, size_t n) { sink_.put(static_cast<const uint8_t*>(p), n); }
  template <size_t N>
  void bytes(const std::array<uint8_t, N>& a, const char*) {
    bytes(a.data(), N);
  }
  void u8(uint8_t v, const char* = nullptr) { bytes(&v, 1); }
  void flag(bool v, const char*) { u8(v); }
  void i8(int8_t v, const char*) { u8(uint8_t(v)); }
  void u16(uint16_t v, const char*) {
    const uint8_t b[2] = {uint8_t(v), uint8_t(v >> 8)};
    bytes(b, 2);
  }
  void u32(uint32_t v) {
    const uint8_t b[4] = {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
    bytes(b, 4);
  }
  void segment_map(const std::shared_ptr<const std::vector<uint8_t>>& map, size_t, const char*) {
    bytes(map->data(), map->size());
  }
  void raster(const RasterRef& r, int, int, const char*) {
    for (int p = 0; p < 3; ++p) {
      const Plane& plane = r->plane(p);
      for (int y = 0; y < plane.height(); ++y) bytes(plane.row(y), plane.width());
    }
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

template <typename Sink>
void write_content(const DecoderState& s, Sink& sink) {
  FieldWriter<Sink> w(sink);
  w.bytes(kMagic, sizeof kMagic);
  w.u32(kStateFormatVersion);
  visit_state(s, w);
}

class FieldReader {
 public:
  static constexpr bool kReads = true;
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
  template <size_t N>
  void bytes(std::array<uint8_t, N>& a, const char* what) {
    std::memcpy(a.data(), take(N, what), N);
  }
  void u8(uint8_t& v, const char* what) { v = *take(1, what); }
  void flag(bool& v, const char* what) {
    const uint8_t b = *take(1, what);
    if (b > 1) fail(fmt::format("invalid {}", what));
    v = b;
  }
  void i8(int8_t& v, const char* what) { v = int8_t(*take(1, what)); }
  void u16(uint16_t& v, const char* what) {
    const uint8_t* p = take(2, what);
    v = uint16_t(p[0] | (p[1] << 8));
  }
  uint32_t u32(const char* what) {
    const uint8_t* p = take(4, what);
    return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
  }
  void segment_map(std::shared_ptr<const std::vector<uint8_t>>& map, size_t count, const char* what) {
    if (count == 0) fail("segment map present without a frame size");
    const uint8_t* p = take(count, what);
    auto ids = std::make_shared<std::vector<uint8_t>>(p, p + count);
    for (uint8_t v : *ids)
      if (v > 3) fail("segment id out of range in segment map");
    map = std::move(ids);
  }
  void raster(RasterRef& r, int width, int height, const char* what) {
    // The pixels must be in the file before memory is taken for them, so that a damaged size field in
    // a small file cannot make the loader allocate (and zero) a picture of up to 16383x16383.
    const size_t aligned = size_t((width + 15) / 16) * 16 * size_t((height + 15) / 16) * 16;
    const size_t raster_bytes = aligned + aligned / 2;  // Y, then U and V at half size both ways
    if (remaining() < raster_bytes) {
      fail(fmt::format("truncated state file: a reference frame of {}x{} needs {} bytes, {} remain", width, height,
                       raster_bytes, remaining()));
    }
    auto raster = std::make_shared<Raster>(width, height);
    for (int p = 0; p < 3; ++p) {
      Plane& plane = raster->plane(p);
      for (int y = 0; y < plane.height(); ++y) std::memcpy(plane.row(y), take(plane.width(), what), plane.width());
    }
    raster->extend_borders();
    r = std::move(raster);
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
  visit_state(s, r);
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
  // Read rather than used in place through the mapping: every byte is read once, and a heap buffer
  // freed at once is memory the caller reuses, where the mapping's pages would each fault in.
  const util::MappedFile file(path, true);
  std::vector<uint8_t> bytes(file.bytes().size());
  file.copy(0, bytes);
  return deserialize_state(bytes, path);
}

}  // namespace xc::vp8
