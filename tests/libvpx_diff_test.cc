// Differential test of the VP8 decoder (RFC 6386 §5, §9-§20) against libvpx: streams encoded in
// memory by libvpx from synthetic pictures, decoded frame by frame by both decoders, visible planes
// compared exactly.
//
// Each case states which bitstream features its stream must exercise (counted from our parsed
// headers and macroblock modes), and one test checks that the cases together cover every feature in
// the list, so a libvpx upgrade that silently stops producing, say, SPLITMV is noticed. The simple
// loop filter is reachable: libvpx's g_profile becomes the frame tag's version, and versions 1 and
// 3 select it. Not reachable, because the libvpx VP8 encoder always writes the same value:
// mb_no_coeff_skip = 0, color_space = 1 and clamping_type = 1; the conformance vectors cover those.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <ostream>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "libvpx_compare.hh"
#include "libvpx_helpers.hh"
#include "vp8/decoder.hh"
#include "vp8/frame_header.hh"
#include "vp8/modes.hh"
#include "vp8/picture.hh"
#include "vp8/state.hh"

namespace xc::vp8 {
namespace {

using test::Scene;
using test::VpxEncodeJob;
using test::VpxPacket;

// ---------------------------------------------------------------------------------------------
// What a stream exercised.

enum Feature : int {
  kMidStreamKeyFrame,   // a key frame after the first frame
  kHiddenFrame,         // show_frame = 0
  kMultiplePartitions,  // more than one token partition
  kSegmentation,        // segmentation_enabled
  kSegmentMapReused,    // segmentation enabled on a frame that keeps the previous map
  kNearestMv,
  kNearMv,
  kNewMv,
  kSplitMv,
  kIntraInInterFrame,
  kBPredInInterFrame,
  kGoldenReference,     // a macroblock predicted from the golden frame
  kAltRefReference,     // a macroblock predicted from the alt-ref frame
  kGoldenRefreshInter,  // an inter frame that refreshes golden (a golden boost)
  kBufferCopy,          // copy_buffer_to_golden or copy_buffer_to_alternate
  kSignBias,            // sign_bias_golden or sign_bias_alternate
  kNoEntropyRefresh,    // refresh_entropy_probs = 0
  kNoLastRefresh,       // refresh_last = 0
  kQIndex0,             // y_ac_qi = 0
  kQIndex127,           // y_ac_qi = 127
  kSharpness,           // sharpness_level > 0
  kFilterLevel0,        // loop_filter_level = 0
  kMvClamp,             // a vector that needs clamping during prediction
  kSegmentQuantizer,    // a segment with a non-zero quantizer value
  kSegmentFilterLevel,  // a segment with a non-zero loop-filter value
  kSegmentMapOnInter,   // an inter frame that updates the segment map
  kScaledFrame,         // horiz_scale or vert_scale set in a key frame
  kSimpleFilter,        // filter_type = 1
  kBilinear,            // version 1-3: bilinear prediction
  kFullPixel,           // version 3: whole-pixel chroma vectors
  kNumFeatures
};

constexpr std::array<const char*, kNumFeatures> kFeatureNames = {
    "mid-stream key frame",
    "hidden frame",
    "multiple partitions",
    "segmentation",
    "reused segment map",
    "NEARESTMV",
    "NEARMV",
    "NEWMV",
    "SPLITMV",
    "intra in inter frame",
    "B_PRED in inter frame",
    "golden reference",
    "alt-ref reference",
    "golden refresh on inter frame",
    "buffer copy",
    "sign bias",
    "no entropy refresh",
    "no last refresh",
    "q index 0",
    "q index 127",
    "sharpness > 0",
    "filter level 0",
    "clamped MV",
    "segment quantizer",
    "segment filter level",
    "segment map update on inter frame",
    "scaling bits",
    "simple loop filter",
    "bilinear prediction",
    "full-pixel chroma"};

static_assert(kFeatureNames.back() != nullptr, "every feature needs a name");

using Features = uint32_t;
constexpr Features bit(Feature f) { return Features(1) << f; }
constexpr Features kAllFeatures = (Features(1) << kNumFeatures) - 1;

std::string describe(Features f) {
  std::string out;
  for (int i = 0; i < kNumFeatures; ++i) {
    if (f & bit(Feature(i))) out += std::string(out.empty() ? "" : ", ") + kFeatureNames[i];
  }
  return out.empty() ? "none" : out;
}

struct StreamStats {
  Features seen = 0;
  int frames = 0, shown = 0, key_frames = 0, hidden = 0, segmented = 0;
  std::set<int> versions;                      // the frame tag's version of every frame
  std::set<int> partitions;                    // num_partitions of every frame
  std::set<int> y_ac_qi;                       // of every frame
  std::set<int> inter_sharpness;               // sharpness_level of inter frames
  std::array<int, kNumMbModes> inter_modes{};  // macroblock modes counted over inter frames
  std::vector<int> key_frame_indices;

