// vpxenc's command: encodes a Y4M clip to VP8 in IVF through libvpx, taking vpxenc's flags with their
// meaning. The vpxenc tool is this command behind main(); xc-bench runs it in process.
//
// The aim is a reference encoder whose output is byte-identical to Debian's vpxenc (same libvpx
// 1.12) for the same flags and input, built on this toolkit's Y4M reader and atomic IVF writer.
// What vpxenc does beyond the libvpx API, and what is therefore done here too (each point checked
// against /usr/bin/vpxenc by tests/vpxenc_test.cc):
//   - the configuration starts from vpx_codec_enc_config_default(); vpxenc then sets the timebase
//     to 1/1000 and, unless --fps is given, to the inverse of the input's frame rate, which also
//     overrides --timebase;
//   - input frame n (from 0, counting skipped frames) gets pts tb.den*n*fps.den/tb.num/fps.num
//     (integer division, in that order) and lasts until the next frame's pts;
//   - --limit counts input frames including those --skip drops;
//   - codec controls are set only for the flags given, in the order they first appear;
//   - realtime mode forces one pass; two passes use a fresh encoder each, the last one fed the
//     first one's statistics;
//   - the IVF frame count is the number of frame packets, invisible alt-ref frames included;
//   - a few settings vpxenc takes for mistakes make it ask before encoding (-y skips the question).
// Where this tool differs on purpose: it writes IVF only (vpxenc defaults to WebM), encodes VP8
// only (vpxenc defaults to VP9), never scales (a -w/-h that differs from the Y4M is an error),
// runs both passes in one process (--pass and --fpf are refused), and also takes "--flag value"
// for long flags (vpxenc takes only "--flag=value").
#include <fmt/format.h>
#include <vpx/vp8cx.h>
#include <vpx/vpx_encoder.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "util/errors.hh"
#include "util/ivf.hh"
#include "util/tool.hh"
#include "util/y4m.hh"
#include "vpxenc/vpxenc_command.hh"

