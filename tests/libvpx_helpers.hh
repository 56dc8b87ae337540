// libvpx as the reference in tests: in-memory VP8 encoding and decoding through the vpx API,
// picture comparison, and deterministic synthetic I420 content to feed an encoder (RFC 6386 §2
// frame layout).
#pragma once

#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vpx_encoder.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "util/image.hh"

namespace xc::test {

// Throws std::runtime_error naming the failed call and libvpx's explanation.
inline void vpx_check(vpx_codec_err_t err, vpx_codec_ctx_t* ctx, const char* what) {
  if (err == VPX_CODEC_OK) return;
  std::string message = std::string(what) + ": " + vpx_codec_err_to_string(err);
  if (ctx != nullptr) {
    if (const char* detail = vpx_codec_error_detail(ctx))
      message += std::string(" (") + detail + ")";
  }
  throw std::runtime_error(message);
}

// ---------------------------------------------------------------------------------------------
// Encoding.

struct VpxPacket {
  std::vector<uint8_t> data;  // one compressed VP8 frame
  bool key_frame = false;
  bool invisible = false;  // show_frame = 0 (an alt-ref frame)
  int64_t pts = 0;
};

// libvpx's VP8 defaults for a width x height stream at 30 frames per second, single-threaded so
// that the output does not depend on the machine.
inline vpx_codec_enc_cfg_t vpx_default_config(int width, int height) {
  vpx_codec_enc_cfg_t cfg;
  vpx_check(vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &cfg, 0), nullptr,
            "vpx_codec_enc_config_default");
  cfg.g_w = unsigned(width);
  cfg.g_h = unsigned(height);
  cfg.g_timebase = {1, 30};
  cfg.g_threads = 1;
  return cfg;
}

// One libvpx VP8 encoder instance.
class VpxEncoder {
 public:
  explicit VpxEncoder(const vpx_codec_enc_cfg_t& cfg) : cfg_(cfg) {
    vpx_check(vpx_codec_enc_init(&ctx_, vpx_codec_vp8_cx(), &cfg_, 0), &ctx_, "vpx_codec_enc_init");
    image_ = vpx_img_alloc(nullptr, VPX_IMG_FMT_I420, cfg_.g_w, cfg_.g_h, 32);
    if (image_ == nullptr) {
      vpx_codec_destroy(&ctx_);
      throw std::runtime_error("vpx_img_alloc failed");
    }
  }
  ~VpxEncoder() {
    vpx_img_free(image_);
    vpx_codec_destroy(&ctx_);
  }
  VpxEncoder(const VpxEncoder&) = delete;
  VpxEncoder& operator=(const VpxEncoder&) = delete;

  // Sets a control (VP8E_SET_*) that takes an int or an unsigned int.
  void control(int id, int value) {
    vpx_check(vpx_codec_control_(&ctx_, id, value), &ctx_, "vpx_codec_control");
  }
  // Sets a control that takes a pointer (VP8E_SET_ROI_MAP, VP8E_SET_SCALEMODE, ...).
  template <typename T>
  void control_ptr(int id, T* data) {
    vpx_check(vpx_codec_control_(&ctx_, id, data), &ctx_, "vpx_codec_control");
  }

  // Encodes one picture, or flushes once when `picture` is null, and returns the frames that came
  // out (none while the encoder is still filling its look-ahead). First-pass statistics are
  // appended to stats() instead.
  std::vector<VpxPacket> encode(const util::Image* picture, int64_t pts,
                                vpx_enc_frame_flags_t flags, unsigned long deadline) {
    if (picture != nullptr) copy_in(*picture);
    vpx_check(vpx_codec_encode(&ctx_, picture ? image_ : nullptr, pts, 1, flags, deadline), &ctx_,
              "vpx_codec_encode");
    std::vector<VpxPacket> out;
    vpx_codec_iter_t iter = nullptr;
    while (const vpx_codec_cx_pkt_t* pkt = vpx_codec_get_cx_data(&ctx_, &iter)) {
      if (pkt->kind == VPX_CODEC_CX_FRAME_PKT) {
        const auto* bytes = static_cast<const uint8_t*>(pkt->data.frame.buf);
        VpxPacket p;
        p.data.assign(bytes, bytes + pkt->data.frame.sz);
        p.key_frame = (pkt->data.frame.flags & VPX_FRAME_IS_KEY) != 0;
        p.invisible = (pkt->data.frame.flags & VPX_FRAME_IS_INVISIBLE) != 0;
        p.pts = pkt->data.frame.pts;
        out.push_back(std::move(p));
      } else if (pkt->kind == VPX_CODEC_STATS_PKT) {
        const auto* bytes = static_cast<const uint8_t*>(pkt->data.twopass_stats.buf);
        stats_.insert(stats_.end(), bytes, bytes + pkt->data.twopass_stats.sz);
        flushed_stats_ = true;
      }
    }
    return out;
  }