  std::string summary() const {
    std::ostringstream s;
    s << frames << " frames (" << shown << " shown, " << hidden << " hidden, " << key_frames
      << " key), modes "
      << "DC/V/H/TM/B/NEAREST/NEAR/ZERO/NEW/SPLIT in inter frames:";
    for (int m : inter_modes) s << ' ' << m;
    s << "; features: " << describe(seen);
    return s.str();
  }
};

void count_frame(const DecoderState& before, std::span<const uint8_t> data, const DecodedFrame& d,
                 StreamStats& s) {
  const FrameHeader& h = d.header;
  const bool key = d.tag.key_frame;
  const int index = s.frames++;
  auto see = [&](Feature f, bool cond) {
    if (cond) s.seen |= bit(f);
  };
  s.shown += d.shown;
  s.hidden += !d.shown;
  s.segmented += h.segmentation_enabled;
  if (key) {
    ++s.key_frames;
    s.key_frame_indices.push_back(index);
  }
  s.versions.insert(d.tag.version);
  s.partitions.insert(h.num_partitions());
  s.y_ac_qi.insert(h.quant.y_ac_qi);
  if (!key) s.inter_sharpness.insert(h.sharpness_level);

  see(kMidStreamKeyFrame, key && index > 0);
  see(kHiddenFrame, !d.shown);
  see(kMultiplePartitions, h.num_partitions() > 1);
  see(kSegmentation, h.segmentation_enabled);
  see(kSegmentMapReused,
      !key && h.segmentation_enabled && !h.segmentation.update_mb_segmentation_map);
  see(kGoldenRefreshInter, !key && h.refresh_golden_frame);
  see(kBufferCopy, !key && (h.copy_buffer_to_golden != 0 || h.copy_buffer_to_alternate != 0));
  see(kSignBias, !key && (h.sign_bias_golden || h.sign_bias_alternate));
  see(kNoEntropyRefresh, !h.refresh_entropy_probs);
  see(kNoLastRefresh, !key && !h.refresh_last);
  see(kQIndex0, h.quant.y_ac_qi == 0);
  see(kQIndex127, h.quant.y_ac_qi == 127);
  see(kSharpness, h.sharpness_level > 0);
  see(kFilterLevel0, h.loop_filter_level == 0);
  if (h.segmentation_enabled && h.segmentation.update_segment_feature_data) {
    for (int i = 0; i < 4; ++i) {
      const auto& q = h.segmentation.quantizer_update[i];
      const auto& lf = h.segmentation.loop_filter_update[i];
      see(kSegmentQuantizer, q && q->magnitude != 0);
      see(kSegmentFilterLevel, lf && lf->magnitude != 0);
    }
  }
  see(kSegmentMapOnInter, !key && h.codes_segment_map());
  see(kSimpleFilter, h.filter_type);
  see(kBilinear, d.tag.version >= 1);
  see(kFullPixel, d.tag.version == 3);
  see(kScaledFrame, key && (d.tag.horiz_scale != 0 || d.tag.vert_scale != 0));

  if (key) return;
  for (const MacroblockInfo& mb : parse_frame(before, data).mbs) {
    ++s.inter_modes[mb.y_mode];
    see(kNearestMv, mb.y_mode == NEARESTMV);
    see(kNearMv, mb.y_mode == NEARMV);
    see(kNewMv, mb.y_mode == NEWMV);
    see(kSplitMv, mb.y_mode == SPLITMV);
    see(kIntraInInterFrame, mb.ref_frame == INTRA_FRAME);
    see(kBPredInInterFrame, mb.y_mode == B_PRED);
    see(kGoldenReference, mb.ref_frame == GOLDEN_FRAME);
    see(kAltRefReference, mb.ref_frame == ALTREF_FRAME);
    see(kMvClamp, mb.needs_mv_clamp);
  }
}

// Decodes the packets with both decoders and compares every shown picture and, after every frame,
// the three reference frames. Fails the test at the first difference (frame number in stream order,
// picture or reference, plane, x, y, values) and returns what was counted.
StreamStats compare_with_libvpx(const std::vector<VpxPacket>& packets) {
  StreamStats stats;
  test::VpxDecoder reference;
  DecoderState state;
  for (size_t i = 0; i < packets.size(); ++i) {
    const std::span<const uint8_t> data(packets[i].data);
    const std::optional<util::Image> expected = reference.decode(data);
    DecodedFrame ours;
    try {
      ours = decode_frame(state, data);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "frame " << i << ": our decoder threw: " << e.what();
      return stats;
    }
    count_frame(state, data, ours, stats);
    state = ours.state;
    if (ours.shown != expected.has_value()) {
      ADD_FAILURE() << "frame " << i << ": we " << (ours.shown ? "show" : "hide") << " it, libvpx "
                    << (expected ? "shows" : "hides") << " it";
      return stats;
    }
    if (packets[i].invisible == ours.shown) {
      ADD_FAILURE() << "frame " << i << ": show_frame disagrees with the encoder's invisible flag";
      return stats;
    }
    std::string diff = expected ? test::first_difference(to_image(*ours.picture), *expected) : "";
    if (!diff.empty()) diff = "shown picture: " + diff;
    if (diff.empty()) diff = test::compare_references(ours.state, reference);
    if (!diff.empty()) {
      ADD_FAILURE() << "frame " << i << " (" << (ours.tag.key_frame ? "key" : "inter") << " frame, "
                    << (ours.shown ? "shown" : "hidden") << ") differs from libvpx: " << diff
                    << " (ours vs libvpx)";
      return stats;
    }
  }
  return stats;
}

// ---------------------------------------------------------------------------------------------
// The cases.

struct Case {
  std::string name;  // [A-Za-z0-9_] only: it becomes the GoogleTest parameter name
  int width = 64, height = 48, frames = 10;
  Scene scene = Scene::kMoving;
  uint32_t seed = 1;
  std::function<void(VpxEncodeJob&)> setup{};       // changes to the default job
  Features expect = 0;                              // features the stream must exercise
  std::function<void(const StreamStats&)> check{};  // further assertions on what was decoded
};

// One-pass good quality, variable bitrate, a target that lands mid-range in q for these sizes.
VpxEncodeJob default_job(const Case& c) {
  VpxEncodeJob job;
  job.cfg = test::vpx_default_config(c.width, c.height);
  job.cfg.rc_end_usage = VPX_VBR;
  job.cfg.rc_target_bitrate = unsigned(std::max(20, c.width * c.height / 128));  // kbit/s
  job.cfg.g_lag_in_frames = 0;
  job.deadline = VPX_DL_GOOD_QUALITY;
  job.controls.push_back({VP8E_SET_CPUUSED, 0});
  return job;
}

// Real-time deadline with constant bitrate, the setting under which libvpx codes cyclic background
// refresh as segmentation.
void use_realtime_cbr(VpxEncodeJob& j, unsigned kbps, int cpu_used) {
  j.deadline = VPX_DL_REALTIME;
  j.cfg.rc_end_usage = VPX_CBR;
  j.cfg.rc_target_bitrate = kbps;
  j.controls = {{VP8E_SET_CPUUSED, cpu_used}};
}

// libvpx's map from the 0..63 quantizer scale of its API to the 0..127 q index of the bitstream
// (q_trans in vp8/encoder/onyx_if.c).
int vpx_q_index(int q) {
  constexpr std::array<int, 64> kMap = {0,  1,  2,   3,   4,   5,   7,   8,   9,   10,  12,  13, 15,
                                        17, 18, 19,  20,  21,  23,  24,  25,  26,  27,  28,  29, 30,
                                        31, 33, 35,  37,  39,  41,  43,  45,  47,  49,  51,  53, 55,
                                        57, 59, 61,  64,  67,  70,  73,  76,  79,  82,  85,  88, 91,
                                        94, 97, 100, 103, 106, 109, 112, 115, 118, 121, 124, 127};
  return kMap[q];
}

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  auto add = [&](Case c) { cases.push_back(std::move(c)); };