namespace {

using xc::util::Error;
using xc::util::Unsupported;
using xc::util::UsageError;

struct Rational {
  int num = 0;
  int den = 0;
};

// A field of vpx_codec_enc_cfg_t set by one flag, as vpxenc's stream options do.
struct ConfigFlag {
  const char* names;
  const char* group;
  const char* help;
  unsigned int vpx_codec_enc_cfg_t::*field;
};

constexpr const char* kGlobalGroup = "Encoder Global Options";
constexpr const char* kRateGroup = "Rate Control Options";
constexpr const char* kTwoPassGroup = "Twopass Rate Control Options";
constexpr const char* kKeyframeGroup = "Keyframe Placement Options";
constexpr const char* kVp8Group = "VP8 Specific Options";

constexpr ConfigFlag kConfigFlags[] = {
    {"-t,--threads", kGlobalGroup, "Max number of threads to use", &vpx_codec_enc_cfg_t::g_threads},
    {"--profile", kGlobalGroup, "Bitstream profile number to use", &vpx_codec_enc_cfg_t::g_profile},
    {"--error-resilient", kGlobalGroup, "Enable error resiliency features",
     &vpx_codec_enc_cfg_t::g_error_resilient},
    {"--lag-in-frames", kGlobalGroup, "Max number of frames to lag",
     &vpx_codec_enc_cfg_t::g_lag_in_frames},
    {"--drop-frame", kRateGroup, "Temporal resampling threshold (buf %)",
     &vpx_codec_enc_cfg_t::rc_dropframe_thresh},
    {"--resize-allowed", kRateGroup, "Spatial resampling enabled (bool)",
     &vpx_codec_enc_cfg_t::rc_resize_allowed},
    {"--resize-width", kRateGroup, "Width of encoded frame", &vpx_codec_enc_cfg_t::rc_scaled_width},
    {"--resize-height", kRateGroup, "Height of encoded frame",
     &vpx_codec_enc_cfg_t::rc_scaled_height},
    {"--resize-up", kRateGroup, "Upscale threshold (buf %)",
     &vpx_codec_enc_cfg_t::rc_resize_up_thresh},
    {"--resize-down", kRateGroup, "Downscale threshold (buf %)",
     &vpx_codec_enc_cfg_t::rc_resize_down_thresh},
    {"--target-bitrate", kRateGroup, "Bitrate (kbps)", &vpx_codec_enc_cfg_t::rc_target_bitrate},
    {"--min-q", kRateGroup, "Minimum (best) quantizer", &vpx_codec_enc_cfg_t::rc_min_quantizer},
    {"--max-q", kRateGroup, "Maximum (worst) quantizer", &vpx_codec_enc_cfg_t::rc_max_quantizer},
    {"--undershoot-pct", kRateGroup, "Datarate undershoot (min) target (%)",
     &vpx_codec_enc_cfg_t::rc_undershoot_pct},
    {"--overshoot-pct", kRateGroup, "Datarate overshoot (max) target (%)",
     &vpx_codec_enc_cfg_t::rc_overshoot_pct},
    {"--buf-sz", kRateGroup, "Client buffer size (ms)", &vpx_codec_enc_cfg_t::rc_buf_sz},
    {"--buf-initial-sz", kRateGroup, "Client initial buffer size (ms)",
     &vpx_codec_enc_cfg_t::rc_buf_initial_sz},
    {"--buf-optimal-sz", kRateGroup, "Client optimal buffer size (ms)",
     &vpx_codec_enc_cfg_t::rc_buf_optimal_sz},
    {"--bias-pct", kTwoPassGroup, "CBR/VBR bias (0=CBR, 100=VBR)",
     &vpx_codec_enc_cfg_t::rc_2pass_vbr_bias_pct},
    {"--minsection-pct", kTwoPassGroup, "GOP min bitrate (% of target)",
     &vpx_codec_enc_cfg_t::rc_2pass_vbr_minsection_pct},
    {"--maxsection-pct", kTwoPassGroup, "GOP max bitrate (% of target)",
     &vpx_codec_enc_cfg_t::rc_2pass_vbr_maxsection_pct},
    {"--kf-min-dist", kKeyframeGroup, "Minimum keyframe interval (frames)",
     &vpx_codec_enc_cfg_t::kf_min_dist},
    {"--kf-max-dist", kKeyframeGroup, "Maximum keyframe interval (frames)",
     &vpx_codec_enc_cfg_t::kf_max_dist},
};

// A VP8 codec control set by one flag. vpxenc parses every control value as an int (names of an
// enumeration allowed) and leaves range checks to libvpx, so this tool does the same.
struct ControlFlag {
  const char* name;
  const char* help;
  int control_id;
};

constexpr ControlFlag kControlFlags[] = {
    {"--cpu-used", "CPU Used (-16..16)", VP8E_SET_CPUUSED},
    {"--auto-alt-ref", "Enable automatic alt reference frames (0..1)", VP8E_SET_ENABLEAUTOALTREF},
    {"--noise-sensitivity", "Noise sensitivity (frames to blur)", VP8E_SET_NOISE_SENSITIVITY},
    {"--sharpness", "Increase sharpness at the expense of lower PSNR (0..7)", VP8E_SET_SHARPNESS},
    {"--static-thresh", "Motion detection threshold", VP8E_SET_STATIC_THRESHOLD},
    {"--token-parts", "Number of token partitions to use, log2", VP8E_SET_TOKEN_PARTITIONS},
    {"--arnr-maxframes", "AltRef max frames (0..15)", VP8E_SET_ARNR_MAXFRAMES},
    {"--arnr-strength", "AltRef filter strength (0..6)", VP8E_SET_ARNR_STRENGTH},
    {"--arnr-type", "AltRef filter type (1..3)", VP8E_SET_ARNR_TYPE},
    {"--tune", "Material to favor: psnr, ssim", VP8E_SET_TUNING},
    {"--cq-level", "Constant/Constrained Quality level", VP8E_SET_CQ_LEVEL},
    {"--max-intra-rate", "Max I-frame bitrate (pct)", VP8E_SET_MAX_INTRA_BITRATE_PCT},
    {"--gf-cbr-boost", "Boost for Golden Frame in CBR mode (pct)", VP8E_SET_GF_CBR_BOOST_PCT},
    {"--screen-content-mode", "Screen content mode", VP8E_SET_SCREEN_CONTENT_MODE},
};

struct Control {
  std::string flag;
  int id = 0;
  int value = 0;
};

// Everything one run needs, resolved from the command line and the input's header.
struct Settings {
  std::string input;
  std::string output;
  vpx_codec_enc_cfg_t cfg{};
  std::vector<Control> controls;  // in the order their flags first appeared
  unsigned long deadline = VPX_DL_GOOD_QUALITY;
  int passes = 1;
  Rational framerate;
  unsigned limit = 0;  // input frames to read, skipped ones included; 0 means all
  unsigned skip = 0;
  bool psnr = false;
  bool quiet = false;
  bool verbose = false;
  bool no_prompt = false;
};

// vpxenc prints its warnings whatever -q says; so does this tool.
void warn(const std::string& message) { fmt::print(stderr, "vpxenc: warning: {}\n", message); }

// vpxenc's checks for settings it takes for mistakes. It asks before going on with them unless -y
// is given, and stops if the answer does not start with 'y' (so a run with no answer on stdin
// stops).
void confirm_config(const Settings& s) {
  std::vector<std::string> warnings;
  const int min_q = static_cast<int>(s.cfg.rc_min_quantizer);
  const int max_q = static_cast<int>(s.cfg.rc_max_quantizer);
  const bool lossless = min_q == 0 && max_q == 0;
  if (!lossless && std::abs(max_q - min_q) < 8) {
    warnings.push_back(fmt::format(
        "--min-q={} and --max-q={}: quantizer limits should differ by at least 8", min_q, max_q));
  }
  if (s.cfg.g_lag_in_frames > 0 && s.deadline == VPX_DL_REALTIME && s.cfg.rc_end_usage == VPX_CBR) {
    warnings.push_back("--lag-in-frames is ignored by the encoder in realtime CBR mode");
  }
  for (const std::string& w : warnings) warn(w);
  if (warnings.empty() || s.no_prompt) return;
  fmt::print(stderr, "{} encoder configuration warning(s). Continue? (y to continue) ",
             warnings.size());
  std::fflush(stderr);
  if (std::getchar() != 'y') {
    throw Error(fmt::format(
        "stopped after {} configuration warning(s); -y continues without asking", warnings.size()));
  }
}

Rational parse_rational(const std::string& flag, const std::string& text) {
  // vpxenc wants "num/den"; a bare integer is read as num/1 for convenience.
  Rational r{0, 1};
  size_t slash = text.find('/');
  try {
    size_t used = 0;
    r.num = std::stoi(text.substr(0, slash), &used);
    bool ok = used == (slash == std::string::npos ? text.size() : slash);
    if (slash != std::string::npos) {
      std::string den = text.substr(slash + 1);
      r.den = std::stoi(den, &used);
      ok = ok && used == den.size();
    }
    if (ok && r.num > 0 && r.den > 0) return r;
  } catch (const std::logic_error&) {
    // Falls through to the message below (not a number, or out of int range).
  }
  throw UsageError(
      fmt::format("{}={}: expected a positive fraction such as 30000/1001", flag, text));
}

// The text libvpx gives for the last error on a context, with its detail when there is one.
std::string describe_error(const vpx_codec_ctx_t& ctx, vpx_codec_err_t err) {
  std::string text = vpx_codec_err_to_string(err);
  if (ctx.err_detail != nullptr) text += fmt::format(" ({})", ctx.err_detail);
  return text;
}

// One libvpx VP8 encoder instance; a fresh one is made for each pass, as vpxenc does.
class Vp8Encoder {
 public:
  Vp8Encoder(const vpx_codec_enc_cfg_t& cfg, bool psnr, const std::vector<Control>& controls) {
    vpx_codec_err_t err =
        vpx_codec_enc_init(&ctx_, vpx_codec_vp8_cx(), &cfg, psnr ? VPX_CODEC_USE_PSNR : 0);
    if (err != VPX_CODEC_OK) {
      throw UsageError(
          fmt::format("libvpx refused the encoder configuration: {}", describe_error(ctx_, err)));
    }
    for (const Control& c : controls) {
      // The variadic entry point, as vpxenc uses, since the ids are data here rather than names.
      err = vpx_codec_control_(&ctx_, c.id, c.value);
      if (err != VPX_CODEC_OK) {
        std::string why = describe_error(ctx_, err);
        vpx_codec_destroy(&ctx_);
        throw UsageError(
            fmt::format("{}={}: libvpx refused this setting: {}", c.flag, c.value, why));
      }
    }
  }
  ~Vp8Encoder() { vpx_codec_destroy(&ctx_); }
  Vp8Encoder(const Vp8Encoder&) = delete;
  Vp8Encoder& operator=(const Vp8Encoder&) = delete;

