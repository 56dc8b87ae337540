// Scalar reference kernels: intra prediction (RFC 6386 §12), inverse DCT and WHT (§14.3-14.5),
// loop filters (§15.2-15.3) and sub-pixel interpolation (§18.3), written to follow the RFC's code;
// and the encoder's block metrics (SAD, SSE), forward DCT and quantizer.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "vp8/dsp/dsp.hh"
#include "vp8/dsp/dsp_internal.hh"

namespace xc::vp8::dsp {
namespace {

uint8_t clamp255(int v) { return static_cast<uint8_t>(std::clamp(v, 0, 255)); }

// ---------------------------------------------------------------------------------------------
// §12.2-12.3: whole-block intra prediction (16x16 luma, 8x8 chroma).

template <int N>
void fill(uint8_t* dst, int stride, int value) {
  for (int r = 0; r < N; ++r) std::memset(dst + r * stride, value, N);
}

// log2 of the block size: the DC average over N pixels shifts by this, over 2N by one more.
template <int N>
constexpr int kLog2 = N == 16 ? 4 : 3;

template <int N>
void pred_dc(uint8_t* dst, int stride, const uint8_t* above, const uint8_t* left) {
  int sum = 0;
  for (int i = 0; i < N; ++i) sum += above[i] + left[i];
  constexpr int shift = kLog2<N> + 1;
  fill<N>(dst, stride, (sum + (1 << (shift - 1))) >> shift);
}

template <int N>
void pred_dc_top(uint8_t* dst, int stride, const uint8_t* above, const uint8_t*) {
  int sum = 0;
  for (int i = 0; i < N; ++i) sum += above[i];
  fill<N>(dst, stride, (sum + N / 2) >> kLog2<N>);
}

template <int N>
void pred_dc_left(uint8_t* dst, int stride, const uint8_t*, const uint8_t* left) {
  int sum = 0;
  for (int i = 0; i < N; ++i) sum += left[i];
  fill<N>(dst, stride, (sum + N / 2) >> kLog2<N>);
}

template <int N>
void pred_dc_128(uint8_t* dst, int stride, const uint8_t*, const uint8_t*) {
  fill<N>(dst, stride, 128);
}

template <int N>
void pred_v(uint8_t* dst, int stride, const uint8_t* above, const uint8_t*) {
  for (int r = 0; r < N; ++r) std::memcpy(dst + r * stride, above, N);
}

template <int N>
void pred_h(uint8_t* dst, int stride, const uint8_t*, const uint8_t* left) {
  for (int r = 0; r < N; ++r) std::memset(dst + r * stride, left[r], N);
}

// §12.2 TMpred; also B_TM_PRED with N = 4.
template <int N>
void pred_tm(uint8_t* dst, int stride, const uint8_t* above, const uint8_t* left) {
  for (int r = 0; r < N; ++r) {
    for (int c = 0; c < N; ++c) dst[r * stride + c] = clamp255(left[r] + above[c] - above[-1]);
  }
}

// ---------------------------------------------------------------------------------------------
// §12.3 subblock_intra_predict, one function per mode. B[r][c] is dst[r * stride + c].

uint8_t avg3(int x, int y, int z) { return static_cast<uint8_t>((x + y + y + z + 2) >> 2); }
uint8_t avg2(int x, int y) { return static_cast<uint8_t>((x + y + 1) >> 1); }

// The RFC's edge array E: left column bottom to top, the corner, then the above row, so that
// E[4 + k] is A[k] and E[3 - k] is L[k].
struct Edge {
  uint8_t e[9];
  Edge(const uint8_t* above, const uint8_t* left)
      : e{left[3], left[2], left[1], left[0], above[-1], above[0], above[1], above[2], above[3]} {}
  uint8_t avg3p(int i) const { return avg3(e[i - 1], e[i], e[i + 1]); }
  uint8_t avg2p(int i) const { return avg2(e[i], e[i + 1]); }
};

void put(uint8_t* dst, int stride, int r, int c, uint8_t v) { dst[r * stride + c] = v; }

void pred4_dc(uint8_t* dst, int stride, const uint8_t* above, const uint8_t* left) {
  int v = 4;
  for (int i = 0; i < 4; ++i) v += above[i] + left[i];
  fill<4>(dst, stride, v >> 3);
}

void pred4_ve(uint8_t* dst, int stride, const uint8_t* above, const uint8_t*) {
  // Smooths the above row with its neighbours, reaching above[-1] and above[4].
  for (int c = 0; c < 4; ++c) {
    const uint8_t v = avg3(above[c - 1], above[c], above[c + 1]);
    for (int r = 0; r < 4; ++r) put(dst, stride, r, c, v);
  }
}

void pred4_he(uint8_t* dst, int stride, const uint8_t* above, const uint8_t* left) {
  // Smooths the left column, starting from the corner; the bottom row repeats left[3] since
  // there is no left[4].
  const int l[6] = {above[-1], left[0], left[1], left[2], left[3], left[3]};
  for (int r = 0; r < 4; ++r) std::memset(dst + r * stride, avg3(l[r], l[r + 1], l[r + 2]), 4);
}

void pred4_ld(uint8_t* dst, int stride, const uint8_t* above, const uint8_t*) {
  // Each down-left diagonal r + c = d takes the smoothed above pixel A[d + 1]; A[8] does not
  // exist, so the last one repeats A[7].
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) {
      const int d = r + c;
      const uint8_t v =
          d < 6 ? avg3(above[d], above[d + 1], above[d + 2]) : avg3(above[6], above[7], above[7]);
      put(dst, stride, r, c, v);
    }
  }
}