  // Sizes, including sizes that are not whole macroblocks and a one-pixel picture. The two larger
  // ones also pin the inter modes, so the mode coverage is checked where it is plentiful.
  constexpr Features kInterModes = bit(kNearestMv) | bit(kNearMv) | bit(kNewMv) | bit(kSplitMv) |
                                   bit(kIntraInInterFrame) | bit(kBPredInInterFrame) |
                                   bit(kGoldenReference);
  const struct {
    int w, h, frames;
    Features expect;
  } sizes[] = {{1, 1, 8, 0},      {2, 2, 8, 0},     {16, 16, 10, 0},
               {33, 17, 10, 0},   {17, 33, 10, 0},  {176, 144, 10, kInterModes},
               {175, 143, 10, 0}, {320, 240, 8, 0}, {720, 480, 3, bit(kNewMv) | bit(kSplitMv)}};
  for (const auto& s : sizes) {
    add({.name = "Size_" + std::to_string(s.w) + "x" + std::to_string(s.h),
         .width = s.w,
         .height = s.h,
         .frames = s.frames,
         .seed = uint32_t(s.w * 1000 + s.h),
         .expect = s.expect});
  }

  // Key frames in mid-stream: automatic placement with a short maximum distance, and forced ones.
  add({.name = "KeyFrames_MaxDist4",
       .frames = 14,
       .setup =
           [](VpxEncodeJob& j) {
             j.cfg.kf_mode = VPX_KF_AUTO;
             j.cfg.kf_min_dist = 0;
             j.cfg.kf_max_dist = 4;
           },
       .expect = bit(kMidStreamKeyFrame),
       .check = [](const StreamStats& s) { EXPECT_GE(s.key_frames, 3); }});
  add({.name = "KeyFrames_Forced",
       .frames = 12,
       .setup =
           [](VpxEncodeJob& j) {
             j.frame_flags = [](int i) -> vpx_enc_frame_flags_t {
               return i == 5 || i == 9 ? VPX_EFLAG_FORCE_KF : 0;
             };
           },
       .expect = bit(kMidStreamKeyFrame),
       .check =
           [](const StreamStats& s) {
             // Without look-ahead every picture is one frame, so stream order is picture order.
             EXPECT_EQ(s.key_frame_indices, (std::vector<int>{0, 5, 9}));
           }});

