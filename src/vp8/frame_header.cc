// Reading and writing of the frame tag (§9.1) and the compressed frame header (§9.2-9.11, §19.2).
#include "vp8/frame_header.hh"

#include <fmt/format.h>

#include <stdexcept>

#include "util/errors.hh"
#include "vp8/bool_decoder.hh"
#include "vp8/bool_encoder.hh"
#include "vp8/tables.hh"

namespace xc::vp8 {

CoeffProbUpdates FrameHeader::no_coeff_updates() {
  CoeffProbUpdates u;
  for (auto& a : u)
    for (auto& b : a)
      for (auto& c : b) c.fill(-1);
  return u;
}

std::array<std::array<int16_t, kNumMvProbs>, 2> FrameHeader::no_mv_updates() {
  std::array<std::array<int16_t, kNumMvProbs>, 2> u;
  for (auto& a : u) a.fill(-1);
  return u;
}

FrameTag parse_frame_tag(std::span<const uint8_t> frame) {
  using util::InvalidBitstream;
  if (frame.size() < 3) {
    throw InvalidBitstream(fmt::format("frame of {} bytes is shorter than its 3-byte tag", frame.size()));
  }
  FrameTag tag;
  const uint32_t raw = frame[0] | (frame[1] << 8) | (frame[2] << 16);
  tag.key_frame = !(raw & 1);
  tag.version = (raw >> 1) & 7;
  tag.show_frame = (raw >> 4) & 1;
  tag.first_part_size = raw >> 5;
  if (tag.first_part_size == 0) throw InvalidBitstream("first partition size is 0");
  if (tag.key_frame) {
    if (frame.size() < 10) {
      throw InvalidBitstream(fmt::format("key frame of {} bytes is shorter than its 10-byte header",
                                         frame.size()));
    }
    if (frame[3] != 0x9d || frame[4] != 0x01 || frame[5] != 0x2a) {
      throw InvalidBitstream(fmt::format("bad key frame start code {:02x} {:02x} {:02x} (expected 9d 01 2a)",
                                         frame[3], frame[4], frame[5]));
    }
    tag.width = (frame[6] | (frame[7] << 8)) & 0x3fff;
    tag.horiz_scale = frame[7] >> 6;
    tag.height = (frame[8] | (frame[9] << 8)) & 0x3fff;
    tag.vert_scale = frame[9] >> 6;
    if (tag.width == 0 || tag.height == 0) {
      throw InvalidBitstream(fmt::format("key frame has an empty size {}x{}", tag.width, tag.height));
    }
  }
  if (frame.size() - tag.size() < tag.first_part_size) {
    throw InvalidBitstream(fmt::format("first partition claims {} bytes but only {} remain",
                                       tag.first_part_size, frame.size() - tag.size()));
  }
  return tag;
}

std::vector<uint8_t> write_frame_tag(const FrameTag& tag) {
  auto check = [](uint32_t value, int bits, const char* name) {
    if (value >= (1u << bits)) {
      throw std::invalid_argument(fmt::format("frame tag: {} {} does not fit in {} bits", name, value, bits));
    }
  };
  check(tag.version, 3, "version");
  check(tag.first_part_size, 19, "first_part_size");
  const uint32_t raw = uint32_t(!tag.key_frame) | (uint32_t(tag.version) << 1) | (uint32_t(tag.show_frame) << 4) |
                       (tag.first_part_size << 5);
  std::vector<uint8_t> out = {uint8_t(raw), uint8_t(raw >> 8), uint8_t(raw >> 16)};
  if (tag.key_frame) {
    check(tag.width, 14, "width");
    check(tag.height, 14, "height");
    check(tag.horiz_scale, 2, "horiz_scale");
    check(tag.vert_scale, 2, "vert_scale");
    const uint16_t w = uint16_t(tag.width | (tag.horiz_scale << 14));
    const uint16_t h = uint16_t(tag.height | (tag.vert_scale << 14));
    out.insert(out.end(), {0x9d, 0x01, 0x2a, uint8_t(w), uint8_t(w >> 8), uint8_t(h), uint8_t(h >> 8)});
  }
  return out;
}

namespace {

// Reads each field of visit_frame_header from the first partition.
struct HeaderReader {
  BoolDecoder& bd;

  void flag(bool& f, const char*) { f = bd.read_bit(); }
  template <typename T>
  void literal(T& f, int bits, const char*) {
    f = T(bd.read_literal(bits));
  }
  void signed_field(std::optional<SignedField>& f, int bits, const char*) {
    f.reset();
    if (!bd.read_bit()) return;
    SignedField v;
    v.magnitude = uint8_t(bd.read_literal(bits));
    v.negative = bd.read_bit();
    f = v;
  }
  void optional_literal(std::optional<uint8_t>& f, int bits, const char*) {
    f.reset();
    if (bd.read_bit()) f = uint8_t(bd.read_literal(bits));
  }
  template <size_t N>
  void optional_probs(std::optional<std::array<uint8_t, N>>& f, const char*) {
    f.reset();
    if (!bd.read_bit()) return;
    std::array<uint8_t, N> p;
    for (auto& v : p) v = uint8_t(bd.read_literal(8));
    f = p;
  }
  void update(int16_t& f, uint8_t prob, int bits, const char*) { f = bd.read(prob) ? int16_t(bd.read_literal(bits)) : -1; }
};

// Writes each field of visit_frame_header, refusing values wider than their field.
struct HeaderWriter {
  BoolEncoder& enc;

  static void check(int value, int bits, const char* name) {
    if (value < 0 || value >= (1 << bits)) {
      throw std::invalid_argument(fmt::format("frame header: {} {} does not fit in {} bits", name, value, bits));
    }
  }
  void flag(bool f, const char*) { enc.write_bit(f); }
  void literal(int f, int bits, const char* name) {
    check(f, bits, name);
    enc.write_literal(uint32_t(f), bits);
  }
  void signed_field(const std::optional<SignedField>& f, int bits, const char* name) {
    enc.write_bit(f.has_value());
    if (!f) return;
    literal(f->magnitude, bits, name);
    enc.write_bit(f->negative);
  }
  void optional_literal(const std::optional<uint8_t>& f, int bits, const char* name) {
    enc.write_bit(f.has_value());
    if (f) literal(*f, bits, name);
  }
  template <size_t N>
  void optional_probs(const std::optional<std::array<uint8_t, N>>& f, const char* name) {
    enc.write_bit(f.has_value());
    if (f) {
      for (uint8_t v : *f) literal(v, 8, name);
    }
  }
  void update(int16_t f, uint8_t prob, int bits, const char* name) {
    enc.write(prob, f >= 0);
    if (f >= 0) literal(f, bits, name);
  }
};

}  // namespace

FrameHeader parse_frame_header(BoolDecoder& bd, bool key_frame) {
  FrameHeader h;
  HeaderReader reader{bd};
  visit_frame_header(h, key_frame, reader);
  return h;
}

void write_frame_header(BoolEncoder& enc, const FrameHeader& h, bool key_frame) {
  HeaderWriter writer{enc};
  visit_frame_header(h, key_frame, writer);
}

}  // namespace xc::vp8
