// The frame writer as the inverse of parse_frame (RFC 6386 §9, §13, §19): every frame of every
// conformance vector and of libvpx-encoded streams is parsed, written and decoded again (by this
// decoder and by libvpx) to the same pictures and states; libvpx's own frames must come back byte for
// byte. Random headers round-trip through write -> parse, and malformed syntax is refused.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "libvpx_helpers.hh"
#include "writer_test_support.hh"
#include "util/ivf.hh"
#include "vp8/bool_decoder.hh"
#include "vp8/bool_encoder.hh"
#include "vp8/decoder.hh"
#include "vp8/frame_writer.hh"
#include "vp8/picture.hh"

namespace {

using namespace xc;
using namespace xc::vp8;

// The first difference between two parses of a frame, or empty. first_part_size is not compared: the
// writer recomputes it.
std::string syntax_difference(const ParsedFrame& a, const ParsedFrame& b) {
  FrameTag ta = a.tag, tb = b.tag;
  ta.first_part_size = tb.first_part_size = 0;
  if (!(ta == tb)) return "frame tag";
  if (!(a.header == b.header)) return "frame header";
  if (a.mbs.size() != b.mbs.size() || a.coeffs.size() != b.coeffs.size()) return "macroblock count";
  for (size_t i = 0; i < a.mbs.size(); ++i) {
    if (!(a.mbs[i] == b.mbs[i])) return "modes of macroblock " + std::to_string(i);
    if (a.coeffs[i].coeffs != b.coeffs[i].coeffs || a.coeffs[i].token_end != b.coeffs[i].token_end ||
        a.coeffs[i].all_eob != b.coeffs[i].all_eob) {
      return "tokens of macroblock " + std::to_string(i);
    }
  }
  return {};
}

struct RoundTripCount {
  size_t frames = 0;
  size_t identical = 0;
  std::set<std::string> features;  // syntax seen, to show what a set of streams exercised
};

void note_features(const ParsedFrame& f, std::set<std::string>& seen) {
  const FrameHeader& h = f.header;
  if (f.tag.key_frame) seen.insert("key frame");
  if (!f.tag.show_frame) seen.insert("hidden frame");
  if (h.codes_segment_map()) seen.insert("segment map");
  if (h.num_partitions() > 1) seen.insert("token partitions");
  if (!h.refresh_entropy_probs) seen.insert("probabilities kept");
  if (!f.tag.key_frame && h.refresh_golden_frame) seen.insert("golden refresh");
  if (!f.tag.key_frame && h.refresh_alternate_frame) seen.insert("alt-ref refresh");
  if (h.sign_bias_golden || h.sign_bias_alternate) seen.insert("sign bias");
  if (h.mv_prob_updates != FrameHeader::no_mv_updates()) seen.insert("mv probability update");
  if (h.coeff_prob_updates != FrameHeader::no_coeff_updates()) seen.insert("coefficient probability update");
  for (size_t i = 0; i < f.mbs.size(); ++i) {
    const MacroblockInfo& mb = f.mbs[i];
    if (mb.y_mode == SPLITMV) seen.insert("split mv");
    if (mb.y_mode == NEWMV) seen.insert("new mv");
    if (mb.ref_frame == GOLDEN_FRAME) seen.insert("golden reference");
    if (mb.ref_frame == ALTREF_FRAME) seen.insert("alt-ref reference");
    if (!f.tag.key_frame && mb.y_mode == B_PRED) seen.insert("inter-frame B_PRED");
    if (mb.mb_skip_coeff) seen.insert("skip");
    if (!mb.mb_skip_coeff) {
      for (int b = 0; b < 25; ++b) {
        const int end = f.coeffs[i].token_end[b];
        if (end > 0 && end < 16 && f.coeffs[i].coeffs[b][kZigzag[end - 1]] == 0) seen.insert("trailing zero token");
      }
    }
  }
}

// Round-trips every frame of a stream that starts with a key frame: parse -> write must parse back to
// the same syntax and decode, here and in libvpx, to the pictures and states of the original.
void round_trip_stream(const std::string& name, const std::vector<std::span<const uint8_t>>& frames,
                       RoundTripCount& count) {
  DecoderState state;
  test::VpxDecoder libvpx;
  for (size_t i = 0; i < frames.size(); ++i) {
    SCOPED_TRACE(name + " frame " + std::to_string(i));
    const DecodedFrame original = decode_frame(state, frames[i]);
    const ParsedFrame parsed = parse_frame(state, frames[i]);
    const std::vector<uint8_t> written = write_frame(state, parsed);
    note_features(parsed, count.features);
    ++count.frames;
    if (std::equal(written.begin(), written.end(), frames[i].begin(), frames[i].end())) ++count.identical;

    const ParsedFrame reparsed = parse_frame(state, written);
    ASSERT_EQ(syntax_difference(parsed, reparsed), "");
    const DecodedFrame rebuilt = reconstruct_frame(state, reparsed);
    ASSERT_EQ(picture_md5(*rebuilt.picture), picture_md5(*original.picture));
    ASSERT_EQ(rebuilt.shown, original.shown);
    ASSERT_TRUE(rebuilt.state == original.state);

    const auto shown = libvpx.decode(written);
    ASSERT_EQ(shown.has_value(), original.shown);
    if (shown) {
      ASSERT_EQ(test::first_difference(*shown, to_image(*original.picture)), "");
    }
    state = original.state;
  }
}

TEST(FrameWriter, ConformanceVectorsRoundTrip) {
  const auto vectors = test::conformance_vectors();
  if (vectors.empty()) return;
  RoundTripCount total;
  for (const auto& path : vectors) {
    const std::string name = path.filename().string();
    const util::IvfReader ivf(path.string());
    std::vector<std::span<const uint8_t>> frames;
    for (const auto& f : ivf.frames()) frames.push_back(f.data);
    RoundTripCount count;
    round_trip_stream(name, frames, count);
    if (HasFatalFailure()) return;
    if (count.identical != count.frames) {
      std::printf("  %s: %zu of %zu frames byte-identical\n", name.c_str(), count.identical, count.frames);
    }
    total.frames += count.frames;
    total.identical += count.identical;
  }
  std::printf("conformance set: %zu of %zu frames byte-identical after parse -> write (%.1f %%)\n", total.identical,
              total.frames, 100.0 * double(total.identical) / double(total.frames));
  EXPECT_EQ(vectors.size(), 61u);
  // Measured: every frame of the set comes back byte for byte (its encoder flushed like libvpx).
  EXPECT_EQ(total.identical, total.frames);
}

// libvpx encodes chosen to cover the syntax: golden and alt-ref updates with hidden frames, sign bias,
// segmentation (cyclic refresh), frames that keep their probabilities, 2 to 8 token partitions, odd
// sizes, forced key frames mid-stream.
struct LibvpxStream {
  const char* name;
  test::Scene scene;
  int width, height, frames;
  void (*configure)(test::VpxEncodeJob& job);
};

const LibvpxStream kLibvpxStreams[] = {
    {"good quality, golden boosts", test::Scene::kMoving, 176, 144, 24,
     [](test::VpxEncodeJob& job) {
       job.frame_flags = [](int picture) { return picture == 17 ? vpx_enc_frame_flags_t(VPX_EFLAG_FORCE_KF) : 0; };
     }},
    {"two-pass auto alt-ref, 2 partitions", test::Scene::kMoving, 160, 96, 30,
     [](test::VpxEncodeJob& job) {
       job.two_pass = true;
       job.cfg.g_lag_in_frames = 16;
       job.controls = {{VP8E_SET_ENABLEAUTOALTREF, 1}, {VP8E_SET_ARNR_MAXFRAMES, 5}, {VP8E_SET_TOKEN_PARTITIONS, 1}};
     }},
    {"realtime CBR error-resilient, 8 partitions, odd size", test::Scene::kScreen, 97, 61, 24,
     [](test::VpxEncodeJob& job) {
       job.cfg.rc_end_usage = VPX_CBR;
       job.cfg.rc_target_bitrate = 150;
       job.cfg.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
       job.deadline = VPX_DL_REALTIME;
       job.controls = {{VP8E_SET_CPUUSED, -6}, {VP8E_SET_TOKEN_PARTITIONS, 3}};
     }},
    {"noise at low quantizer, 4 partitions", test::Scene::kNoise, 64, 48, 8,
     [](test::VpxEncodeJob& job) {
       job.cfg.rc_end_usage = VPX_Q;
       job.cfg.rc_min_quantizer = 0;
       job.controls = {{VP8E_SET_CQ_LEVEL, 2}, {VP8E_SET_TOKEN_PARTITIONS, 2}, {VP8E_SET_SHARPNESS, 5}};
     }},
};

TEST(FrameWriter, LibvpxStreamsComeBackByteForByte) {
  RoundTripCount total;
  size_t hidden = 0;
  for (const auto& stream : kLibvpxStreams) {
    test::VpxEncodeJob job;
    job.cfg = test::vpx_default_config(stream.width, stream.height);
    stream.configure(job);
    const auto packets = test::vpx_encode(
        job, test::synthetic_sequence(stream.scene, stream.width, stream.height, stream.frames, 12345));
    std::vector<std::span<const uint8_t>> frames;
    for (const auto& p : packets) {
      frames.push_back(p.data);
      hidden += p.invisible;
    }
    RoundTripCount count;
    round_trip_stream(stream.name, frames, count);
    if (HasFatalFailure()) return;
    EXPECT_EQ(count.identical, count.frames) << stream.name;
    total.frames += count.frames;
    total.identical += count.identical;
    total.features.insert(count.features.begin(), count.features.end());
  }
  for (const char* feature : {"key frame", "hidden frame", "segment map", "token partitions", "probabilities kept",
                              "golden refresh", "alt-ref refresh", "sign bias", "mv probability update",
                              "coefficient probability update", "split mv", "new mv", "golden reference",
                              "alt-ref reference", "inter-frame B_PRED", "skip"}) {
    EXPECT_TRUE(total.features.count(feature)) << "no libvpx stream exercised: " << feature;
  }
  std::printf("libvpx streams: %zu of %zu frames byte-identical (%zu hidden frames)\n", total.identical,
              total.frames, hidden);
  EXPECT_GT(hidden, 0u);  // the alt-ref stream must exercise hidden frames
}

// ---------------------------------------------------------------------------------------------
// Random headers and tags through write -> parse.

FrameHeader random_header(std::mt19937& rng, bool key_frame) {
  auto bit = [&] { return bool(rng() & 1); };
  auto literal = [&](int bits) { return uint8_t(rng() & ((1u << bits) - 1)); };
  // Magnitude 0 with a sign ("-0") is a legal coding and must survive.
  auto signed_field = [&](int bits) -> std::optional<SignedField> {
    if (!bit()) return std::nullopt;
    return SignedField{literal(bits), bit()};
  };
  FrameHeader h;
  if (key_frame) {
    h.color_space = bit();
    h.clamping_type = bit();
  }
  h.segmentation_enabled = bit();
  if (h.segmentation_enabled) {
    auto& s = h.segmentation;
    s.update_mb_segmentation_map = bit();
    s.update_segment_feature_data = bit();
    if (s.update_segment_feature_data) {
      s.segment_feature_mode = bit();
      for (auto& q : s.quantizer_update) q = signed_field(7);
      for (auto& l : s.loop_filter_update) l = signed_field(6);
    }
    if (s.update_mb_segmentation_map) {
      for (auto& p : s.segment_prob_update) {
        if (bit()) p = literal(8);
      }
    }
  }
  h.filter_type = bit();
  h.loop_filter_level = literal(6);
  h.sharpness_level = literal(3);
  h.loop_filter_adj_enable = bit();
  if (h.loop_filter_adj_enable) {
    h.mode_ref_lf_delta_update = bit();
    if (h.mode_ref_lf_delta_update) {
      for (auto& d : h.ref_frame_delta_update) d = signed_field(6);
      for (auto& d : h.mb_mode_delta_update) d = signed_field(6);
    }
  }
  h.log2_nbr_of_dct_partitions = literal(2);
  h.quant.y_ac_qi = literal(7);
  for (auto* d : {&h.quant.y_dc_delta, &h.quant.y2_dc_delta, &h.quant.y2_ac_delta, &h.quant.uv_dc_delta,
                  &h.quant.uv_ac_delta}) {
    *d = signed_field(4);
  }
  h.refresh_entropy_probs = bit();
  if (!key_frame) {
    h.refresh_golden_frame = bit();
    h.refresh_alternate_frame = bit();
    if (!h.refresh_golden_frame) h.copy_buffer_to_golden = literal(2);
    if (!h.refresh_alternate_frame) h.copy_buffer_to_alternate = literal(2);
    h.sign_bias_golden = bit();
    h.sign_bias_alternate = bit();
    h.refresh_last = bit();
  }
  const int update_one_in = 1 + int(rng() % 8);  // from dense to sparse updates
  for (auto& a : h.coeff_prob_updates)
    for (auto& b : a)
      for (auto& c : b)
        for (auto& v : c) v = rng() % update_one_in == 0 ? int16_t(literal(8)) : int16_t(-1);
  h.mb_no_coeff_skip = bit();
  if (h.mb_no_coeff_skip) h.prob_skip_false = literal(8);
  if (!key_frame) {
    h.prob_intra = literal(8);
    h.prob_last = literal(8);
    h.prob_gf = literal(8);
    if (bit()) h.intra_16x16_prob = std::array<uint8_t, 4>{literal(8), literal(8), literal(8), literal(8)};
    if (bit()) h.intra_chroma_prob = std::array<uint8_t, 3>{literal(8), literal(8), literal(8)};
    for (auto& a : h.mv_prob_updates)
      for (auto& v : a) v = rng() % update_one_in == 0 ? int16_t(literal(7)) : int16_t(-1);
  }
  return h;
}

TEST(FrameWriter, RandomHeadersRoundTrip) {
  for (uint32_t seed = 0; seed < 3000; ++seed) {
    std::mt19937 rng(seed);
    const bool key_frame = seed % 3 == 0;
    const FrameHeader h = random_header(rng, key_frame);
    BoolEncoder enc;
    write_frame_header(enc, h, key_frame);
    enc.write_literal(0x2b, 7);  // a marker just after the header: nothing may be left unread
    const auto bytes = enc.finish();
    BoolDecoder bd(bytes);
    const FrameHeader back = parse_frame_header(bd, key_frame);
    ASSERT_TRUE(back == h) << "seed " << seed;
    ASSERT_EQ(bd.read_literal(7), 0x2bu) << "seed " << seed;
  }
}

TEST(FrameWriter, RandomTagsRoundTrip) {
  std::mt19937 rng(99);
  for (int i = 0; i < 2000; ++i) {
    FrameTag tag;
    tag.key_frame = rng() & 1;
    tag.version = uint8_t(rng() % 8);
    tag.show_frame = rng() & 1;
    tag.first_part_size = 1 + rng() % 300;
    if (tag.key_frame) {
      tag.width = uint16_t(1 + rng() % 16383);
      tag.height = uint16_t(1 + rng() % 16383);
      tag.horiz_scale = uint8_t(rng() % 4);
      tag.vert_scale = uint8_t(rng() % 4);
    }
    std::vector<uint8_t> bytes = write_frame_tag(tag);
    ASSERT_EQ(bytes.size(), tag.size());
    bytes.resize(bytes.size() + tag.first_part_size);
    ASSERT_TRUE(parse_frame_tag(bytes) == tag) << "case " << i;
  }
  FrameTag too_big;
  too_big.first_part_size = 1u << 19;
  EXPECT_THROW(write_frame_tag(too_big), std::invalid_argument);
  FrameTag too_wide;
  too_wide.first_part_size = 1;
  too_wide.width = 1u << 14;
  EXPECT_THROW(write_frame_tag(too_wide), std::invalid_argument);
}

TEST(FrameWriter, HeaderFieldsThatDoNotFitAreRefused) {
  BoolEncoder enc;
  FrameHeader h;
  h.loop_filter_level = 64;
  try {
    write_frame_header(enc, h, true);
    FAIL() << "a 7-bit loop_filter_level was written";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("loop_filter_level 64"), std::string::npos) << e.what();
  }
  FrameHeader mv;
  mv.mv_prob_updates[1][3] = 128;  // MV probabilities are coded in 7 bits
  EXPECT_THROW(write_frame_header(enc, mv, false), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// Changed syntax: the writer is a general inverse, not a copier, and refuses what cannot be coded.

// The frames of a short libvpx stream with inter frames, parsed, with the state before each.
struct ParsedStream {
  std::vector<DecoderState> states;
  std::vector<ParsedFrame> frames;
};

ParsedStream parsed_libvpx_stream() {
  test::VpxEncodeJob job;
  job.cfg = test::vpx_default_config(96, 64);
  const auto packets = test::vpx_encode(job, test::synthetic_sequence(test::Scene::kMoving, 96, 64, 6, 777));
  ParsedStream out;
  DecoderState state;
  for (const auto& p : packets) {
    out.states.push_back(state);
    out.frames.push_back(parse_frame(state, p.data));
    state = decode_frame(state, p.data).state;
  }
  return out;
}

TEST(FrameWriter, ChangedCoefficientsAndSegmentsRoundTrip) {
  const ParsedStream stream = parsed_libvpx_stream();
  std::mt19937 rng(2024);
  int changed = 0;
  for (size_t f = 0; f < stream.frames.size(); ++f) {
    ParsedFrame frame = stream.frames[f];
    for (size_t i = 0; i < frame.mbs.size(); ++i) {
      if (frame.mbs[i].mb_skip_coeff) continue;
      MacroblockCoeffs& mc = frame.coeffs[i];
      const int first_luma = frame.mbs[i].has_y2() ? 1 : 0;
      for (int b = 0; b < 25; ++b) {
        if (b == kY2Block && !frame.mbs[i].has_y2()) continue;
        const int first = b < 16 ? first_luma : 0;
        // A new token end anywhere from "EOB at once" to 16, then values for every coded position:
        // magnitudes up to the largest dct_cat6 value, zeros allowed except just before an EOB.
        const int end = first + int(rng() % (17 - first));
        mc.coeffs[b].fill(0);
        for (int n = first; n < end; ++n) {
          const int magnitude = rng() % 4 == 0 ? int(rng() % 2115) : int(rng() % 4);
          mc.coeffs[b][kZigzag[n]] = int16_t(rng() & 1 ? -magnitude : magnitude);
        }
        if (end > first && end < 16 && mc.coeffs[b][kZigzag[end - 1]] == 0) mc.coeffs[b][kZigzag[end - 1]] = 1;
        mc.token_end[b] = uint8_t(end);
        ++changed;
      }
      bool any = false;
      for (int b = 0; b < 25; ++b) any |= mc.token_end[b] > (b < 16 ? first_luma : 0);
      mc.all_eob = !any;
    }
    if (frame.header.codes_segment_map()) {
      for (auto& mb : frame.mbs) mb.segment_id = uint8_t(rng() % 4);
    }
    const auto bytes = write_frame(stream.states[f], frame);
    const ParsedFrame back = parse_frame(stream.states[f], bytes);
    ASSERT_EQ(syntax_difference(frame, back), "") << "frame " << f;
  }
  EXPECT_GT(changed, 1000);
}

TEST(FrameWriter, RefusesSyntaxThatWouldNotParseBack) {
  const ParsedStream stream = parsed_libvpx_stream();
  auto expect_refused = [&](size_t f, const ParsedFrame& frame, const std::string& words) {
    try {
      write_frame(stream.states[f], frame);
      ADD_FAILURE() << "written without complaint; expected: " << words;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  bool nearest = false, newmv = false, coded = false;
  for (size_t f = 1; f < stream.frames.size(); ++f) {
    const ParsedFrame& frame = stream.frames[f];
    for (size_t i = 0; i < frame.mbs.size(); ++i) {
      const MacroblockInfo& mb = frame.mbs[i];
      if (mb.y_mode == NEARESTMV && !nearest) {
        ParsedFrame bad = frame;
        bad.mbs[i].mv.row = int16_t(bad.mbs[i].mv.row + 2);
        expect_refused(f, bad, "NEARESTMV vector");
        nearest = true;
      }
      if (mb.y_mode == NEWMV && !newmv) {
        ParsedFrame bad = frame;
        bad.mbs[i].mv.col = int16_t(bad.mbs[i].mv.col + 1);  // coded vectors are in quarter pels (even)
        expect_refused(f, bad, "not codable");
        newmv = true;
      }
      if (!mb.mb_skip_coeff && !coded) {
        ParsedFrame bad = frame;
        bad.coeffs[i].coeffs[20][15] = 3;  // last scan position of a V block
        bad.coeffs[i].token_end[20] = 0;
        expect_refused(f, bad, "past the token end");
        coded = true;
      }
    }
  }
  EXPECT_TRUE(nearest && newmv && coded) << "the stream lacked a case";
  ParsedFrame no_key = stream.frames[1];
  EXPECT_THROW(write_frame(DecoderState{}, no_key), std::invalid_argument);
  ParsedFrame short_frame = stream.frames[0];
  short_frame.mbs.pop_back();
  EXPECT_THROW(write_frame(stream.states[0], short_frame), std::invalid_argument);
}

// The token cost the mode decision weighs is the writer's walk priced bool by bool: over the frames
// of a libvpx stream it predicts the bytes the bool encoder spends on the same tokens within 1 %,
// and leaves the contexts where the writer leaves them.
TEST(TokenCost, PredictsTheBytesTheWriterSpends) {
  test::VpxEncodeJob job;
  job.cfg = test::vpx_default_config(176, 144);
  const auto packets = test::vpx_encode(job, test::synthetic_sequence(test::Scene::kMoving, 176, 144, 4, 91));
  DecoderState state;
  for (size_t f = 0; f < packets.size(); ++f) {
    SCOPED_TRACE("frame " + std::to_string(f));
    const ParsedFrame frame = parse_frame(state, packets[f].data);
    const ProbabilityTables probs = begin_frame(state, frame.tag, frame.header).probs;
    const int cols = (frame.tag.key_frame ? frame.tag.width : state.width) / 16;
    BoolEncoder enc;
    int64_t cost = 0;
    std::vector<TokenContext> above_w(size_t(cols) + 1), above_c(size_t(cols) + 1);
    TokenContext left_w{}, left_c{};
    for (size_t i = 0; i < frame.mbs.size(); ++i) {
      const size_t c = i % size_t(cols);
      if (c == 0) left_w = left_c = TokenContext{};
      const bool has_y2 = frame.mbs[i].has_y2();
      if (frame.mbs[i].mb_skip_coeff) {
        reset_token_context(has_y2, above_w[c], left_w);
        reset_token_context(has_y2, above_c[c], left_c);
        continue;
      }
      write_macroblock_tokens(enc, probs.coeff_probs, has_y2, above_w[c], left_w, frame.coeffs[i]);
      cost += macroblock_token_cost(probs.coeff_probs, has_y2, above_c[c], left_c, frame.coeffs[i]);
      ASSERT_EQ(above_c[c], above_w[c]) << "macroblock " << i;
      ASSERT_EQ(left_c, left_w) << "macroblock " << i;
    }
    const double bytes = double(enc.finish().size());
    EXPECT_GT(bytes, 200.0);
    EXPECT_NEAR(double(cost) / 2048.0, bytes, 0.01 * bytes + 4.0);
    state = decode_frame(state, packets[f].data).state;
  }
}

}  // namespace