  // Token partitions (§9.5); 176x144 has 9 macroblock rows, so even 8 partitions all hold data.
  for (int log2 = 0; log2 <= 3; ++log2) {
    const int n = 1 << log2;
    add({.name = "Partitions_" + std::to_string(n),
         .width = 176,
         .height = 144,
         .frames = 4,
         .seed = uint32_t(40 + n),
         .setup =
             [log2](VpxEncodeJob& j) {
               j.controls.push_back({VP8E_SET_TOKEN_PARTITIONS, log2});
             },
         .expect = n > 1 ? bit(kMultiplePartitions) : 0,
         .check = [n](const StreamStats& s) { EXPECT_EQ(s.partitions, std::set<int>{n}); }});
  }

  add({.name = "ErrorResilient",
       .frames = 12,
       .seed = 7,
       .setup = [](VpxEncodeJob& j) { j.cfg.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT; },
       .expect = bit(kNoEntropyRefresh)});

  // Alt-ref frames are encoded ahead and hidden (show_frame = 0), then shown through a later frame.
  add({.name = "AltRef_TwoPass",
       .width = 96,
       .height = 64,
       .frames = 24,
       .seed = 11,
       .setup =
           [](VpxEncodeJob& j) {
             j.two_pass = true;
             j.cfg.g_lag_in_frames = 16;
             j.controls.push_back({VP8E_SET_ENABLEAUTOALTREF, 1});
           },
       .expect = bit(kHiddenFrame) | bit(kAltRefReference) | bit(kSignBias) | bit(kBufferCopy),
       .check = [](const StreamStats& s) { EXPECT_GE(s.hidden, 1); }});
  // One pass with look-ahead: libvpx 1.12 hides no frame here but still predicts from alt-ref.
  add({.name = "AltRef_OnePassLag",
       .width = 96,
       .height = 64,
       .frames = 24,
       .seed = 12,
       .setup =
           [](VpxEncodeJob& j) {
             j.cfg.g_lag_in_frames = 12;
             j.controls.push_back({VP8E_SET_ENABLEAUTOALTREF, 1});
           },
       .expect = bit(kAltRefReference)});