  // Submits one picture (nullptr flushes); packets not yet collected are dropped. Returns libvpx's
  // complaint, empty on success.
  std::string encode(const vpx_image_t* image, vpx_codec_pts_t pts, unsigned long duration,
                     unsigned long deadline) {
    iter_ = nullptr;
    vpx_codec_err_t err = vpx_codec_encode(&ctx_, image, pts, duration, 0, deadline);
    return err == VPX_CODEC_OK ? std::string() : describe_error(ctx_, err);
  }

  const vpx_codec_cx_pkt_t* next_packet() { return vpx_codec_get_cx_data(&ctx_, &iter_); }

 private:
  vpx_codec_ctx_t ctx_{};
  vpx_codec_iter_t iter_ = nullptr;
};

// An I420 vpx_image_t over tightly packed planes, laid out as a Y4M frame stores them. Built by
// hand because vpx_img_wrap() would give odd-width chroma planes a stride one byte too short.
vpx_image_t wrap_i420(std::vector<uint8_t>& planes, int width, int height) {
  const int chroma_w = (width + 1) / 2;
  const int chroma_h = (height + 1) / 2;
  vpx_image_t image{};
  image.fmt = VPX_IMG_FMT_I420;
  image.w = image.d_w = static_cast<unsigned>(width);
  image.h = image.d_h = static_cast<unsigned>(height);
  image.bit_depth = 8;
  image.x_chroma_shift = image.y_chroma_shift = 1;
  image.bps = 12;
  image.planes[VPX_PLANE_Y] = planes.data();
  image.planes[VPX_PLANE_U] = planes.data() + size_t(width) * height;
  image.planes[VPX_PLANE_V] = image.planes[VPX_PLANE_U] + size_t(chroma_w) * chroma_h;
  image.stride[VPX_PLANE_Y] = width;
  image.stride[VPX_PLANE_U] = image.stride[VPX_PLANE_V] = chroma_w;
  return image;
}

struct PsnrTotals {
  uint64_t sse = 0;
  uint64_t samples = 0;
  double sum[4] = {0, 0, 0, 0};  // per-frame PSNR sums: all planes, Y, U, V
  int frames = 0;
};

double sse_to_psnr(double samples, double peak, double sse) {
  constexpr double kMaxPsnr = 100.0;  // what vpxenc reports for a lossless result
  if (sse <= 0) return kMaxPsnr;
  return std::min(kMaxPsnr, 10.0 * std::log10(samples * peak * peak / sse));
}

// vpxenc's timestamp of input frame `index` (from 0): tb.den * index * fps.den / tb.num / fps.num.
int64_t frame_pts(const vpx_rational& timebase, const Rational& fps, int64_t index) {
  int64_t product = 0;
  if (__builtin_mul_overflow(int64_t{timebase.den} * fps.den, index, &product)) {
    throw UsageError(
        fmt::format("timestamps overflow at frame {} with timebase {}/{} and {}/{} fps", index,
                    timebase.num, timebase.den, fps.num, fps.den));
  }
  return product / timebase.num / fps.num;
}

struct PassResult {
  unsigned frames_in = 0;
  unsigned packets = 0;
  uint64_t bytes = 0;
  double seconds = 0;
};

// Runs one pass over the input. The first pass appends its statistics to `stats`; the last writes
// frames to `ivf` and, when asked, sums PSNR.
PassResult run_pass(const xc::util::Y4mReader& y4m, const Settings& s, vpx_enc_pass pass,
                    std::vector<uint8_t>& stats, xc::util::IvfWriter& ivf, PsnrTotals& psnr) {
  vpx_codec_enc_cfg_t cfg = s.cfg;
  cfg.g_pass = pass;
  if (pass == VPX_RC_LAST_PASS) cfg.rc_twopass_stats_in = {stats.data(), stats.size()};
  Vp8Encoder encoder(cfg, s.psnr, s.controls);

  const int width = y4m.header().width;
  const int height = y4m.header().height;
  std::vector<uint8_t> planes;
  vpx_image_t image{};
  PassResult result;
  size_t next_frame = 0;
  bool frame_available = true;
  bool got_data = false;
  const auto start = std::chrono::steady_clock::now();

  // The loop's shape follows vpxenc's: after the last input frame it keeps flushing (a null
  // picture) until the encoder returns no more packets.
  while (frame_available || got_data) {
    if (s.limit == 0 || result.frames_in < s.limit) {
      frame_available = next_frame < y4m.frame_count();
      if (frame_available) {
        std::span<const uint8_t> bytes = y4m.frame_bytes(next_frame++);
        planes.assign(bytes.begin(), bytes.end());
        image = wrap_i420(planes, width, height);
        ++result.frames_in;
      }
    } else {
      frame_available = false;
    }
    if (result.frames_in <= s.skip) continue;

    const int64_t pts = frame_pts(cfg.g_timebase, s.framerate, result.frames_in - 1);
    const int64_t next_pts = frame_pts(cfg.g_timebase, s.framerate, result.frames_in);
    std::string failure = encoder.encode(frame_available ? &image : nullptr, pts,
                                         static_cast<unsigned long>(next_pts - pts), s.deadline);
    if (!failure.empty()) {
      throw Error(frame_available ? fmt::format("{}: frame {}: libvpx failed to encode it: {}",
                                                s.input, next_frame - 1, failure)
                                  : fmt::format("{}: libvpx failed while flushing the encoder: {}",
                                                s.input, failure));
    }

    got_data = false;
    while (const vpx_codec_cx_pkt_t* packet = encoder.next_packet()) {
      got_data = true;
      switch (packet->kind) {
        case VPX_CODEC_CX_FRAME_PKT:
          ++result.packets;
          result.bytes += packet->data.frame.sz;
          if (pass != VPX_RC_FIRST_PASS) {
            ivf.append(
                static_cast<uint64_t>(packet->data.frame.pts),
                {static_cast<const uint8_t*>(packet->data.frame.buf), packet->data.frame.sz});
          }
          break;
        case VPX_CODEC_STATS_PKT: {
          const auto* p = static_cast<const uint8_t*>(packet->data.twopass_stats.buf);
          stats.insert(stats.end(), p, p + packet->data.twopass_stats.sz);
          ++result.packets;
          result.bytes += packet->data.twopass_stats.sz;
          break;
        }
        case VPX_CODEC_PSNR_PKT:
          psnr.sse += packet->data.psnr.sse[0];
          psnr.samples += packet->data.psnr.samples[0];
          for (int i = 0; i < 4; ++i) psnr.sum[i] += packet->data.psnr.psnr[i];
          ++psnr.frames;
          break;
        default:
          break;
      }
    }
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

// vpxenc -v's listing of the configuration, same layout, so the two can be compared line by line.
void print_config(const Settings& s) {
  const vpx_codec_enc_cfg_t& c = s.cfg;
  const std::pair<const char*, long long> fields[] = {
      {"g_usage", c.g_usage},
      {"g_threads", c.g_threads},
      {"g_profile", c.g_profile},
      {"g_w", c.g_w},
      {"g_h", c.g_h},
      {"g_bit_depth", c.g_bit_depth},
      {"g_input_bit_depth", c.g_input_bit_depth},
      {"g_timebase.num", c.g_timebase.num},
      {"g_timebase.den", c.g_timebase.den},
      {"g_error_resilient", c.g_error_resilient},
      {"g_pass", c.g_pass},
      {"g_lag_in_frames", c.g_lag_in_frames},
      {"rc_dropframe_thresh", c.rc_dropframe_thresh},
      {"rc_resize_allowed", c.rc_resize_allowed},
      {"rc_scaled_width", c.rc_scaled_width},
      {"rc_scaled_height", c.rc_scaled_height},
      {"rc_resize_up_thresh", c.rc_resize_up_thresh},
      {"rc_resize_down_thresh", c.rc_resize_down_thresh},
      {"rc_end_usage", c.rc_end_usage},
      {"rc_target_bitrate", c.rc_target_bitrate},
      {"rc_min_quantizer", c.rc_min_quantizer},
      {"rc_max_quantizer", c.rc_max_quantizer},
      {"rc_undershoot_pct", c.rc_undershoot_pct},
      {"rc_overshoot_pct", c.rc_overshoot_pct},
      {"rc_buf_sz", c.rc_buf_sz},
      {"rc_buf_initial_sz", c.rc_buf_initial_sz},
      {"rc_buf_optimal_sz", c.rc_buf_optimal_sz},
      {"rc_2pass_vbr_bias_pct", c.rc_2pass_vbr_bias_pct},
      {"rc_2pass_vbr_minsection_pct", c.rc_2pass_vbr_minsection_pct},
      {"rc_2pass_vbr_maxsection_pct", c.rc_2pass_vbr_maxsection_pct},
      {"rc_2pass_vbr_corpus_complexity", c.rc_2pass_vbr_corpus_complexity},
      {"kf_mode", c.kf_mode},
      {"kf_min_dist", c.kf_min_dist},
      {"kf_max_dist", c.kf_max_dist},
      {"use_vizier_rc_params", c.use_vizier_rc_params},
      {"active_wq_factor.num", c.active_wq_factor.num},
      {"active_wq_factor.den", c.active_wq_factor.den},
  };
  fmt::print(stderr, "Codec: {}\n", vpx_codec_iface_name(vpx_codec_vp8_cx()));
  fmt::print(stderr, "Source file: {} File Type: Y4M Format: I420\n", s.input);
  fmt::print(stderr, "Destination file: {}\n", s.output);
  fmt::print(stderr, "Encoder parameters:\n");
  // vpxenc prints every field with %d, so unsigned values above INT_MAX appear negative there too.
  for (const auto& [name, value] : fields) {
    fmt::print(stderr, "    {:<28} = {}\n", name, static_cast<int>(value));
  }
  fmt::print(stderr, "\n");
}

// Checks that the input is something vpxenc would encode without conversion.
void check_input(const xc::util::Y4mReader& y4m) {
  const xc::util::Y4mHeader& h = y4m.header();
  if (h.interlace == 't' || h.interlace == 'b' || h.interlace == 'm') {
    throw Unsupported(
        fmt::format("{}: interlaced input (I{}) is not supported; only progressive scan is",
                    y4m.path(), h.interlace));
  }
  if (h.interlace == '?') {
    warn(fmt::format("{}: interlacing unknown (I?); assuming progressive scan", y4m.path()));
  }
  // libvpx's Y4M reader resamples 420paldv chroma siting to 420jpeg; this tool does not.
  if (h.colorspace == "420paldv") {
    throw Unsupported(fmt::format(
        "{}: colour space C420paldv needs chroma resampling, which this tool does not do; "
        "convert to C420jpeg first",
        y4m.path()));
  }
  if (h.fps_num <= 0 || h.fps_den <= 0) {
    throw Unsupported(fmt::format("{}: frame rate F{}:{} is not usable; give --fps", y4m.path(),
                                  h.fps_num, h.fps_den));
  }
}

void print_pass(const Settings& s, int pass, const PassResult& r) {
  const unsigned frames = r.frames_in > s.skip ? r.frames_in - s.skip : 0;
  const double fps = double(s.framerate.num) / s.framerate.den;
  const double bits_per_frame = frames ? double(r.bytes) * 8 / frames : 0;
  fmt::print(stderr,
             "Pass {}/{} frame {:4}/{:<4} {:7}B {:7.0f}b/f {:7.0f}b/s {:7.0f} us ({:.2f} fps)\n",
             pass + 1, s.passes, frames, r.packets, r.bytes, bits_per_frame, bits_per_frame * fps,
             r.seconds * 1e6, r.seconds > 0 ? frames / r.seconds : 0.0);
}

int encode(const Settings& s, const xc::util::Y4mReader& y4m) {
  if (s.verbose) print_config(s);

  xc::util::IvfHeader header;
  header.width = static_cast<uint16_t>(s.cfg.g_w);
  header.height = static_cast<uint16_t>(s.cfg.g_h);
  header.timebase_den = static_cast<uint32_t>(s.cfg.g_timebase.den);
  header.timebase_num = static_cast<uint32_t>(s.cfg.g_timebase.num);
  // Opened before the first pass so that an unwritable destination fails before any work.
  xc::util::IvfWriter ivf(s.output, header);

  std::vector<uint8_t> stats;
  PsnrTotals psnr;
  for (int pass = 0; pass < s.passes; ++pass) {
    vpx_enc_pass mode = s.passes == 1 ? VPX_RC_ONE_PASS
                        : pass == 0   ? VPX_RC_FIRST_PASS
                                      : VPX_RC_LAST_PASS;
    PassResult r = run_pass(y4m, s, mode, stats, ivf, psnr);
    if (!s.quiet) print_pass(s, pass, r);
  }
  ivf.finish();

  if (s.psnr && psnr.frames > 0) {
    fmt::print(stderr, "Stream 0 PSNR (Overall/Avg/Y/U/V) {:.3f} {:.3f} {:.3f} {:.3f} {:.3f}\n",
               sse_to_psnr(double(psnr.samples), 255.0, double(psnr.sse)),
               psnr.sum[0] / psnr.frames, psnr.sum[1] / psnr.frames, psnr.sum[2] / psnr.frames,
               psnr.sum[3] / psnr.frames);
  }
  return 0;
}

constexpr const char* kDescription =
    "Encodes a Y4M clip (4:2:0, progressive) to VP8 in an IVF file with libvpx, taking the flags "
    "of\n"
    "libvpx's vpxenc with the same meaning and writing the same bytes as vpxenc would for them.\n"
    "Differences: the output is always IVF (--ivf is accepted, --webm refused), the codec is "
    "always\n"
    "VP8 (vpxenc defaults to VP9), -w/-h must equal the Y4M's size (no scaling), and --passes=2 "
    "runs\n"
    "both passes in one process (--pass and --fpf are refused). Values may follow a flag after "
    "'='\n"
    "or as the next argument. The output appears only when the encode succeeds.\n"
    "As in vpxenc, the timebase is the inverse of the input's frame rate unless --fps is given;\n"
    "with --fps it is 1/1000 or --timebase.";

constexpr const char* kFooter =
    "Example (the ExCamera settings):\n"
    "  vpxenc --ivf --codec=vp8 --good --cpu-used=0 --end-usage=cq --min-q=0 --max-q=63 \\\n"
    "    --cq-level=22 --buf-initial-sz=10000 --buf-optimal-sz=20000 --buf-sz=40000 \\\n"
    "    --undershoot-pct=100 --passes=2 --auto-alt-ref=1 --threads=1 --token-parts=0 \\\n"
    "    --tune=ssim --target-bitrate=4294967295 -o out.ivf in.y4m";

// Every flag's storage, and the handles needed to ask whether, and where, a flag was given.
struct CommandLine {
  CLI::App app{kDescription, "vpxenc"};
  std::string input, output, codec = "vp8", fps, timebase, pass, fpf;
  int passes = 1;
  unsigned limit = 0, skip = 0, usage = 0;
  unsigned long deadline = VPX_DL_GOOD_QUALITY;
  int width = 0, height = 0;
  int end_usage = VPX_VBR;
  bool quiet = false, verbose = false, psnr = false, no_prompt = false;
  bool ignored = false;       // storage for flags accepted only for compatibility
  vpx_codec_enc_cfg_t cfg{};  // values of the kConfigFlags flags (only those given are used)
  std::vector<int> control_values = std::vector<int>(std::size(kControlFlags));

  std::vector<CLI::Option*> config_opts, control_opts;
  CLI::Option *pass_opt, *fpf_opt, *webm_opt, *deadline_opt, *best_opt, *good_opt, *rt_opt;
  CLI::Option *width_opt, *height_opt, *timebase_opt, *fps_opt, *lag_opt, *end_usage_opt,
      *disable_kf_opt;

  CommandLine();
  bool given(const CLI::Option* o) const { return o->count() > 0; }
};

CommandLine::CommandLine() {
  // -h is --height in vpxenc, so help is --help only.
  app.set_help_flag("--help", "Show usage options and exit");
  app.set_version_flag("--version", std::string("vpxenc (xc) ") + XC_VERSION + ", libvpx " +
                                        vpx_codec_version_str());
  app.footer(kFooter);
  app.get_formatter()->column_width(34);
  // vpxenc lets a repeated flag's last value win.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

  app.add_option("input", input, "Y4M file to encode")->required();
  app.add_option("-o,--output", output, "Output filename (IVF)")->required();
  app.add_flag("-D,--debug", ignored,
               "Accepted for compatibility (IVF output is always deterministic)");
  app.add_option("--codec", codec, "Codec to use: vp8 (the only one here)");
  app.add_option("-p,--passes", passes, "Number of passes (1/2)")->check(CLI::Range(1, 2));
  pass_opt = app.add_option("--pass", pass, "Pass to execute (refused: use --passes=2)");
  fpf_opt = app.add_option("--fpf", fpf, "First pass statistics file (refused)");
  app.add_option("--limit", limit, "Stop encoding after n input frames");
  app.add_option("--skip", skip, "Skip the first n input frames");
  deadline_opt = app.add_option("-d,--deadline", deadline, "Deadline per frame (usec)");
  best_opt = app.add_flag("--best", ignored, "Use Best Quality Deadline");
  good_opt = app.add_flag("--good", ignored, "Use Good Quality Deadline (the default)");
  rt_opt = app.add_flag("--rt", ignored, "Use Realtime Quality Deadline");
  app.add_flag("-q,--quiet", quiet, "Do not print encode progress");
  app.add_flag("-v,--verbose", verbose, "Show encoder parameters");
  app.add_flag("--psnr", psnr, "Show PSNR at the end");
  app.add_flag("--ivf", ignored, "Output IVF (always the case here)");
  webm_opt = app.add_flag("--webm", ignored, "Output WebM (refused: IVF only)");
  app.add_flag("-y,--disable-warning-prompt", no_prompt,
               "Display configuration warnings, but do not ask whether to continue");
  app.add_flag("--disable-warnings", ignored,
               "Accepted for compatibility (no effect, as in vpxenc 1.12)");
  app.add_flag("--i420", ignored,
               "Input is I420 (the Y4M header decides; accepted for compatibility)");

  app.add_option("-u,--usage", usage, "Usage profile number to use")->group(kGlobalGroup);
  width_opt = app.add_option("-w,--width", width, "Frame width (must equal the Y4M's)")
                  ->group(kGlobalGroup);
  height_opt = app.add_option("-h,--height", height, "Frame height (must equal the Y4M's)")
                   ->group(kGlobalGroup);
  timebase_opt =
      app.add_option("--timebase", timebase,
                     "Output timestamp precision (fractional seconds); used only with --fps")
          ->option_text("NUM/DEN")
          ->group(kGlobalGroup);
  fps_opt = app.add_option("--fps", fps, "Stream frame rate (rate/scale), overriding the Y4M's")
                ->option_text("NUM/DEN")
                ->group(kGlobalGroup);

  for (const ConfigFlag& f : kConfigFlags) {
    config_opts.push_back(app.add_option(f.names, cfg.*f.field, f.help)->group(f.group));
    if (f.field == &vpx_codec_enc_cfg_t::g_lag_in_frames) lag_opt = config_opts.back();
  }
  end_usage_opt = app.add_option("--end-usage", end_usage, "Rate control mode: vbr, cbr, cq, q")
                      ->transform(CLI::CheckedTransformer(std::map<std::string, int>{
                          {"vbr", VPX_VBR}, {"cbr", VPX_CBR}, {"cq", VPX_CQ}, {"q", VPX_Q}}))
                      ->option_text("vbr|cbr|cq|q")
                      ->group(kRateGroup);
  disable_kf_opt =
      app.add_flag("--disable-kf", ignored, "Disable keyframe placement")->group(kKeyframeGroup);

  for (size_t i = 0; i < std::size(kControlFlags); ++i) {
    CLI::Option* o = app.add_option(kControlFlags[i].name, control_values[i], kControlFlags[i].help)
                         ->group(kVp8Group);
    if (kControlFlags[i].control_id == VP8E_SET_TUNING) {
      o->transform(CLI::CheckedTransformer(std::map<std::string, int>{{"psnr", VP8_TUNE_PSNR},
                                                                      {"ssim", VP8_TUNE_SSIM}}))
          ->option_text("psnr|ssim");
    }
    control_opts.push_back(o);
  }
}

// The flags vpxenc refuses here, or that this tool cannot honour.
void refuse_unsupported(const CommandLine& cl) {
  if (cl.given(cl.pass_opt)) {
    throw UsageError(
        fmt::format("--pass={}: running one pass of a two-pass encode is not supported; "
                    "--passes=2 runs both in one process",
                    cl.pass));
  }
  if (cl.given(cl.fpf_opt)) {
    throw UsageError(
        fmt::format("--fpf={}: first-pass statistics files are not supported; "
                    "--passes=2 keeps them in memory",
                    cl.fpf));
  }
  if (cl.codec != "vp8")
    throw UsageError(fmt::format("--codec={}: only vp8 is supported", cl.codec));
  if (cl.given(cl.webm_opt))
    throw UsageError("--webm: WebM output is not supported; this tool writes IVF");
}

// The encoder configuration as vpxenc builds it from its flags, before it looks at the input.
void configure(const CommandLine& cl, Settings& s) {
  vpx_codec_err_t err = vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &s.cfg, cl.usage);
  if (err != VPX_CODEC_OK) {
    throw UsageError(fmt::format("--usage={}: libvpx has no VP8 configuration for it: {}", cl.usage,
                                 vpx_codec_err_to_string(err)));
  }
  const int default_end_usage = s.cfg.rc_end_usage;
  // vpxenc's own default, finer than libvpx's 1/30 so that timestamps always increase.
  s.cfg.g_timebase = {1, 1000};
  for (size_t i = 0; i < std::size(kConfigFlags); ++i) {
    if (!cl.given(cl.config_opts[i])) continue;
    const auto field = kConfigFlags[i].field;
    s.cfg.*field = cl.cfg.*field;
    if (s.passes < 2 && (field == &vpx_codec_enc_cfg_t::rc_2pass_vbr_bias_pct ||
                         field == &vpx_codec_enc_cfg_t::rc_2pass_vbr_minsection_pct ||
                         field == &vpx_codec_enc_cfg_t::rc_2pass_vbr_maxsection_pct)) {
      warn(fmt::format("option {}={} ignored in one-pass mode", cl.config_opts[i]->get_name(),
                       cl.cfg.*field));
    }
  }
  if (cl.given(cl.end_usage_opt)) s.cfg.rc_end_usage = static_cast<vpx_rc_mode>(cl.end_usage);
  if (cl.given(cl.disable_kf_opt)) s.cfg.kf_mode = VPX_KF_DISABLED;
  if (cl.given(cl.timebase_opt)) {
    Rational tb = parse_rational("--timebase", cl.timebase);
    s.cfg.g_timebase = {tb.num, tb.den};
  }

  // vpxenc applies stream flags one by one, and one of its rules depends on their order: in
  // realtime mode a non-zero --lag-in-frames given after --end-usage=cbr becomes 0. The last
  // --lag-in-frames decides the value, so what matters is the rate control mode in force where it
  // appeared.
  if (cl.given(cl.lag_opt) && s.deadline == VPX_DL_REALTIME && s.cfg.g_lag_in_frames != 0) {
    int mode_then = default_end_usage;
    int lag_mode = default_end_usage;
    size_t end_usage_seen = 0;
    for (const CLI::Option* o : cl.app.parse_order()) {
      // The transformer has already turned each result into the mode's number.
      if (o == cl.end_usage_opt)
        mode_then = std::stoi(cl.end_usage_opt->results().at(end_usage_seen++));
      if (o == cl.lag_opt) lag_mode = mode_then;
    }
    if (lag_mode == VPX_CBR) {
      warn(fmt::format("non-zero --lag-in-frames={} option ignored in realtime CBR mode",
                       s.cfg.g_lag_in_frames));
      s.cfg.g_lag_in_frames = 0;
    }
  }

  // A control's position is where its flag first appeared; its value is the last one given.
  for (const CLI::Option* o : cl.app.parse_order()) {
    for (size_t i = 0; i < cl.control_opts.size(); ++i) {
      if (o != cl.control_opts[i]) continue;
      bool seen = false;
      for (const Control& c : s.controls) seen = seen || c.id == kControlFlags[i].control_id;
      if (!seen)
        s.controls.push_back(
            {kControlFlags[i].name, kControlFlags[i].control_id, cl.control_values[i]});
    }
  }
}

// The settings that come from the command line alone.
Settings resolve(const CommandLine& cl) {
  refuse_unsupported(cl);
  Settings s;
  s.input = cl.input;
  s.output = cl.output;
  s.limit = cl.limit;
  s.skip = cl.skip;
  s.psnr = cl.psnr;
  s.quiet = cl.quiet;
  s.verbose = cl.verbose;
  s.no_prompt = cl.no_prompt;
  // The deadline flags all set one value, so the last one given wins.
  for (const CLI::Option* o : cl.app.parse_order()) {
    if (o == cl.deadline_opt) s.deadline = cl.deadline;
    if (o == cl.best_opt) s.deadline = VPX_DL_BEST_QUALITY;
    if (o == cl.good_opt) s.deadline = VPX_DL_GOOD_QUALITY;
    if (o == cl.rt_opt) s.deadline = VPX_DL_REALTIME;
  }
  s.passes = cl.passes;
  if (s.deadline == VPX_DL_REALTIME && s.passes > 1) {
    warn(fmt::format("realtime mode encodes in one pass; ignoring --passes={}", cl.passes));
    s.passes = 1;
  }
  configure(cl, s);
  if (cl.given(cl.fps_opt)) s.framerate = parse_rational("--fps", cl.fps);
  confirm_config(s);
  return s;
}

// Completes the settings from the input's header.
void adopt_input(const CommandLine& cl, const xc::util::Y4mReader& y4m, Settings& s) {
  check_input(y4m);
  const xc::util::Y4mHeader& h = y4m.header();
  if (cl.given(cl.width_opt) && cl.width != h.width) {
    throw UsageError(
        fmt::format("{}: --width={} differs from the Y4M width {}; this tool does not scale",
                    s.input, cl.width, h.width));
  }
  if (cl.given(cl.height_opt) && cl.height != h.height) {
    throw UsageError(
        fmt::format("{}: --height={} differs from the Y4M height {}; this tool does not scale",
                    s.input, cl.height, h.height));
  }
  s.cfg.g_w = static_cast<unsigned>(h.width);
  s.cfg.g_h = static_cast<unsigned>(h.height);
  if (!cl.given(cl.fps_opt)) {
    s.framerate = {h.fps_num, h.fps_den};
    // vpxenc ties the timebase to the input's frame rate here, even over --timebase.
    s.cfg.g_timebase = {h.fps_den, h.fps_num};
  }
}

}  // namespace

namespace xc::tools {

int vpxenc_command(int argc, char** argv) {
  CommandLine cl;
  try {
    cl.app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cl.app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cl.app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "vpxenc: {} (see vpxenc --help)\n", e.what());
    return 2;
  }
  xc::util::refuse_empty_values(cl.app);
  Settings s = resolve(cl);
  xc::util::Y4mReader y4m(s.input);
  if (y4m.frame_count() == 0) throw xc::util::InvalidBitstream(s.input + ": the file holds no frames");
  adopt_input(cl, y4m, s);
  return encode(s, y4m);
}

}  // namespace xc::tools
