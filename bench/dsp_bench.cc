// Times every DSP kernel (RFC 6386 §12, §14, §15, §18, encoder metrics) that has a SIMD version: time per call for
// the scalar table and each available SIMD table, and the speed-up. Prints numbers; never fails.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "util/errors.hh"
#include "vp8/dsp/dsp.hh"

namespace {

using xc::vp8::dsp::Dsp;
using xc::vp8::dsp::Isa;

// Buffers shared by every kernel: a 64x64 frame area with random content, near-flat content for
// the loop filters (so that they do filter), and realistic coefficients.
struct Inputs {
  static constexpr int kStride = 64;
  std::vector<uint8_t> frame, flat, dst;
  int16_t coeffs[16];
  Inputs() : frame(kStride * kStride), flat(kStride * kStride), dst(kStride * kStride) {
    std::mt19937 rng(7);
    for (auto& v : frame) v = static_cast<uint8_t>(rng() & 255);
    for (size_t i = 0; i < flat.size(); ++i) {
      flat[i] =
          static_cast<uint8_t>(120 + (i % kStride >= 32 ? 6 : 0) + static_cast<int>(rng() % 3));
    }
    for (int k = 0; k < 16; ++k)
      coeffs[k] = static_cast<int16_t>((static_cast<int>(rng() % 401) - 200) >> (k / 4));
  }
};

// One benchmark: runs the kernel of `dsp` once.
struct Entry {
  std::string name;
  std::function<void(const Dsp&, Inputs&)> run;
  std::function<bool(const Dsp&, const Dsp&)> differs;  // whether the table has its own version
};

std::vector<Entry> entries() {
  using namespace xc::vp8::dsp;
  std::vector<Entry> list;
  constexpr int S = Inputs::kStride;
  for (int size = 0; size < kNumBlockSizes; ++size) {
    const std::string dims =
        std::to_string(kBlockWidth[size]) + "x" + std::to_string(kBlockHeight[size]);
    list.push_back(
        {"sixtap " + dims + " 2-D",
         [size](const Dsp& d, Inputs& in) {
           d.sixtap[size](in.dst.data(), S, in.frame.data() + 8 * S + 8, S, 2, 6);
         },
         [size](const Dsp& a, const Dsp& b) { return a.sixtap[size] != b.sixtap[size]; }});
    list.push_back(
        {"sixtap " + dims + " horizontal",
         [size](const Dsp& d, Inputs& in) {
           d.sixtap[size](in.dst.data(), S, in.frame.data() + 8 * S + 8, S, 4, 0);
         },
         [size](const Dsp& a, const Dsp& b) { return a.sixtap[size] != b.sixtap[size]; }});
    list.push_back(
        {"bilinear " + dims + " 2-D",
         [size](const Dsp& d, Inputs& in) {
           d.bilinear[size](in.dst.data(), S, in.frame.data() + 8 * S + 8, S, 3, 5);
         },
         [size](const Dsp& a, const Dsp& b) { return a.bilinear[size] != b.bilinear[size]; }});
  }
  // Intra predictors, edges from the random area (the corner at above[-1], the left column beside it).
  const std::pair<int, const char*> whole_modes[] = {{kPredDc, "DC"}, {kPredV, "V"}, {kPredH, "H"}, {kPredTm, "TM"}};
  for (const auto& [mode, name] : whole_modes) {
    list.push_back({std::string("pred16 ") + name,
                    [mode](const Dsp& d, Inputs& in) {
                      d.pred16[mode](in.dst.data(), S, in.frame.data() + S + 1, in.frame.data() + 2 * S);
                    },
                    [mode](const Dsp& a, const Dsp& b) { return a.pred16[mode] != b.pred16[mode]; }});
    list.push_back({std::string("pred8 ") + name,
                    [mode](const Dsp& d, Inputs& in) {
                      d.pred8[mode](in.dst.data(), S, in.frame.data() + S + 1, in.frame.data() + 2 * S);
                    },
                    [mode](const Dsp& a, const Dsp& b) { return a.pred8[mode] != b.pred8[mode]; }});
  }
  const std::pair<int, const char*> subblock_modes[] = {{0, "B_DC"}, {1, "B_TM"}, {2, "B_VE"}, {3, "B_HE"},
                                                        {4, "B_LD"}, {5, "B_RD"}, {6, "B_VR"}, {7, "B_VL"},
                                                        {8, "B_HD"}, {9, "B_HU"}};
  for (const auto& [mode, name] : subblock_modes) {
    list.push_back({std::string("pred4 ") + name,
                    [mode](const Dsp& d, Inputs& in) {
                      d.pred4[mode](in.dst.data(), S, in.frame.data() + S + 1, in.frame.data() + 2 * S);
                    },
                    [mode](const Dsp& a, const Dsp& b) { return a.pred4[mode] != b.pred4[mode]; }});
  }
  list.push_back({"idct_add",
                  [](const Dsp& d, Inputs& in) { d.idct_add(in.coeffs, in.dst.data(), S); },
                  [](const Dsp& a, const Dsp& b) { return a.idct_add != b.idct_add; }});
  list.push_back({"idct_dc_add",
                  [](const Dsp& d, Inputs& in) { d.idct_dc_add(37, in.dst.data(), S); },
                  [](const Dsp& a, const Dsp& b) { return a.idct_dc_add != b.idct_dc_add; }});
  list.push_back({"iwht",
                  [](const Dsp& d, Inputs& in) {
                    int16_t out[256];
                    d.iwht(in.coeffs, out);
                    in.dst[0] = static_cast<uint8_t>(out[16]);
                  },
                  [](const Dsp& a, const Dsp& b) { return a.iwht != b.iwht; }});
  // Loop filters on the near-flat area: the edge runs through the middle (row or column 32).
  struct Normal {
    const char* name;
    NormalFilterFn Dsp::*fn;
    bool horizontal;
  };
  for (const Normal& f : {Normal{"mb_filter_hedge", &Dsp::mb_filter_hedge, true},
                          Normal{"mb_filter_vedge", &Dsp::mb_filter_vedge, false},
                          Normal{"inner_filter_hedge", &Dsp::inner_filter_hedge, true},
                          Normal{"inner_filter_vedge", &Dsp::inner_filter_vedge, false}}) {
    for (int count : {16, 8}) {
      list.push_back({std::string(f.name) + " x" + std::to_string(count),
                      [f, count](const Dsp& d, Inputs& in) {
                        uint8_t* p = in.flat.data() + (f.horizontal ? 32 * S + 8 : 8 * S + 32);
                        (d.*f.fn)(p, S, 40, 10, 1, count);
                      },
                      [f](const Dsp& a, const Dsp& b) { return a.*f.fn != b.*f.fn; }});
    }
  }
  // The chroma pair kernels: U at the edge above, V at one 24 rows or columns further on.
  struct Pair {
    const char* name;
    ChromaFilterFn Dsp::*fn;
    bool horizontal;
  };
  for (const Pair& f : {Pair{"mb_filter_hedge_uv", &Dsp::mb_filter_hedge_uv, true},
                        Pair{"mb_filter_vedge_uv", &Dsp::mb_filter_vedge_uv, false},
                        Pair{"inner_filter_hedge_uv", &Dsp::inner_filter_hedge_uv, true},
                        Pair{"inner_filter_vedge_uv", &Dsp::inner_filter_vedge_uv, false}}) {
    list.push_back({std::string(f.name) + " 2x8",
                    [f](const Dsp& d, Inputs& in) {
                      uint8_t* u = in.flat.data() + (f.horizontal ? 32 * S + 8 : 8 * S + 32);
                      uint8_t* v = u + (f.horizontal ? 24 : 24 * S);
                      (d.*f.fn)(u, v, S, 40, 10, 1);
                    },
                    [f](const Dsp& a, const Dsp& b) { return a.*f.fn != b.*f.fn; }});
  }
  // A macroblock edge of three planes: luma at the edge above, U and V as for the pair kernels.
  struct Yuv {
    const char* name;
    MbEdgeYuvFn Dsp::*fn;
    bool horizontal;
  };
  for (const Yuv& f : {Yuv{"mb_filter_hedge_yuv", &Dsp::mb_filter_hedge_yuv, true},
                       Yuv{"mb_filter_vedge_yuv", &Dsp::mb_filter_vedge_yuv, false}}) {
    list.push_back({std::string(f.name) + " 16+2x8",
                    [f](const Dsp& d, Inputs& in) {
                      uint8_t* y = in.flat.data() + (f.horizontal ? 32 * S + 8 : 8 * S + 32);
                      uint8_t* u = y + (f.horizontal ? 24 : 24 * S);
                      uint8_t* v = u + (f.horizontal ? 12 : 12 * S);
                      (d.*f.fn)(y, S, u, v, S, 40, 10, 1);
                    },
                    [f](const Dsp& a, const Dsp& b) { return a.*f.fn != b.*f.fn; }});
  }
  struct Simple {
    const char* name;
    SimpleFilterFn Dsp::*fn;
    bool horizontal;
  };
  for (const Simple& f : {Simple{"simple_filter_hedge", &Dsp::simple_filter_hedge, true},
                          Simple{"simple_filter_vedge", &Dsp::simple_filter_vedge, false}}) {
    list.push_back({std::string(f.name) + " x16",
                    [f](const Dsp& d, Inputs& in) {
                      uint8_t* p = in.flat.data() + (f.horizontal ? 32 * S + 8 : 8 * S + 32);
                      (d.*f.fn)(p, S, 40, 16);
                    },
                    [f](const Dsp& a, const Dsp& b) { return a.*f.fn != b.*f.fn; }});
  }
  // Encoder metrics between two places of the random area; the result feeds dst so it is kept.
  for (int size : {kBlock16x16, kBlock8x8, kBlock4x4}) {
    const std::string dims = std::to_string(kBlockWidth[size]) + "x" + std::to_string(kBlockHeight[size]);
    list.push_back({"sad " + dims,
                    [size](const Dsp& d, Inputs& in) {
                      in.dst[0] = static_cast<uint8_t>(d.sad[size](in.frame.data() + 1, S, in.frame.data() + 3 * S, S));
                    },
                    [size](const Dsp& a, const Dsp& b) { return a.sad[size] != b.sad[size]; }});
    list.push_back({"sse " + dims,
                    [size](const Dsp& d, Inputs& in) {
                      in.dst[0] = static_cast<uint8_t>(d.sse[size](in.frame.data() + 1, S, in.frame.data() + 3 * S, S));
                    },
                    [size](const Dsp& a, const Dsp& b) { return a.sse[size] != b.sse[size]; }});
  }
  list.push_back({"fdct",
                  [](const Dsp& d, Inputs& in) {
                    int16_t out[16];
                    d.fdct(in.frame.data() + 5, S, in.frame.data() + 8 * S + 2, S, out);
                    in.dst[0] = static_cast<uint8_t>(out[1]);
                  },
                  [](const Dsp& a, const Dsp& b) { return a.fdct != b.fdct; }});
  list.push_back({"quantize",
                  [](const Dsp& d, Inputs& in) {
                    // Factor 20, rounding to nearest, the dead zone at half a step.
                    const QuantizerStep step{64 * 20, 64 * 20, ((uint64_t{1} << 40) + 2559) / 2560};
                    int16_t levels[16];
                    in.dst[0] = static_cast<uint8_t>(d.quantize(in.coeffs, step, step, 0, 2048, levels));
                  },
                  [](const Dsp& a, const Dsp& b) { return a.quantize != b.quantize; }});
  list.push_back({"sse_area 61x32",
                  [](const Dsp& d, Inputs& in) {
                    in.dst[0] = static_cast<uint8_t>(d.sse_area(in.frame.data(), S, in.flat.data(), S, 61, 32));
                  },
                  [](const Dsp& a, const Dsp& b) { return a.sse_area != b.sse_area; }});
  return list;
}

// Nanoseconds per call: repeats batches until `budget` has passed, keeps the fastest batch.
double time_per_call(const Entry& e, const Dsp& d, Inputs& in, std::chrono::milliseconds budget) {
  using Clock = std::chrono::steady_clock;
  constexpr int kBatch = 2000;
  double best = 1e300;
  const auto end = Clock::now() + budget;
  do {
    const auto start = Clock::now();
    for (int i = 0; i < kBatch; ++i) e.run(d, in);
    const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    best = std::min(best, ns / kBatch);
  } while (Clock::now() < end);
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Times the DSP kernels of each instruction set against the scalar ones.",
               "dsp_bench"};
  int budget_ms = 40;
  std::string filter;
  app.add_option("--ms", budget_ms, "Time spent per kernel and table (milliseconds)")
      ->check(CLI::PositiveNumber);
  app.add_option("--filter", filter, "Only kernels whose name contains this text");
  CLI11_PARSE(app, argc, argv);
  try {
    using namespace xc::vp8::dsp;
    std::vector<const Dsp*> tables;
    for (Isa isa : {Isa::kSse2, Isa::kSsse3, Isa::kAvx2}) {
      if (const Dsp* d = dsp_for(isa)) tables.push_back(d);
    }
    Inputs in;
    const auto budget = std::chrono::milliseconds(budget_ms);
    std::printf("%-28s %10s", "kernel (ns per call)", "c");
    for (const Dsp* d : tables) std::printf(" %10s %8s", d->name, "speed-up");
    std::printf("\n");
    for (const Entry& e : entries()) {
      if (!filter.empty() && e.name.find(filter) == std::string::npos) continue;
      const double scalar = time_per_call(e, scalar_dsp(), in, budget);
      std::printf("%-28s %10.1f", e.name.c_str(), scalar);
      for (const Dsp* d : tables) {
        if (e.differs(*d, scalar_dsp())) {
          const double t = time_per_call(e, *d, in, budget);
          std::printf(" %10.1f %7.2fx", t, scalar / t);
        } else {
          std::printf(" %10s %8s", "(scalar)", "");
        }
      }
      std::printf("\n");
    }
  } catch (const xc::util::Error& e) {
    std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
    return 1;
  }
  return 0;
}