  // A still scene: libvpx boosts the golden frame and predicts from it.
  add({.name = "Golden_StaticScene",
       .width = 96,
       .height = 64,
       .frames = 20,
       .scene = Scene::kStatic,
       .seed = 13,
       .expect = bit(kGoldenReference) | bit(kGoldenRefreshInter)});

  // Real-time CBR: cyclic background refresh is coded with segmentation.
  const struct {
    int cpu, noise, static_threshold;
    bool error_resilient;
  } realtime[] = {{-6, 0, 0, false}, {-8, 1, 100, false}, {-12, 3, 1000, true}, {-16, 0, 0, false}};
  for (const auto& r : realtime) {
    add({.name = "Realtime_Cpu" + std::to_string(-r.cpu) + "_Noise" + std::to_string(r.noise) +
                 "_Static" + std::to_string(r.static_threshold) +
                 (r.error_resilient ? "_ErrorResilient" : ""),
         .width = 96,
         .height = 80,
         .frames = 24,
         .seed = uint32_t(20 - r.cpu),
         .setup =
             [r](VpxEncodeJob& j) {
               use_realtime_cbr(j, 150, r.cpu);
               j.cfg.g_error_resilient = r.error_resilient ? VPX_ERROR_RESILIENT_DEFAULT : 0;
               j.controls.push_back({VP8E_SET_NOISE_SENSITIVITY, r.noise});
               j.controls.push_back({VP8E_SET_STATIC_THRESHOLD, r.static_threshold});
             },
         .expect = bit(kSegmentation),
         .check = [](const StreamStats& s) { EXPECT_GE(s.segmented, 1); }});
  }

  // Fixed quantizers across the whole range (min = max), on moving content and on pure noise.
  for (int q = 0; q <= 63; q += 9) {
    add({.name = "Quantizer_" + std::to_string(q),
         .frames = 5,
         .seed = uint32_t(100 + q),
         .setup =
             [q](VpxEncodeJob& j) {
               j.cfg.rc_min_quantizer = unsigned(q);
               j.cfg.rc_max_quantizer = unsigned(q);
             },
         .expect = q == 0    ? bit(kQIndex0) | bit(kFilterLevel0)
                   : q == 63 ? bit(kQIndex127)
                             : Features(0),
         .check =
             [q](const StreamStats& s) { EXPECT_EQ(s.y_ac_qi, std::set<int>{vpx_q_index(q)}); }});
  }
  for (int q : {0, 63}) {
    add({.name = "QuantizerNoise_" + std::to_string(q),
         .width = 48,
         .height = 32,
         .frames = 3,
         .scene = Scene::kNoise,
         .seed = uint32_t(200 + q),
         .setup =
             [q](VpxEncodeJob& j) {
               j.cfg.rc_min_quantizer = unsigned(q);
               j.cfg.rc_max_quantizer = unsigned(q);
             },
         .expect = q == 0 ? bit(kQIndex0) : bit(kQIndex127)});
  }

  // Loop-filter sharpness (§9.6, §15.2); libvpx codes it on inter frames.
  for (int sharpness = 0; sharpness <= 7; ++sharpness) {
    add({.name = "Sharpness_" + std::to_string(sharpness),
         .frames = 4,
         .seed = uint32_t(300 + sharpness),
         .setup =
             [sharpness](VpxEncodeJob& j) {
               j.controls.push_back({VP8E_SET_SHARPNESS, sharpness});
             },
         .expect = sharpness > 0 ? bit(kSharpness) : 0,
         .check =
             [sharpness](const StreamStats& s) {
               EXPECT_EQ(s.inter_sharpness, std::set<int>{sharpness});
             }});
  }

  // Screen content: sharp glyphs, whole-pixel scrolling.
  for (int mode : {1, 2}) {
    add({.name = "ScreenContent_" + std::to_string(mode),
         .width = 128,
         .height = 96,
         .frames = 8,
         .scene = Scene::kScreen,
         .seed = uint32_t(400 + mode),
         .setup = [mode](VpxEncodeJob& j) {
           use_realtime_cbr(j, 300, -6);
           j.controls.push_back({VP8E_SET_SCREEN_CONTENT_MODE, mode});
         }});
  }

