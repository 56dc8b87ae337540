// Loads and stores of 16, 8 or 4 pixels for the x86 kernels (RFC 6386 §15, §18); never touching
// more bytes than asked, so that the kernels stay within the areas dsp.hh allows.
#pragma once

#include <emmintrin.h>

#include <cstdint>
#include <cstring>

namespace xc::vp8::dsp {
// Internal linkage on purpose: files compiled for different instruction sets each get their own
// copy, instead of the linker keeping one of them for all.
namespace {

// Loads kBytes pixels into the low bytes of a register, the rest zero.
template <int kBytes>
inline __m128i load_pixels(const uint8_t* p) {
  static_assert(kBytes == 16 || kBytes == 8 || kBytes == 4);
  if constexpr (kBytes == 16) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  } else if constexpr (kBytes == 8) {
    return _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
  } else {
    int32_t v;
    std::memcpy(&v, p, 4);
    return _mm_cvtsi32_si128(v);
  }
}

// Stores the low kBytes bytes of a register.
template <int kBytes>
inline void store_pixels(uint8_t* p, __m128i v) {
  static_assert(kBytes == 16 || kBytes == 8 || kBytes == 4);
  if constexpr (kBytes == 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v);
  } else if constexpr (kBytes == 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(p), v);
  } else {
    const int32_t bits = _mm_cvtsi128_si32(v);
    std::memcpy(p, &bits, 4);
  }
}

}  // namespace
}  // namespace xc::vp8::dsp