void pred4_rd(uint8_t* dst, int stride, const uint8_t* above, const uint8_t* left) {
  // Each down-right diagonal c - r = d takes the smoothed edge pixel E[4 + d].
  const Edge e(above, left);
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) put(dst, stride, r, c, e.avg3p(4 + c - r));
  }
}

void pred4_vr(uint8_t* dst, int stride, const uint8_t* above, const uint8_t* left) {
  const Edge e(above, left);
  put(dst, stride, 3, 0, e.avg3p(2));
  put(dst, stride, 2, 0, e.avg3p(3));
  put(dst, stride, 3, 1, e.avg3p(4));
  put(dst, stride, 1, 0, e.avg3p(4));
  put(dst, stride, 2, 1, e.avg2p(4));
  put(dst, stride, 0, 0, e.avg2p(4));
  put(dst, stride, 3, 2, e.avg3p(5));
  put(dst, stride, 1, 1, e.avg3p(5));
  put(dst, stride, 2, 2, e.avg2p(5));
  put(dst, stride, 0, 1, e.avg2p(5));
  put(dst, stride, 3, 3, e.avg3p(6));
  put(dst, stride, 1, 2, e.avg3p(6));
  put(dst, stride, 2, 3, e.avg2p(6));
  put(dst, stride, 0, 2, e.avg2p(6));
  put(dst, stride, 1, 3, e.avg3p(7));
  put(dst, stride, 0, 3, e.avg2p(7));
}

void pred4_vl(uint8_t* dst, int stride, const uint8_t* above, const uint8_t*) {
  const uint8_t* a = above;
  auto a3 = [a](int i) { return avg3(a[i - 1], a[i], a[i + 1]); };
  auto a2 = [a](int i) { return avg2(a[i], a[i + 1]); };
  put(dst, stride, 0, 0, a2(0));
  put(dst, stride, 1, 0, a3(1));
  put(dst, stride, 2, 0, a2(1));
  put(dst, stride, 0, 1, a2(1));
  put(dst, stride, 1, 1, a3(2));
  put(dst, stride, 3, 0, a3(2));
  put(dst, stride, 2, 1, a2(2));
  put(dst, stride, 0, 2, a2(2));
  put(dst, stride, 3, 1, a3(3));
  put(dst, stride, 1, 2, a3(3));
  put(dst, stride, 2, 2, a2(3));
  put(dst, stride, 0, 3, a2(3));
  put(dst, stride, 3, 2, a3(4));
  put(dst, stride, 1, 3, a3(4));
  // The last two break the pattern (§12.3).
  put(dst, stride, 2, 3, a3(5));
  put(dst, stride, 3, 3, a3(6));
}