  // Region-of-interest maps: segmentation with per-segment quantizer and filter deltas, set once
  // and kept by the following frames, replaced on an inter frame, and re-sent by a forced key
  // frame.
  add({.name = "Segmentation_RoiMap",
       .width = 96,
       .height = 64,
       .frames = 14,
       .seed = 600,
       .setup =
           [](VpxEncodeJob& j) {
             j.before_picture = [](test::VpxEncoder& enc, int i) {
               if (i != 0 && i != 5) return;
               constexpr int kRows = 4, kCols = 6;
               std::array<unsigned char, kRows * kCols> map{};
               for (int r = 0; r < kRows; ++r) {
                 for (int c = 0; c < kCols; ++c)
                   map[r * kCols + c] = uint8_t(i == 0 ? (r + c) % 4 : c * 4 / kCols);
               }
               vpx_roi_map_t roi{};
               roi.enabled = 1;
               roi.roi_map = map.data();
               roi.rows = kRows;
               roi.cols = kCols;
               const std::array<int, 4> dq =
                   i == 0 ? std::array<int, 4>{0, -12, 15, 40} : std::array<int, 4>{5, 0, -20, 63};
               const std::array<int, 4> dlf =
                   i == 0 ? std::array<int, 4>{0, -8, 10, 30} : std::array<int, 4>{-63, 4, 0, 12};
               std::copy(dq.begin(), dq.end(), roi.delta_q);
               std::copy(dlf.begin(), dlf.end(), roi.delta_lf);
               enc.control_ptr(VP8E_SET_ROI_MAP, &roi);
             };
             j.frame_flags = [](int i) -> vpx_enc_frame_flags_t {
               return i == 10 ? VPX_EFLAG_FORCE_KF : 0;
             };
           },
       .expect = bit(kSegmentation) | bit(kSegmentMapReused) | bit(kSegmentQuantizer) |
                 bit(kSegmentFilterLevel) | bit(kSegmentMapOnInter) | bit(kMidStreamKeyFrame),
       .check = [](const StreamStats& s) { EXPECT_EQ(s.segmented, s.frames); }});

  // Per-frame reference flags, as a temporal-layer scheme sets them: frames that leave the last
  // frame alone, refresh golden only, or keep the entropy context.
  add({.name = "FrameFlags_Layers",
       .width = 80,
       .height = 48,
       .frames = 16,
       .seed = 700,
       .setup =
           [](VpxEncodeJob& j) {
             j.frame_flags = [](int i) -> vpx_enc_frame_flags_t {
               if (i % 4 == 0)
                 return VP8_EFLAG_NO_REF_GF | VP8_EFLAG_NO_REF_ARF | VP8_EFLAG_NO_UPD_GF |
                        VP8_EFLAG_NO_UPD_ARF;
               if (i % 4 == 2)
                 return VP8_EFLAG_NO_REF_ARF | VP8_EFLAG_NO_UPD_LAST | VP8_EFLAG_NO_UPD_ARF;
               return VP8_EFLAG_NO_UPD_LAST | VP8_EFLAG_NO_UPD_GF | VP8_EFLAG_NO_UPD_ARF |
                      VP8_EFLAG_NO_UPD_ENTROPY;
             };
           },
       .expect = bit(kNoLastRefresh) | bit(kNoEntropyRefresh) | bit(kGoldenRefreshInter) |
                 bit(kGoldenReference)});

  // Fast panning: long vectors, some pointing far enough outside the frame to need clamping
  // (SPLITMV takes a neighbour's vector as is). Which streams do that depends on the encoder's
  // choices, so these two sizes and seeds were picked because they do.
  add({.name = "FastPan_64x48",
       .width = 64,
       .height = 48,
       .frames = 10,
       .scene = Scene::kPan,
       .seed = 2,
       .expect = bit(kMvClamp)});
  add({.name = "FastPan_48x48",
       .width = 48,
       .height = 48,
       .frames = 10,
       .scene = Scene::kPan,
       .seed = 5,
       .expect = bit(kMvClamp)});

  // Internal down-scaling: the key frame carries the scaling bits and the smaller coded size.
  add({.name = "ScaleMode",
       .width = 100,
       .height = 60,
       .frames = 6,
       .seed = 900,
       .setup =
           [](VpxEncodeJob& j) {
             j.before_picture = [](test::VpxEncoder& enc, int i) {
               if (i != 0) return;
               vpx_scaling_mode_t mode{VP8E_FOURFIVE, VP8E_THREEFIVE};
               enc.control_ptr(VP8E_SET_SCALEMODE, &mode);
             };
           },
       .expect = bit(kScaledFrame)});