  // Whether the last encode() call produced first-pass statistics (used to know when a flush is
  // done).
  bool take_stats_flag() { return std::exchange(flushed_stats_, false); }
  const std::vector<uint8_t>& stats() const { return stats_; }

 private:
  void copy_in(const util::Image& picture) {
    if (picture.width != int(cfg_.g_w) || picture.height != int(cfg_.g_h)) {
      throw std::runtime_error("VpxEncoder: picture size differs from the configured size");
    }
    const int cw = picture.chroma_width(), ch = picture.chroma_height();
    for (int y = 0; y < picture.height; ++y) {
      std::memcpy(image_->planes[VPX_PLANE_Y] + ptrdiff_t(y) * image_->stride[VPX_PLANE_Y],
                  &picture.y[size_t(y) * picture.width], picture.width);
    }
    for (int y = 0; y < ch; ++y) {
      std::memcpy(image_->planes[VPX_PLANE_U] + ptrdiff_t(y) * image_->stride[VPX_PLANE_U],
                  &picture.u[size_t(y) * cw], cw);
      std::memcpy(image_->planes[VPX_PLANE_V] + ptrdiff_t(y) * image_->stride[VPX_PLANE_V],
                  &picture.v[size_t(y) * cw], cw);
    }
  }

  vpx_codec_enc_cfg_t cfg_;
  vpx_codec_ctx_t ctx_{};
  vpx_image_t* image_ = nullptr;
  std::vector<uint8_t> stats_;
  bool flushed_stats_ = false;
};

// Everything that describes one encode besides the pictures.
struct VpxEncodeJob {
  vpx_codec_enc_cfg_t cfg{};
  std::vector<std::pair<int, int>> controls;  // VP8E_SET_* id and value, applied in order
  unsigned long deadline = VPX_DL_GOOD_QUALITY;
  bool two_pass = false;  // run a first pass in memory, then encode with its statistics
  // Per-picture encode flags (VPX_EFLAG_FORCE_KF, VP8_EFLAG_NO_UPD_LAST, ...); none when empty.
  std::function<vpx_enc_frame_flags_t(int picture)> frame_flags;
  // Called before each picture is encoded (in both passes), e.g. to change the ROI map mid-stream.
  std::function<void(VpxEncoder&, int picture)> before_picture;
};

// Encodes the pictures (flushing the look-ahead at the end) and returns the frames in stream order.
inline std::vector<VpxPacket> vpx_encode(const VpxEncodeJob& job,
                                         const std::vector<util::Image>& pictures) {
  auto run = [&](vpx_codec_enc_cfg_t cfg, std::vector<uint8_t>* stats_out) {
    VpxEncoder enc(cfg);
    for (const auto& [id, value] : job.controls) enc.control(id, value);
    std::vector<VpxPacket> packets;
    auto append = [&](std::vector<VpxPacket> more) {
      for (auto& p : more) packets.push_back(std::move(p));
      return !more.empty();
    };
    for (size_t i = 0; i < pictures.size(); ++i) {
      if (job.before_picture) job.before_picture(enc, int(i));
      const vpx_enc_frame_flags_t flags = job.frame_flags ? job.frame_flags(int(i)) : 0;
      append(enc.encode(&pictures[i], int64_t(i), flags, job.deadline));
      enc.take_stats_flag();
    }
    // Each flush call releases at most one delayed frame; stop once a call yields nothing.
    for (size_t guard = 0; guard <= pictures.size() + 64; ++guard) {
      const bool frames = append(enc.encode(nullptr, int64_t(pictures.size()), 0, job.deadline));
      const bool stats = enc.take_stats_flag();
      if (!frames && !stats) break;
    }
    if (stats_out != nullptr) *stats_out = enc.stats();
    return packets;
  };

  if (!job.two_pass) return run(job.cfg, nullptr);
  std::vector<uint8_t> stats;
  vpx_codec_enc_cfg_t first = job.cfg;
  first.g_pass = VPX_RC_FIRST_PASS;
  run(first, &stats);
  vpx_codec_enc_cfg_t second = job.cfg;
  second.g_pass = VPX_RC_LAST_PASS;
  second.rc_twopass_stats_in = {stats.data(), stats.size()};
  return run(second, nullptr);
}