void pred4_hd(uint8_t* dst, int stride, const uint8_t* above, const uint8_t* left) {
  const Edge e(above, left);
  put(dst, stride, 3, 0, e.avg2p(0));
  put(dst, stride, 3, 1, e.avg3p(1));
  put(dst, stride, 2, 0, e.avg2p(1));
  put(dst, stride, 3, 2, e.avg2p(1));
  put(dst, stride, 2, 1, e.avg3p(2));
  put(dst, stride, 3, 3, e.avg3p(2));
  put(dst, stride, 2, 2, e.avg2p(2));
  put(dst, stride, 1, 0, e.avg2p(2));
  put(dst, stride, 2, 3, e.avg3p(3));
  put(dst, stride, 1, 1, e.avg3p(3));
  put(dst, stride, 1, 2, e.avg2p(3));
  put(dst, stride, 0, 0, e.avg2p(3));
  put(dst, stride, 1, 3, e.avg3p(4));
  put(dst, stride, 0, 1, e.avg3p(4));
  put(dst, stride, 0, 2, e.avg3p(5));
  put(dst, stride, 0, 3, e.avg3p(6));
}

void pred4_hu(uint8_t* dst, int stride, const uint8_t*, const uint8_t* left) {
  const uint8_t* l = left;
  put(dst, stride, 0, 0, avg2(l[0], l[1]));
  put(dst, stride, 0, 1, avg3(l[0], l[1], l[2]));
  put(dst, stride, 0, 2, avg2(l[1], l[2]));
  put(dst, stride, 1, 0, avg2(l[1], l[2]));
  put(dst, stride, 0, 3, avg3(l[1], l[2], l[3]));
  put(dst, stride, 1, 1, avg3(l[1], l[2], l[3]));
  put(dst, stride, 1, 2, avg2(l[2], l[3]));
  put(dst, stride, 2, 0, avg2(l[2], l[3]));
  put(dst, stride, 1, 3, avg3(l[2], l[3], l[3]));
  put(dst, stride, 2, 1, avg3(l[2], l[3], l[3]));
  // No already-built pixel lies on the remaining diagonals.
  constexpr int kRest[6][2] = {{2, 2}, {2, 3}, {3, 0}, {3, 1}, {3, 2}, {3, 3}};
  for (const auto& rc : kRest) put(dst, stride, rc[0], rc[1], l[3]);
}

// ---------------------------------------------------------------------------------------------
// §14.3 inverse WHT and §14.4 inverse DCT. Intermediate and output values are 16-bit, as the RFC
// requires ("stored as arrays of 16-bit signed integers"). The RFC's code computes the second pass
// in int and only then stores into `short`; libvpx's x86 kernels (what its decoders run on x86)
// keep every sum in 16 bits, rounding term included, before the final shift. The two agree unless
// a sum leaves the 16-bit range, which only damaged or hand-made streams reach; there libvpx's
// result is followed (a vp80-03-segmentation-01 frame with one flipped bit proves it,
// tests/decoder_test.cc). wrap16 gives that 16-bit sum.
int wrap16(int v) { return static_cast<int16_t>(v); }

constexpr int kCosPi8Sqrt2Minus1 = 20091;  // (sqrt(2) * cos(pi/8) - 1) in Q16
constexpr int kSinPi8Sqrt2 = 35468;        // sqrt(2) * sin(pi/8) in Q16

int mul_sin(int x) { return (x * kSinPi8Sqrt2) >> 16; }
// x * sqrt(2) * cos(pi/8), computed as x + x * (constant - 1) to stay within 16-bit constants.
int mul_cos(int x) { return x + ((x * kCosPi8Sqrt2Minus1) >> 16); }

void idct_add_c(const int16_t coeffs[16], uint8_t* dst, int stride) {
  int16_t tmp[16];
  for (int i = 0; i < 4; ++i) {  // first pass: columns
    const int16_t* ip = coeffs + i;
    const int a1 = ip[0] + ip[8];
    const int b1 = ip[0] - ip[8];
    const int c1 = mul_sin(ip[4]) - mul_cos(ip[12]);
    const int d1 = mul_cos(ip[4]) + mul_sin(ip[12]);
    tmp[i] = static_cast<int16_t>(a1 + d1);
    tmp[4 + i] = static_cast<int16_t>(b1 + c1);
    tmp[8 + i] = static_cast<int16_t>(b1 - c1);
    tmp[12 + i] = static_cast<int16_t>(a1 - d1);
  }
  for (int r = 0; r < 4; ++r) {  // second pass: rows, then §14.5 summation
    const int16_t* ip = tmp + 4 * r;
    const int a1 = ip[0] + ip[2];
    const int b1 = ip[0] - ip[2];
    const int c1 = mul_sin(ip[1]) - mul_cos(ip[3]);
    const int d1 = mul_cos(ip[1]) + mul_sin(ip[3]);
    const int out[4] = {wrap16(a1 + d1 + 4) >> 3, wrap16(b1 + c1 + 4) >> 3, wrap16(b1 - c1 + 4) >> 3,
                        wrap16(a1 - d1 + 4) >> 3};
    uint8_t* row = dst + r * stride;
    for (int c = 0; c < 4; ++c) row[c] = clamp255(row[c] + out[c]);
  }
}

