// Picture quality against a reference: SSIM and PSNR of 4:2:0 pictures, computed with libyuv (its
// 8x8-window SSIM and sum of squared errors), shared by xc-quality and the encoder's SSIM target.
#pragma once

#include <cstdint>

#include "util/image.hh"

namespace xc::util {

// libyuv caps PSNR at 128 dB for identical planes; SSIM in dB uses the same cap so that identical
// pictures read the same in both and no figure is infinite.
inline constexpr double kMaxQualityDb = 128.0;

// libyuv's SSIM slides 8x8 windows and needs more than 8 samples in each direction of every plane:
// pictures of 17x17 and up (chroma planes of 9x9).
inline constexpr int kMinSsimSize = 17;

struct PictureQuality {
  double ssim = 0;    // 0.8 SSIM(Y) + 0.1 SSIM(U) + 0.1 SSIM(V), as libyuv's I420Ssim weighs them
  double ssim_y = 0;  // luma alone
  double psnr = 0;    // from the squared error of all three planes
  double psnr_y = 0;
  uint64_t sse = 0, sse_y = 0;  // squared errors, for a clip's global PSNR
};

// Throws UsageError when the pictures' sizes differ, Unsupported when they are below kMinSsimSize.
PictureQuality measure_quality(const Image& reference, const Image& distorted);

// The weighted SSIM of measure_quality alone (skips the PSNR); throws the same way.
double picture_ssim(const Image& reference, const Image& distorted);

// -10 log10(1 - ssim), capped at kMaxQualityDb.
double ssim_db(double ssim);

// PSNR of a squared error over `samples` samples, capped at kMaxQualityDb (libyuv's formula).
double psnr_of(uint64_t sse, uint64_t samples);

}  // namespace xc::util