// ---------------------------------------------------------------------------------------------
// Decoding.

// One libvpx VP8 decoder instance (single-threaded, no post-processing).
class VpxDecoder {
 public:
  VpxDecoder() {
    vpx_codec_dec_cfg_t cfg{};
    cfg.threads = 1;
    vpx_check(vpx_codec_dec_init(&ctx_, vpx_codec_vp8_dx(), &cfg, 0), &ctx_, "vpx_codec_dec_init");
  }
  ~VpxDecoder() { vpx_codec_destroy(&ctx_); }
  VpxDecoder(const VpxDecoder&) = delete;
  VpxDecoder& operator=(const VpxDecoder&) = delete;

  // Decodes one compressed frame; returns the picture it shows, or nothing for a hidden frame.
  std::optional<util::Image> decode(std::span<const uint8_t> frame) {
    vpx_check(vpx_codec_decode(&ctx_, frame.data(), unsigned(frame.size()), nullptr, 0), &ctx_,
              "vpx_codec_decode");
    std::optional<util::Image> shown;
    vpx_codec_iter_t iter = nullptr;
    while (const vpx_image_t* img = vpx_codec_get_frame(&ctx_, &iter)) {
      if (img->fmt != VPX_IMG_FMT_I420)
        throw std::runtime_error("libvpx returned a picture that is not I420");
      shown = to_image(*img);
    }
    return shown;
  }

  // What libvpx made of one frame, without throwing. kError: vpx_codec_decode refused it (the
  // decoder's state is then unspecified). kCorrupt: decoded, but flagged by VP8D_GET_FRAME_CORRUPTED
  // (a bool decoder read past the end of its partition, or a reference was already corrupt; vpxdec
  // warns about such frames). kOk: a clean decode.
  enum class Outcome { kOk, kCorrupt, kError };
  struct Result {
    Outcome outcome = Outcome::kOk;
    std::string error;                // for kError: libvpx's message and detail
    std::optional<util::Image> shown;  // the picture shown, for kOk and kCorrupt
  };
  Result try_decode(std::span<const uint8_t> frame) {
    Result r;
    // libvpx reads a null pointer with size 0 as "flush", not as an empty frame.
    static constexpr uint8_t kNoData = 0;
    const uint8_t* data = frame.empty() ? &kNoData : frame.data();
    if (vpx_codec_decode(&ctx_, data, unsigned(frame.size()), nullptr, 0) != VPX_CODEC_OK) {
      r.outcome = Outcome::kError;
      r.error = vpx_codec_error(&ctx_);
      if (const char* detail = vpx_codec_error_detail(&ctx_)) r.error += std::string(" (") + detail + ")";
      return r;
    }
    vpx_codec_iter_t iter = nullptr;
    while (const vpx_image_t* img = vpx_codec_get_frame(&ctx_, &iter)) {
      if (img->fmt != VPX_IMG_FMT_I420) throw std::runtime_error("libvpx returned a picture that is not I420");
      r.shown = to_image(*img);
    }
    int corrupted = 0;
    vpx_check(vpx_codec_control_(&ctx_, VP8D_GET_FRAME_CORRUPTED, &corrupted), &ctx_, "VP8D_GET_FRAME_CORRUPTED");
    if (corrupted) r.outcome = Outcome::kCorrupt;
    return r;
  }