void idct_dc_add_c(int16_t dc, uint8_t* dst, int stride) {
  const int delta = wrap16(dc + 4) >> 3;
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) dst[r * stride + c] = clamp255(dst[r * stride + c] + delta);
  }
}

void idct_dc_add_row_c(const int16_t dc[4], uint8_t* dst, int stride) {
  for (int i = 0; i < 4; ++i) idct_dc_add_c(dc[i], dst + 4 * i, stride);
}

void iwht_c(const int16_t in[16], int16_t* out) {
  int16_t tmp[16];
  for (int i = 0; i < 4; ++i) {  // first pass: columns
    const int16_t* ip = in + i;
    const int a1 = ip[0] + ip[12];
    const int b1 = ip[4] + ip[8];
    const int c1 = ip[4] - ip[8];
    const int d1 = ip[0] - ip[12];
    tmp[i] = static_cast<int16_t>(a1 + b1);
    tmp[4 + i] = static_cast<int16_t>(c1 + d1);
    tmp[8 + i] = static_cast<int16_t>(a1 - b1);
    tmp[12 + i] = static_cast<int16_t>(d1 - c1);
  }
  for (int r = 0; r < 4; ++r) {  // second pass: rows
    const int16_t* ip = tmp + 4 * r;
    const int a1 = ip[0] + ip[3];
    const int b1 = ip[1] + ip[2];
    const int c1 = ip[1] - ip[2];
    const int d1 = ip[0] - ip[3];
    const int result[4] = {a1 + b1, c1 + d1, a1 - b1, d1 - c1};
    for (int c = 0; c < 4; ++c) out[16 * (4 * r + c)] = static_cast<int16_t>(wrap16(result[c] + 3) >> 3);
  }
}

// ---------------------------------------------------------------------------------------------
// §15.2-15.3 loop filters. A segment is addressed by q0 (the first pixel past the edge) and `step`,
// the distance between successive pixels across the edge: P(k) = q0[-(k + 1) * step] is p_k and
// Q(k) = q0[k * step] is q_k.

// The RFC's c(): saturate to the signed 8-bit range.
int s8(int v) { return std::clamp(v, -128, 127); }
int u2s(uint8_t v) { return v - 128; }
uint8_t s2u(int v) { return static_cast<uint8_t>(s8(v) + 128); }

struct Segment {
  uint8_t* q0;
  int step;
  uint8_t& p(int k) const { return q0[-(k + 1) * step]; }
  uint8_t& q(int k) const { return q0[k * step]; }
};

// The edge-difference test shared by simple_segment and filter_yes.
bool edge_ok(const Segment& s, int edge_limit) {
  return std::abs(s.p(0) - s.q(0)) * 2 + std::abs(s.p(1) - s.q(1)) / 2 <= edge_limit;
}

bool filter_yes(const Segment& s, int interior_limit, int edge_limit) {
  const int i = interior_limit;
  return edge_ok(s, edge_limit) && std::abs(s.p(3) - s.p(2)) <= i &&
         std::abs(s.p(2) - s.p(1)) <= i && std::abs(s.p(1) - s.p(0)) <= i &&
         std::abs(s.q(3) - s.q(2)) <= i && std::abs(s.q(2) - s.q(1)) <= i &&
         std::abs(s.q(1) - s.q(0)) <= i;
}

bool hev(const Segment& s, int threshold) {
  return std::abs(s.p(1) - s.p(0)) > threshold || std::abs(s.q(1) - s.q(0)) > threshold;
}

