// Selects the DSP kernel table (RFC 6386 §12, §14, §15, §18) from the CPU's features, once per
// instruction set, with the XC_DSP_ISA environment variable as an optional cap.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>

#include "util/errors.hh"
#include "vp8/dsp/dsp.hh"
#include "vp8/dsp/dsp_internal.hh"

namespace xc::vp8::dsp {
namespace {

// The cap set by XC_DSP_ISA; unset or empty means no cap. Read on every call (it is cheap and the
// selection it feeds happens once per decoder), so nothing is cached in a mutable global.
Isa env_cap() {
  const char* value = std::getenv("XC_DSP_ISA");
  if (value == nullptr || *value == '\0') return Isa::kAvx2;
  const std::string_view v(value);
  if (v == "c") return Isa::kScalar;
  if (v == "sse2") return Isa::kSse2;
  if (v == "ssse3") return Isa::kSsse3;
  if (v == "avx2") return Isa::kAvx2;
  throw util::UsageError("XC_DSP_ISA: unknown instruction set '" + std::string(v) +
                         "' (expected c, sse2, ssse3 or avx2)");
}

}  // namespace

Isa cpu_isa() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) return Isa::kAvx2;
  if (__builtin_cpu_supports("ssse3")) return Isa::kSsse3;
  if (__builtin_cpu_supports("sse2")) return Isa::kSse2;
#endif
  return Isa::kScalar;
}

const Dsp& scalar_dsp() {
  static const Dsp table = detail::make_scalar_table();
  return table;
}

#if defined(__x86_64__) || defined(__i386__)
namespace {

// Each level starts from the level below and adds its own kernels, so an entry without a SIMD
// version keeps the best lower one (at the bottom, the scalar one).
Dsp make_sse2_table() {
  Dsp d = detail::make_scalar_table();
  detail::install_subpel_sse2(d);
  detail::install_idct_sse2(d);
  detail::install_intra_sse2(d);
  detail::install_loop_filter_sse2(d);
  detail::install_metrics_sse2(d);
  detail::install_fdct_quantize_sse2(d);
  d.name = "sse2";
  return d;
}

Dsp make_ssse3_table() {
  Dsp d = make_sse2_table();
  detail::install_subpel_ssse3(d);
  d.name = "ssse3";
  return d;
}

Dsp make_avx2_table() {
  Dsp d = make_ssse3_table();
  detail::install_subpel_avx2(d);
  detail::install_loop_filter_avx2(d);
  d.name = "avx2";
  return d;
}

}  // namespace
#endif

const Dsp* dsp_for(Isa isa) {
  if (isa > cpu_isa()) return nullptr;
  switch (isa) {
    case Isa::kScalar:
      return &scalar_dsp();
#if defined(__x86_64__) || defined(__i386__)
    case Isa::kSse2: {
      static const Dsp table = make_sse2_table();
      return &table;
    }
    case Isa::kSsse3: {
      static const Dsp table = make_ssse3_table();
      return &table;
    }
    case Isa::kAvx2: {
      static const Dsp table = make_avx2_table();
      return &table;
    }
#endif
    default:
      return nullptr;  // not built
  }
}

const Dsp& best_dsp(Isa max_isa) {
  const Isa cap = std::min(max_isa, env_cap());
  for (int level = static_cast<int>(cap); level > 0; --level) {
    if (const Dsp* table = dsp_for(static_cast<Isa>(level))) return *table;
  }
  return scalar_dsp();
}

}  // namespace xc::vp8::dsp
