// Digests used by the toolkit: MD5 (per-frame checksums, as in the conformance .md5 files) and a
// stable 64-bit hash (XXH64, seed 0) for states and tags. Both wrap Debian's libraries.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace xc::util {

class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;
  void update(std::span<const uint8_t> bytes);
  void update(const uint8_t* data, size_t size) { update({data, size}); }
  std::array<uint8_t, 16> digest();  // finishes; the object must not be updated afterwards
  std::string hex_digest();          // lowercase hex of digest()

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Streaming XXH64 with seed 0: the same bytes give the same value on every machine.
class Hash64 {
 public:
  Hash64();
  ~Hash64();
  Hash64(const Hash64&) = delete;
  Hash64& operator=(const Hash64&) = delete;
  void update(std::span<const uint8_t> bytes);
  void update(const void* data, size_t size) {
    update({static_cast<const uint8_t*>(data), size});
  }
  uint64_t value() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

uint64_t hash64(std::span<const uint8_t> bytes);

}  // namespace xc::util