// The RFC's common_adjust: moves p0 and q0 towards each other, returns the adjustment `a`.
int common_adjust(const Segment& s, bool use_outer_taps) {
  const int p1 = u2s(s.p(1)), p0 = u2s(s.p(0)), q0 = u2s(s.q(0)), q1 = u2s(s.q(1));
  int a = s8((use_outer_taps ? s8(p1 - q1) : 0) + 3 * (q0 - p0));
  // b rounds the other way from a when a / 8 has a fractional part of exactly 1/2.
  const int b = s8(a + 3) >> 3;
  a = s8(a + 4) >> 3;
  s.q(0) = s2u(q0 - a);
  s.p(0) = s2u(p0 + b);
  return a;
}

void simple_segment(const Segment& s, int edge_limit) {
  if (edge_ok(s, edge_limit)) common_adjust(s, true);
}

void subblock_segment(const Segment& s, int edge_limit, int interior_limit, int hev_threshold) {
  if (!filter_yes(s, interior_limit, edge_limit)) return;
  const bool hv = hev(s, hev_threshold);
  const int p1 = u2s(s.p(1)), q1 = u2s(s.q(1));
  const int a = (common_adjust(s, hv) + 1) >> 1;
  if (!hv) {
    s.q(1) = s2u(q1 - a);
    s.p(1) = s2u(p1 + a);
  }
}

void mb_segment(const Segment& s, int edge_limit, int interior_limit, int hev_threshold) {
  if (!filter_yes(s, interior_limit, edge_limit)) return;
  if (hev(s, hev_threshold)) {
    common_adjust(s, true);
    return;
  }
  const int p2 = u2s(s.p(2)), p1 = u2s(s.p(1)), p0 = u2s(s.p(0));
  const int q0 = u2s(s.q(0)), q1 = u2s(s.q(1)), q2 = u2s(s.q(2));
  const int w = s8(s8(p1 - q1) + 3 * (q0 - p0));
  // Weights 27, 18 and 9 in units of 1/128 move the three pixel pairs by roughly 3/7, 2/7 and
  // 1/7 of the edge difference.
  int a = s8((27 * w + 63) >> 7);
  s.q(0) = s2u(q0 - a);
  s.p(0) = s2u(p0 + a);
  a = s8((18 * w + 63) >> 7);
  s.q(1) = s2u(q1 - a);
  s.p(1) = s2u(p1 + a);
  a = s8((9 * w + 63) >> 7);
  s.q(2) = s2u(q2 - a);
  s.p(2) = s2u(p2 + a);
}

// A horizontal edge steps across by `stride` and along by 1; a vertical edge the other way round.
template <bool kHorizontal, void (*kFilter)(const Segment&, int, int, int)>
void normal_filter_c(uint8_t* p, int stride, int edge_limit, int interior_limit, int hev_threshold,
                     int count) {
  const int across = kHorizontal ? stride : 1;
  const int along = kHorizontal ? 1 : stride;
  for (int i = 0; i < count; ++i) {
    kFilter(Segment{p + i * along, across}, edge_limit, interior_limit, hev_threshold);
  }
}

template <bool kHorizontal, void (*kFilter)(const Segment&, int, int, int)>
void chroma_filter_c(uint8_t* u, uint8_t* v, int stride, int edge_limit, int interior_limit, int hev_threshold) {
  normal_filter_c<kHorizontal, kFilter>(u, stride, edge_limit, interior_limit, hev_threshold, 8);
  normal_filter_c<kHorizontal, kFilter>(v, stride, edge_limit, interior_limit, hev_threshold, 8);
}

template <bool kHorizontal>
void mb_edge_yuv_c(uint8_t* y, int y_stride, uint8_t* u, uint8_t* v, int uv_stride, int edge_limit, int interior_limit,
                   int hev_threshold) {
  normal_filter_c<kHorizontal, mb_segment>(y, y_stride, edge_limit, interior_limit, hev_threshold, 16);
  chroma_filter_c<kHorizontal, mb_segment>(u, v, uv_stride, edge_limit, interior_limit, hev_threshold);
}

template <bool kHorizontal>
void inner_edges_c(uint8_t* p, int stride, int edge_limit, int interior_limit, int hev_threshold) {
  for (int k = 4; k < 16; k += 4) {
    normal_filter_c<kHorizontal, subblock_segment>(p + k * (kHorizontal ? stride : 1), stride, edge_limit,
                                                   interior_limit, hev_threshold, 16);
  }
}

template <bool kHorizontal>
void simple_filter_c(uint8_t* p, int stride, int edge_limit, int count) {
  const int across = kHorizontal ? stride : 1;
  const int along = kHorizontal ? 1 : stride;
  for (int i = 0; i < count; ++i) simple_segment(Segment{p + i * along, across}, edge_limit);
}

