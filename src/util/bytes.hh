// Little-endian loads and stores on byte arrays, independent of the host's byte order.
#pragma once

#include <cstdint>

namespace xc::util {

// Byte by byte on purpose: file formats are little-endian whatever the host is, and compilers turn
// these loops into single loads and stores on little-endian machines.
template <typename T>
constexpr T load_le(const uint8_t* p) {
  T value = 0;
  for (unsigned i = 0; i < sizeof(T); ++i) value |= static_cast<T>(T(p[i]) << (8 * i));
  return value;
}

template <typename T>
constexpr void store_le(uint8_t* p, T value) {
  for (unsigned i = 0; i < sizeof(T); ++i) p[i] = static_cast<uint8_t>(value >> (8 * i));
}

constexpr uint16_t load_le16(const uint8_t* p) { return load_le<uint16_t>(p); }
constexpr uint32_t load_le32(const uint8_t* p) { return load_le<uint32_t>(p); }
constexpr uint64_t load_le64(const uint8_t* p) { return load_le<uint64_t>(p); }
constexpr void store_le16(uint8_t* p, uint16_t v) { store_le(p, v); }
constexpr void store_le32(uint8_t* p, uint32_t v) { store_le(p, v); }
constexpr void store_le64(uint8_t* p, uint64_t v) { store_le(p, v); }

}  // namespace xc::util