  // A copy of one of libvpx's reference frames (VP8_LAST_FRAME, VP8_GOLD_FRAME, VP8_ALTR_FRAME)
  // after the last decoded frame: the whole macroblock-aligned area, which later frames predict
  // from, so hidden frames and the pixels beyond the visible edge can be checked too. The aligned
  // size must be the current frame size rounded up to whole macroblocks.
  util::Image reference(vpx_ref_frame_type_t which, int aligned_width, int aligned_height) {
    // libvpx extends the borders of the copy by (stride - width) / 2 pixels, so give it room.
    constexpr int kBorder = 32;
    const int stride = aligned_width + 2 * kBorder, chroma_stride = aligned_width / 2 + kBorder;
    std::vector<uint8_t> y(size_t(stride) * (aligned_height + 2 * kBorder));
    std::vector<uint8_t> u(size_t(chroma_stride) * (aligned_height / 2 + kBorder)), v(u.size());
    vpx_ref_frame_t ref{};
    ref.frame_type = which;
    ref.img.fmt = VPX_IMG_FMT_I420;
    ref.img.w = ref.img.d_w = unsigned(aligned_width);
    ref.img.h = ref.img.d_h = unsigned(aligned_height);
    ref.img.x_chroma_shift = ref.img.y_chroma_shift = 1;
    ref.img.planes[VPX_PLANE_Y] = y.data() + kBorder * stride + kBorder;
    ref.img.planes[VPX_PLANE_U] = u.data() + kBorder / 2 * chroma_stride + kBorder / 2;
    ref.img.planes[VPX_PLANE_V] = v.data() + kBorder / 2 * chroma_stride + kBorder / 2;
    ref.img.stride[VPX_PLANE_Y] = stride;
    ref.img.stride[VPX_PLANE_U] = ref.img.stride[VPX_PLANE_V] = chroma_stride;
    vpx_check(vpx_codec_control_(&ctx_, VP8_COPY_REFERENCE, &ref), &ctx_, "VP8_COPY_REFERENCE");
    return to_image(ref.img);
  }

 private:
  static util::Image to_image(const vpx_image_t& img) {
    util::Image out(int(img.d_w), int(img.d_h));
    const int cw = out.chroma_width(), ch = out.chroma_height();
    for (int y = 0; y < out.height; ++y) {
      std::memcpy(&out.y[size_t(y) * out.width],
                  img.planes[VPX_PLANE_Y] + ptrdiff_t(y) * img.stride[VPX_PLANE_Y], out.width);
    }
    for (int y = 0; y < ch; ++y) {
      std::memcpy(&out.u[size_t(y) * cw],
                  img.planes[VPX_PLANE_U] + ptrdiff_t(y) * img.stride[VPX_PLANE_U], cw);
      std::memcpy(&out.v[size_t(y) * cw],
                  img.planes[VPX_PLANE_V] + ptrdiff_t(y) * img.stride[VPX_PLANE_V], cw);
    }
    return out;
  }

  vpx_codec_ctx_t ctx_{};
};