// ---------------------------------------------------------------------------------------------
// §18.3 sub-pixel interpolation: the RFC's interp() as one pass of detail::subpel_predict. The
// bilinear filter runs the same passes with its two taps on the pixels at offsets 0 and +1
// (libvpx's filter_block2d_bil; the RFC's six-tap layout of the same taps gives the same sums),
// where the clamp never acts since its sums are convex combinations.
template <int W, int kTaps>
struct SubpelPassC {
  static void run(uint8_t* dst, int dst_stride, const uint8_t* src, int src_stride, int step, int h,
                  const int* taps) {
    for (int r = 0; r < h; ++r) {
      for (int c = 0; c < W; ++c) {
        const uint8_t* p = src + r * src_stride + c - detail::kTapsBefore<kTaps> * step;
        int sum = 0;
        for (int k = 0; k < kTaps; ++k) sum += taps[k] * p[k * step];
        dst[r * dst_stride + c] = clamp255((sum + 64) >> 7);
      }
    }
  }
};

// ---------------------------------------------------------------------------------------------
// Encoder metrics: sums of absolute and squared differences.

uint64_t sse_area_c(const uint8_t* a, int a_stride, const uint8_t* b, int b_stride, int w, int h) {
  // An empty area reads nothing, and its pointers may be null: step no pointer then.
  if (w <= 0) return 0;
  uint64_t sum = 0;
  for (int r = 0; r < h; ++r, a += a_stride, b += b_stride)
    for (int c = 0; c < w; ++c) {
      const int d = a[c] - b[c];
      sum += static_cast<uint64_t>(d * d);
    }
  return sum;
}

template <int W, int H>
struct MetricsC {
  static uint32_t sad(const uint8_t* a, int a_stride, const uint8_t* b, int b_stride) {
    uint32_t sum = 0;
    for (int r = 0; r < H; ++r, a += a_stride, b += b_stride)
      for (int c = 0; c < W; ++c) sum += static_cast<uint32_t>(std::abs(a[c] - b[c]));
    return sum;
  }
  static uint32_t sse(const uint8_t* a, int a_stride, const uint8_t* b, int b_stride) {
    return static_cast<uint32_t>(sse_area_c(a, a_stride, b, b_stride, W, H));
  }
};

// ---------------------------------------------------------------------------------------------
// Encoder: forward DCT (§14.4 in reverse) and quantizer (§14.1 in reverse).
//
// The inverse DCT applies, to columns and then rows, the 1-D matrix
//     M = [1  C  1  S]     C = sqrt(2) cos(pi/8), S = sqrt(2) sin(pi/8)
//         [1  S -1 -C]
//         [1 -S -1  C]
//         [1 -C  1 -S]
// and divides by 8, so residual = M X M^T / 8. The columns of M are orthogonal with squared norm 4
// (C^2 + S^2 = 2), so M^-1 = M^T / 4 and the forward transform is X = M^T residual M / 2.

// S and C in Q12: round(4096 * 0.5412) and round(4096 * 1.3066).
constexpr int kFdctS = 2217;
constexpr int kFdctC = 5352;

// Rows of M^T x, with a = x0 + x3, b = x1 + x2, c = x1 - x2, d = x0 - x3:
//   y0 = a + b, y1 = C d + S c, y2 = a - b, y3 = S d - C c.
// The first pass (rows) keeps three extra fraction bits; the second (columns) removes them together
// with the factor 1/2, rounding to nearest. Measured over random residuals the decoder's inverse then
// reproduces every pixel within +-1 (mean absolute error below 0.1).
void fdct_c(const uint8_t* src, int src_stride, const uint8_t* pred, int pred_stride, int16_t out[16]) {
  int t[16];
  for (int r = 0; r < 4; ++r) {
    int x[4];
    for (int c = 0; c < 4; ++c) x[c] = src[r * src_stride + c] - pred[r * pred_stride + c];
    const int a = (x[0] + x[3]) * 8, b = (x[1] + x[2]) * 8;
    const int c = (x[1] - x[2]) * 8, d = (x[0] - x[3]) * 8;
    int* y = t + 4 * r;
    y[0] = a + b;
    y[2] = a - b;
    y[1] = (kFdctC * d + kFdctS * c + (1 << 11)) >> 12;
    y[3] = (kFdctS * d - kFdctC * c + (1 << 11)) >> 12;
  }
  for (int col = 0; col < 4; ++col) {
    const int x0 = t[col], x1 = t[4 + col], x2 = t[8 + col], x3 = t[12 + col];
    const int a = x0 + x3, b = x1 + x2, c = x1 - x2, d = x0 - x3;
    out[col] = static_cast<int16_t>((a + b + 8) >> 4);
    out[8 + col] = static_cast<int16_t>((a - b + 8) >> 4);
    out[4 + col] = static_cast<int16_t>((kFdctC * d + kFdctS * c + (1 << 15)) >> 16);
    out[12 + col] = static_cast<int16_t>((kFdctS * d - kFdctC * c + (1 << 15)) >> 16);
  }
}