  // Profiles 1-3 (the frame tag's version, §9.1): bilinear prediction, the simple loop filter or
  // none, whole-pixel chroma vectors.
  for (int profile = 1; profile <= 3; ++profile) {
    for (const auto& [w, h] : {std::pair{64, 48}, std::pair{35, 19}}) {
      add({.name = "Profile" + std::to_string(profile) + "_" + std::to_string(w) + "x" +
                   std::to_string(h),
           .width = w,
           .height = h,
           .frames = 8,
           .seed = uint32_t(1000 + 10 * profile + w),
           .setup = [profile](VpxEncodeJob& j) { j.cfg.g_profile = unsigned(profile); },
           .expect = bit(kBilinear) | (profile != 2 ? bit(kSimpleFilter) : 0) |
                     (profile == 3 ? bit(kFullPixel) : 0),
           .check =
               [profile](const StreamStats& s) { EXPECT_EQ(s.versions, std::set<int>{profile}); }});
    }
  }

  // Longer streams, where probabilities, golden and alt-ref frames and the segment map persist for
  // many frames.
  add({.name = "Long_TwoPassAltRef_176x144",
       .width = 176,
       .height = 144,
       .frames = 48,
       .seed = 1100,
       .setup =
           [](VpxEncodeJob& j) {
             j.two_pass = true;
             j.cfg.g_lag_in_frames = 25;
             j.controls.push_back({VP8E_SET_ENABLEAUTOALTREF, 1});
             j.controls.push_back({VP8E_SET_TOKEN_PARTITIONS, 1});
           },
       .expect = bit(kHiddenFrame) | bit(kAltRefReference) | bit(kMultiplePartitions)});
  add({.name = "Long_Realtime_176x144",
       .width = 176,
       .height = 144,
       .frames = 60,
       .seed = 1200,
       .setup =
           [](VpxEncodeJob& j) {
             use_realtime_cbr(j, 250, -8);
             j.controls.push_back({VP8E_SET_TOKEN_PARTITIONS, 2});
             j.controls.push_back({VP8E_SET_NOISE_SENSITIVITY, 1});
           },
       .expect = bit(kSegmentation) | bit(kMultiplePartitions)});

  // Best quality (the slowest, most exhaustive mode search) on a small picture.
  add({.name = "BestQuality",
       .width = 48,
       .height = 48,
       .frames = 5,
       .seed = 500,
       .setup = [](VpxEncodeJob& j) { j.deadline = VPX_DL_BEST_QUALITY; }});
  return cases;
}

// GoogleTest prints a failing parameter with this instead of its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class LibvpxDiff : public ::testing::TestWithParam<Case> {};

TEST_P(LibvpxDiff, SamePicturesAndReferences) {
  const Case& c = GetParam();
  SCOPED_TRACE("case " + c.name + ", " + std::to_string(c.width) + "x" + std::to_string(c.height) +
               ", " + std::to_string(c.frames) + " pictures, seed " + std::to_string(c.seed));
  VpxEncodeJob job = default_job(c);
  if (c.setup) c.setup(job);
  const std::vector<VpxPacket> packets =
      test::vpx_encode(job, test::synthetic_sequence(c.scene, c.width, c.height, c.frames, c.seed));
  ASSERT_FALSE(packets.empty());
  ASSERT_TRUE(packets.front().key_frame);

  const StreamStats stats = compare_with_libvpx(packets);
  if (HasFailure()) return;
  RecordProperty("summary", stats.summary());
  SCOPED_TRACE(stats.summary());
  EXPECT_EQ(stats.frames, int(packets.size()));
  EXPECT_EQ(stats.shown, c.frames) << "every picture should be shown exactly once";
  EXPECT_EQ(stats.seen & c.expect, c.expect) << "missing: " << describe(c.expect & ~stats.seen);
  if (c.check) c.check(stats);
}

INSTANTIATE_TEST_SUITE_P(Streams, LibvpxDiff, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.name;
                         });

// The cases' expectations together name every feature, so each is demanded of some stream.
TEST(LibvpxDiffCoverage, EveryFeatureIsExpectedBySomeCase) {
  Features expected = 0;
  for (const Case& c : all_cases()) expected |= c.expect;
  EXPECT_EQ(expected, kAllFeatures) << "no case expects: " << describe(kAllFeatures & ~expected);
}

}  // namespace
}  // namespace xc::vp8