// The first pixel where two pictures differ, as "plane Y at (x, y): 12 vs 13" (values of a, then
// b); empty when they are equal. A size difference is reported as such.
inline std::string first_difference(const util::Image& a, const util::Image& b) {
  if (a.width != b.width || a.height != b.height) {
    return "size " + std::to_string(a.width) + "x" + std::to_string(a.height) + " vs " +
           std::to_string(b.width) + "x" + std::to_string(b.height);
  }
  const struct {
    const char* name;
    const std::vector<uint8_t>& pa;
    const std::vector<uint8_t>& pb;
    int width;
  } planes[] = {{"Y", a.y, b.y, a.width},
                {"U", a.u, b.u, a.chroma_width()},
                {"V", a.v, b.v, a.chroma_width()}};
  for (const auto& p : planes) {
    const auto mismatch = std::mismatch(p.pa.begin(), p.pa.end(), p.pb.begin());
    if (mismatch.first == p.pa.end()) continue;
    const auto index = mismatch.first - p.pa.begin();
    return std::string("plane ") + p.name + " at (" + std::to_string(index % p.width) + ", " +
           std::to_string(index / p.width) + "): " + std::to_string(*mismatch.first) + " vs " +
           std::to_string(*mismatch.second);
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Synthetic content. Every value is a pure function of (scene, size, frame index, seed), built from
// an integer hash, so the pictures are the same on every machine and compiler.

enum class Scene {
  kMoving,  // textured background panning at a sub-pixel speed, textured objects moving each their
            // own way
  kStatic,  // a still textured background with one small slow object and faint noise
  kScreen,  // flat panels and glyph-like 1-pixel detail, scrolling by whole pixels, plus a moving
            // cursor
  kNoise,   // independent noise in every picture
  kPan,  // the whole textured picture moving fast (about 22 pixels per picture), so vectors reach
         // far
};

namespace synthetic {

inline uint32_t mix(uint32_t a) {
  a ^= a >> 16;
  a *= 0x7feb352du;
  a ^= a >> 15;
  a *= 0x846ca68bu;
  a ^= a >> 16;
  return a;
}

inline uint32_t hash3(int32_t x, int32_t y, uint32_t seed) {
  return mix(uint32_t(x) * 0x9e3779b1u ^ mix(uint32_t(y) * 0x85ebca77u ^ mix(seed)));
}

// Smooth texture: hash values on a lattice every `cell` pixels, bilinearly interpolated; x16 and
// y16 are in 1/16 pixel so that sub-pixel motion is real motion. Negative coordinates are allowed.
inline int value_noise(int32_t x16, int32_t y16, int cell, uint32_t seed) {
  const int32_t span = 16 * cell;
  constexpr int32_t kOffset = 1 << 24;  // keeps the divisions below on non-negative numbers
  const int32_t xs = x16 + kOffset, ys = y16 + kOffset;
  const int32_t ix = xs / span, iy = ys / span, fx = xs % span, fy = ys % span;
  const int64_t a = hash3(ix, iy, seed) & 255, b = hash3(ix + 1, iy, seed) & 255;
  const int64_t c = hash3(ix, iy + 1, seed) & 255, d = hash3(ix + 1, iy + 1, seed) & 255;
  const int64_t top = a * (span - fx) + b * fx, bottom = c * (span - fx) + d * fx;
  return int((top * (span - fy) + bottom * fy) / (int64_t(span) * span));
}

// A full-resolution YUV sample before chroma subsampling.
struct Yuv {
  int y, u, v;
};

// A textured rectangle or disc moving at a constant speed (1/16 pixel per picture).
struct Sprite {
  int x16, y16, vx16, vy16, width, height, cell;
  bool disc;
  int u, v;
  uint32_t seed;

  bool covers(int x, int y, int t) const {
    const int left = (x16 + vx16 * t) >> 4, top = (y16 + vy16 * t) >> 4;
    const int dx = x - left, dy = y - top;
    if (dx < 0 || dy < 0 || dx >= width || dy >= height) return false;
    if (!disc) return true;
    const int ex = 2 * dx - width + 1, ey = 2 * dy - height + 1;  // doubled offsets from the centre
    return int64_t(ex) * ex * height * height + int64_t(ey) * ey * width * width <=
           int64_t(width) * width * height * height;
  }
  Yuv sample(int x, int y, int t) const {
    const int tex = value_noise(16 * x - x16 - vx16 * t, 16 * y - y16 - vy16 * t, cell, seed);
    return {40 + tex * 3 / 4, u, v};
  }
};

inline std::vector<Sprite> make_sprites(Scene scene, int width, int height, uint32_t seed) {
  uint32_t state = mix(seed ^ 0x5151u);
  auto next = [&](int lo, int hi) {  // uniform enough in [lo, hi] for test content
    state = mix(state + 0x9e3779b9u);
    return lo + int(state % uint32_t(hi - lo + 1));
  };
  int count = 0;
  if (scene == Scene::kMoving) count = std::clamp(width * height / 1500, 3, 14);
  if (scene == Scene::kStatic) count = 1;
  std::vector<Sprite> sprites;
  for (int i = 0; i < count; ++i) {
    Sprite s{};
    const int max_side = std::max(2, std::min({48, width, height}));
    s.width = next(std::min(6, max_side), max_side);
    s.height = next(std::min(6, max_side), max_side);
    s.x16 = 16 * next(-s.width / 2, width - s.width / 2);
    s.y16 = 16 * next(-s.height / 2, height - s.height / 2);
    const int speed = scene == Scene::kStatic ? 6 : 56;
    s.vx16 = next(-speed, speed);
    s.vy16 = next(-speed, speed);
    s.cell = next(2, 7);
    s.disc = next(0, 1) == 1;
    s.u = next(60, 196);
    s.v = next(60, 196);
    s.seed = mix(seed + 101u * uint32_t(i + 1));
    sprites.push_back(s);
  }
  return sprites;
}

inline Yuv scene_sample(Scene scene, const std::vector<Sprite>& sprites, int width, int height,
                        int x, int y, int t, uint32_t seed) {
  switch (scene) {
    case Scene::kNoise: {
      const uint32_t h = hash3(x, y, seed + 7919u * uint32_t(t));
      return {int(h & 255), int((h >> 8) & 255), int((h >> 16) & 255)};
    }
    case Scene::kScreen: {
      const int sy = y + 3 * t;  // whole-pixel vertical scroll
      const int panel = int(hash3(x / 40, sy / 24, seed) % 4);
      Yuv out{panel == 0 ? 235 : 30 + 50 * panel, 128 + 20 * (panel - 2), 128 - 15 * (panel - 1)};
      const int gx = x % 8, gy = sy % 12;
      if (panel != 3 && gx < 5 && gy < 7 &&
          (hash3(x / 8 * 64 + gx, sy / 12 * 64 + gy, seed) & 3) == 0) {
        out.y = out.y > 128 ? 16 : 235;  // a glyph stroke
      }
      const int cx = (width / 4 + 5 * t) % std::max(1, width),
                cy = (height / 3 + 2 * t) % std::max(1, height);
      if (x >= cx && x < cx + 6 && y >= cy && y < cy + 10) out = {255, 90, 200};  // the cursor
      return out;
    }
    case Scene::kPan: {
      const int px = 16 * x + 357 * t, py = 16 * y - 153 * t;
      return {value_noise(px, py, 5, seed), 128 + (value_noise(px, py, 11, seed + 1) - 128) / 2,
              128 + (value_noise(px, py, 7, seed + 2) - 128) / 2};
    }
    case Scene::kMoving:
    case Scene::kStatic: {
      for (auto it = sprites.rbegin(); it != sprites.rend(); ++it) {
        if (it->covers(x, y, t)) return it->sample(x, y, t);
      }
      const bool moving = scene == Scene::kMoving;
      const int px = 16 * x + (moving ? 23 * t : 0), py = 16 * y - (moving ? 9 * t : 0);
      const int tex = value_noise(px, py, 9, seed);
      const int gradient =
          (x + 2 * y + (moving ? 3 * t : 0)) * 255 / std::max(1, width + 2 * height);
      const int grain = int(hash3(x, y, seed * 31u + uint32_t(t)) % 5) - 2;  // faint sensor noise
      return {std::clamp((tex * 3 + gradient) / 4 + grain, 0, 255),
              96 + value_noise(px, py, 17, seed + 1) / 4,
              160 - value_noise(px, py, 13, seed + 2) / 4};
    }
  }
  return {128, 128, 128};
}

}  // namespace synthetic

// Picture number `index` of a synthetic sequence; chroma is the rounded 2x2 average of
// full-resolution chroma, with odd right and bottom edges averaging what exists.
inline util::Image synthetic_picture(Scene scene, int width, int height, int index, uint32_t seed) {
  const auto sprites = synthetic::make_sprites(scene, width, height, seed);
  util::Image img(width, height);
  std::vector<synthetic::Yuv> full(size_t(width) * height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const auto s = synthetic::scene_sample(scene, sprites, width, height, x, y, index, seed);
      full[size_t(y) * width + x] = s;
      img.y[size_t(y) * width + x] = uint8_t(std::clamp(s.y, 0, 255));
    }
  }
  const int cw = img.chroma_width();
  for (int cy = 0; cy < img.chroma_height(); ++cy) {
    for (int cx = 0; cx < cw; ++cx) {
      int su = 0, sv = 0, n = 0;
      for (int y = 2 * cy; y < std::min(height, 2 * cy + 2); ++y) {
        for (int x = 2 * cx; x < std::min(width, 2 * cx + 2); ++x) {
          su += full[size_t(y) * width + x].u;
          sv += full[size_t(y) * width + x].v;
          ++n;
        }
      }
      img.u[size_t(cy) * cw + cx] = uint8_t(std::clamp((su + n / 2) / n, 0, 255));
      img.v[size_t(cy) * cw + cx] = uint8_t(std::clamp((sv + n / 2) / n, 0, 255));
    }
  }
  return img;
}

inline std::vector<util::Image> synthetic_sequence(Scene scene, int width, int height, int count,
                                                   uint32_t seed) {
  std::vector<util::Image> out;
  for (int i = 0; i < count; ++i) out.push_back(synthetic_picture(scene, width, height, i, seed));
  return out;
}

}  // namespace xc::test