int16_t quantize_one(int c, const QuantizerStep& s, int max_level) {
  const int magnitude = 128 * std::abs(c);
  if (magnitude < s.zero_below) return 0;
  const int level = std::min(static_cast<int>((static_cast<uint64_t>(magnitude + s.add) * s.reciprocal) >> 40),
                             max_level);
  return static_cast<int16_t>(c < 0 ? -level : level);
}

uint32_t quantize_c(const int16_t coeffs[16], const QuantizerStep& dc, const QuantizerStep& ac, int first,
                    int max_level, int16_t levels[16]) {
  uint32_t nonzero = 0;
  for (int i = 0; i < 16; ++i) {
    levels[i] = i < first ? 0 : quantize_one(coeffs[i], i == 0 ? dc : ac, max_level);
    if (levels[i] != 0) nonzero |= 1u << i;
  }
  return nonzero;
}

template <int N>
struct WholeBlockPreds {
  static constexpr IntraPredFn dc = pred_dc<N>, v = pred_v<N>, h = pred_h<N>, tm = pred_tm<N>,
                               dc_top = pred_dc_top<N>, dc_left = pred_dc_left<N>, dc_128 = pred_dc_128<N>;
};

}  // namespace

Dsp detail::make_scalar_table() {
  Dsp d{};
  detail::install_whole_block_preds<WholeBlockPreds>(d);
  // Index order is the RFC's intra_bmode: B_DC_PRED, B_TM_PRED, B_VE_PRED, B_HE_PRED, B_LD_PRED,
  // B_RD_PRED, B_VR_PRED, B_VL_PRED, B_HD_PRED, B_HU_PRED.
  const SubblockPredFn pred4[10] = {pred4_dc, pred_tm<4>, pred4_ve, pred4_he, pred4_ld,
                                    pred4_rd, pred4_vr,   pred4_vl, pred4_hd, pred4_hu};
  std::copy(std::begin(pred4), std::end(pred4), d.pred4);

  d.idct_add = idct_add_c;
  d.idct_dc_add = idct_dc_add_c;
  d.idct_dc_add_row = idct_dc_add_row_c;
  d.iwht = iwht_c;

  detail::install_subpel<SubpelPassC>(d);

  d.mb_filter_hedge = normal_filter_c<true, mb_segment>;
  d.mb_filter_vedge = normal_filter_c<false, mb_segment>;
  d.inner_filter_hedge = normal_filter_c<true, subblock_segment>;
  d.inner_filter_vedge = normal_filter_c<false, subblock_segment>;
  d.simple_filter_hedge = simple_filter_c<true>;
  d.simple_filter_vedge = simple_filter_c<false>;
  d.mb_filter_hedge_uv = chroma_filter_c<true, mb_segment>;
  d.mb_filter_vedge_uv = chroma_filter_c<false, mb_segment>;
  d.inner_filter_hedge_uv = chroma_filter_c<true, subblock_segment>;
  d.inner_filter_vedge_uv = chroma_filter_c<false, subblock_segment>;
  d.inner_filter_vedges = inner_edges_c<false>;
  d.inner_filter_hedges = inner_edges_c<true>;
  d.mb_filter_vedge_yuv = mb_edge_yuv_c<false>;
  d.mb_filter_hedge_yuv = mb_edge_yuv_c<true>;

  detail::install_metrics<MetricsC>(d);
  d.sse_area = sse_area_c;
  d.fdct = fdct_c;
  d.quantize = quantize_c;

  d.name = "c";
  return d;
}

}  // namespace xc::vp8::dsp
