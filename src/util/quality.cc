// SSIM and PSNR through libyuv (compare.h).
#include "util/quality.hh"

#include <fmt/format.h>
#include <libyuv/compare.h>

#include <cmath>
#include <vector>

#include "util/errors.hh"

namespace xc::util {

namespace {

constexpr double kSsimLumaWeight = 0.8;
constexpr double kSsimChromaWeight = 0.1;

void check_sizes(const Image& a, const Image& b) {
  if (a.width != b.width || a.height != b.height) {
    throw UsageError(fmt::format("cannot compare a {}x{} picture with a {}x{} one", b.width, b.height, a.width,
                                 a.height));
  }
  if (a.width < kMinSsimSize || a.height < kMinSsimSize) {
    throw Unsupported(fmt::format("pictures of {}x{} are too small for SSIM (at least {}x{})", a.width, a.height,
                                  kMinSsimSize, kMinSsimSize));
  }
}

uint64_t plane_sse(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b, int width, int height) {
  return libyuv::ComputeSumSquareErrorPlane(a.data(), width, b.data(), width, width, height);
}

double plane_ssim(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b, int width, int height) {
  return libyuv::CalcFrameSsim(a.data(), width, b.data(), width, width, height);
}

double weighted_ssim(const Image& ref, const Image& dist, double ssim_y) {
  const int cw = ref.chroma_width(), ch = ref.chroma_height();
  return kSsimLumaWeight * ssim_y +
         kSsimChromaWeight * (plane_ssim(ref.u, dist.u, cw, ch) + plane_ssim(ref.v, dist.v, cw, ch));
}

}  // namespace

PictureQuality measure_quality(const Image& ref, const Image& dist) {
  check_sizes(ref, dist);
  const int w = ref.width, h = ref.height, cw = ref.chroma_width(), ch = ref.chroma_height();
  const uint64_t luma = uint64_t(w) * h, samples = luma + 2 * uint64_t(cw) * ch;
  PictureQuality q;
  q.sse_y = plane_sse(ref.y, dist.y, w, h);
  q.sse = q.sse_y + plane_sse(ref.u, dist.u, cw, ch) + plane_sse(ref.v, dist.v, cw, ch);
  q.psnr_y = psnr_of(q.sse_y, luma);
  q.psnr = psnr_of(q.sse, samples);
  q.ssim_y = plane_ssim(ref.y, dist.y, w, h);
  q.ssim = weighted_ssim(ref, dist, q.ssim_y);
  return q;
}

double picture_ssim(const Image& ref, const Image& dist) {
  check_sizes(ref, dist);
  return weighted_ssim(ref, dist, plane_ssim(ref.y, dist.y, ref.width, ref.height));
}

double ssim_db(double ssim) {
  const double loss = 1.0 - ssim;
  if (loss <= std::pow(10.0, -kMaxQualityDb / 10)) return kMaxQualityDb;
  return -10.0 * std::log10(loss);
}

double psnr_of(uint64_t sse, uint64_t samples) { return libyuv::SumSquareErrorToPsnr(sse, samples); }

}  // namespace xc::util
