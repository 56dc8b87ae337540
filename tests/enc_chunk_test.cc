// Tests of encoder/chunk: the ExCamera re-encode and rebase of whole chunks in process. Chunks are
// encoded independently by libvpx (each from its own key frame, constant quality, like the graph's
// first stage), terminated, re-encoded onto the previous chunk's state and rebased onto the state the
// previous final chunk leaves; the joined stream must play in libvpx exactly as in our decoder.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "libvpx_compare.hh"
#include "libvpx_helpers.hh"
#include "util/ivf.hh"
#include "util/quality.hh"
#include "util_test_support.hh"
#include "vp8/bool_decoder.hh"
#include "vp8/decoder.hh"
#include "vp8/dsp/dsp.hh"
#include "vp8/encoder/chunk.hh"
#include "vp8/encoder/frame_encoder.hh"
#include "vp8/frame_header.hh"
#include "vp8/frame_writer.hh"
#include "vp8/picture.hh"
#include "vp8/terminate_chunk.hh"

namespace {

using namespace xc;
using test::Scene;

constexpr int kWidth = 96, kHeight = 64, kFrames = 6, kChunks = 3;

// One chunk as the graph's first stage makes it: libvpx from a key frame at constant quality, then
// terminated so that it ends on its last shown frame (its golden frame carried over).
std::vector<std::vector<uint8_t>> first_stage(const std::vector<util::Image>& pictures) {
  test::VpxEncodeJob job;
  job.cfg = test::vpx_default_config(kWidth, kHeight);
  job.cfg.rc_end_usage = VPX_CQ;
  job.cfg.rc_min_quantizer = 0;
  job.cfg.rc_max_quantizer = 63;
  job.cfg.rc_target_bitrate = 100000;
  job.cfg.g_lag_in_frames = 0;
  job.controls = {{VP8E_SET_CQ_LEVEL, 20}};
  std::vector<std::span<const uint8_t>> frames;
  const auto packets = test::vpx_encode(job, pictures);
  for (const auto& p : packets) frames.emplace_back(p.data);
  return vp8::terminate_chunk(frames);
}

std::string write_ivf(const test::TempDir& dir, const std::string& name,
                      const std::vector<std::vector<uint8_t>>& frames) {
  util::IvfHeader h;
  h.width = kWidth;
  h.height = kHeight;
  const std::string path = dir.file(name);
  util::IvfWriter w(path, h);
  for (size_t i = 0; i < frames.size(); ++i) w.append(i, frames[i]);
  w.finish();
  return path;
}

vp8::DecoderState decode_all(vp8::DecoderState s, const std::vector<std::vector<uint8_t>>& frames) {
  for (const auto& f : frames) s = vp8::decode_frame(s, f).state;
  return s;
}

int frame_q(std::span<const uint8_t> frame) {
  const vp8::FrameTag tag = vp8::parse_frame_tag(frame);
  vp8::BoolDecoder bd(frame.subspan(tag.size()));
  return vp8::parse_frame_header(bd, tag.key_frame).quant.y_ac_qi;
}

class Chunks : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto all = test::synthetic_sequence(Scene::kMoving, kWidth, kHeight, kFrames * kChunks, 7);
    for (int c = 0; c < kChunks; ++c) {
      pictures_.emplace_back(all.begin() + c * kFrames, all.begin() + (c + 1) * kFrames);
      stage1_.push_back(first_stage(pictures_.back()));
      ivf_.push_back(write_ivf(dir_, "chunk" + std::to_string(c) + ".ivf", stage1_.back()));
      stage1_end_.push_back(decode_all(vp8::DecoderState{}, stage1_.back()));
    }
  }

  vp8::enc::PictureSource pictures(int c) const {
    return [this, c](size_t i) { return pictures_[size_t(c)].at(i); };
  }

  // Re-encodes chunk c onto `start`; returns the frames written.
  std::vector<std::vector<uint8_t>> reencode(int c, const vp8::DecoderState& start,
                                             const vp8::enc::ChunkOptions& options,
                                             vp8::enc::ReencodeResult* result = nullptr) const {
    const util::IvfReader ivf(ivf_[size_t(c)]);
    vp8::enc::PredictionStream pred(ivf, vp8::DecoderState{});
    std::vector<std::vector<uint8_t>> out;
    auto r = vp8::enc::reencode_chunk(start, pred, pictures(c), options, [&](uint64_t, std::span<const uint8_t> b) {
      out.emplace_back(b.begin(), b.end());
    });
    if (result) *result = std::move(r);
    return out;
  }

  // The graph's two steps by hand: chunk 1 re-encoded onto chunk 0's first-stage state, chunk 2
  // re-encoded onto chunk 1's (the prediction stream, written to pred_path) and rebased onto the state
  // chunk 1's re-encode leaves (after1).
  struct ThroughTheGraph {
    std::vector<std::vector<uint8_t>> chunk1, chunk2_reencoded, chunk2;
    vp8::DecoderState after1, end;
    std::string pred_path;
  };
  ThroughTheGraph through_the_graph() const {
    ThroughTheGraph g;
    g.chunk1 = reencode(1, stage1_end_[0], {});
    g.after1 = decode_all(stage1_end_[0], g.chunk1);
    g.chunk2_reencoded = reencode(2, stage1_end_[1], {});
    g.pred_path = write_ivf(dir_, "chunk2-1.ivf", g.chunk2_reencoded);
    const util::IvfReader pred_ivf(g.pred_path);
    vp8::enc::PredictionStream pred(pred_ivf, stage1_end_[1]);
    g.end = vp8::enc::rebase_chunk(g.after1, pred, pictures(2), [&](uint64_t, std::span<const uint8_t> b) {
      g.chunk2.emplace_back(b.begin(), b.end());
    });
    return g;
  }

  test::TempDir dir_;
  std::vector<std::vector<util::Image>> pictures_;
  std::vector<std::vector<std::vector<uint8_t>>> stage1_;
  std::vector<std::string> ivf_;
  std::vector<vp8::DecoderState> stage1_end_;
};

// Without a weight, the first frame's quantizer is the least-cost trial among three between the key
// frame's and the next frame's, and the figures of that trial are those of the written frames.
TEST_F(Chunks, ReencodeChoosesTheCheapestTrialAndReportsItsFigures) {
  vp8::enc::ReencodeResult r;
  const auto frames = reencode(1, stage1_end_[0], {}, &r);
  ASSERT_EQ(frames.size(), stage1_[1].size());
  ASSERT_GE(r.trials.size(), 2u);
  const int kf_q = frame_q(stage1_[1][0]), next_q = frame_q(stage1_[1][1]);
  ASSERT_LT(kf_q, next_q) << "the first stage should code its key frame finer than the frames after it";
  const auto best = std::min_element(r.trials.begin(), r.trials.end(),
                                     [](const auto& a, const auto& b) { return a.cost < b.cost; });
  EXPECT_EQ(r.first_qindex, best->qindex);
  for (const auto& t : r.trials) {
    EXPECT_GE(t.qindex, kf_q);
    EXPECT_LE(t.qindex, next_q);
    EXPECT_DOUBLE_EQ(t.cost, double(t.sse) + vp8::enc::first_frame_lambda(next_q) * double(t.bits));
  }
  EXPECT_EQ(frame_q(frames[0]), r.first_qindex);
  EXPECT_FALSE(vp8::parse_frame_tag(frames[0]).key_frame);

  // The written frames: their bits, their squared error against the pictures and the final state.
  int64_t bits = 0, sse = 0;
  vp8::DecoderState s = stage1_end_[0];
  size_t shown = 0;
  for (const auto& f : frames) {
    bits += int64_t(f.size()) * 8;
    vp8::DecodedFrame d = vp8::decode_frame(s, f);
    if (d.shown) sse += vp8::enc::picture_sse(*d.picture, pictures_[1].at(shown++));
    s = std::move(d.state);
  }
  EXPECT_EQ(bits, best->bits);
  EXPECT_EQ(sse, best->sse);
  EXPECT_TRUE(s == r.end);

  // The same call again gives the same bytes.
  EXPECT_EQ(reencode(1, stage1_end_[0], {}), frames);
}

// With a weight, the first frame's quantizer is the original's weighting, and nothing is tried.
TEST_F(Chunks, ReencodeWithAWeightUsesIt) {
  vp8::enc::ChunkOptions o;
  o.weight = 0.25;
  vp8::enc::ReencodeResult r;
  const auto frames = reencode(1, stage1_end_[0], o, &r);
  const int kf_q = frame_q(stage1_[1][0]), next_q = frame_q(stage1_[1][1]);
  EXPECT_EQ(r.first_qindex, int(std::lround(0.25 * kf_q + 0.75 * next_q)));
  EXPECT_EQ(frame_q(frames[0]), r.first_qindex);
  EXPECT_TRUE(r.trials.empty());
}

// The graph by hand: chunk 0 as it is, chunk 1 re-encoded onto chunk 0's state, chunk 2 re-encoded
// onto chunk 1's first-stage state and rebased onto the state chunk 1's final stream leaves. The joined
// stream has one key frame and plays in libvpx as in our decoder, references included; every picture
// is close to its source; each chunk's first picture stays a reference for the next chunk's first
// frame.
TEST_F(Chunks, JoinedChunksPlayInLibvpxAsInOurDecoder) {
  const ThroughTheGraph g = through_the_graph();
  std::vector<std::vector<uint8_t>> stream = stage1_[0];
  stream.insert(stream.end(), g.chunk1.begin(), g.chunk1.end());
  stream.insert(stream.end(), g.chunk2.begin(), g.chunk2.end());
  EXPECT_TRUE(g.end == decode_all(g.after1, g.chunk2));

  test::VpxDecoder libvpx;
  vp8::DecoderState s;
  size_t shown = 0, keys = 0;
  std::vector<vp8::RasterRef> first_pictures;  // each chunk's first picture as decoded
  for (const auto& f : stream) {
    keys += vp8::parse_frame_tag(f).key_frame;
    vp8::DecodedFrame ours = vp8::decode_frame(s, f);
    const auto theirs = libvpx.decode(f);
    ASSERT_EQ(theirs.has_value(), ours.shown);
    if (ours.shown) {
      const util::Image mine = vp8::to_image(*ours.picture);
      EXPECT_EQ(test::first_difference(*theirs, mine), "") << "frame " << shown;
      const util::Image& source = pictures_[shown / kFrames][shown % kFrames];
      EXPECT_GT(util::measure_quality(source, mine).psnr, 30.0) << "frame " << shown;
      if (shown % kFrames == 0) first_pictures.push_back(ours.picture);
      ++shown;
    }
    s = std::move(ours.state);
    ASSERT_EQ(test::compare_references(s, libvpx), "") << "after frame " << shown;
  }
  EXPECT_EQ(keys, 1u);
  EXPECT_EQ(shown, size_t(kFrames * kChunks));
  // The references the joined stream ends with: the last picture, the last chunk's first picture as
  // golden and the chunk before's as alt-ref.
  ASSERT_EQ(first_pictures.size(), size_t(kChunks));
  EXPECT_TRUE(vp8::same_raster(s.refs.golden, first_pictures[2]));
  EXPECT_TRUE(vp8::same_raster(s.refs.altref, first_pictures[1]));
  EXPECT_FALSE(vp8::same_raster(s.refs.golden, s.refs.last));
  EXPECT_FALSE(vp8::same_raster(s.refs.altref, s.refs.golden));
}

// rebase_chunk reuses each frame's picture, filter-trial bands and coefficient storage for the frames
// after it, stale contents included: it writes the same bytes as coding frame by frame with
// everything freshly allocated (zero-filled): the first frame decided again, the others rebased.
TEST_F(Chunks, RebaseWithReusedBuffersWritesWhatFreshOnesWrite) {
  const ThroughTheGraph g = through_the_graph();
  const std::vector<std::vector<uint8_t>>& reused = g.chunk2;

  const util::IvfReader pred_ivf(g.pred_path);
  vp8::enc::PredictionStream again(pred_ivf, stage1_end_[1]);
  vp8::DecoderState s = g.after1;
  size_t shown = 0;
  std::vector<std::vector<uint8_t>> fresh;
  for (size_t i = 0; i < again.size(); ++i) {
    vp8::enc::PredictionStream::Frame p = again.next(i);
    const util::Image target = p.shown ? pictures_[2].at(shown++) : vp8::to_image(*p.picture);
    vp8::enc::EncodedFrame f =
        i == 0 ? vp8::enc::redecide_frame(s, p.parsed, target, vp8::enc::rebased_first_frame_modes(),
                                          vp8::dsp::best_dsp(),
                                          vp8::enc::FilterLevel::search)
               : vp8::enc::rebase_frame_fully(s, std::move(p.parsed), target, vp8::dsp::best_dsp(),
                                              vp8::enc::kDeadZoneQuantizer, nullptr, vp8::enc::FilterLevel::keep);
    fresh.push_back(vp8::write_frame(s, f.frame));
    s = std::move(f.decoded.state);
  }
  ASSERT_EQ(reused.size(), size_t(kFrames));
  EXPECT_TRUE(reused == fresh);
}

// Every coding of a chunk reads its prediction stream again from the first frame, which is parsed
// once and handed out again: each pass gives the same frames and states, the first frame is the
// stream's key frame as a decoder reads it, and no frame carries coefficients.
TEST_F(Chunks, PredictionStreamGivesTheSameFramesOnEveryPass) {
  const util::IvfReader ivf(ivf_[1]);
  vp8::enc::PredictionStream pred(ivf, vp8::DecoderState{});
  struct Seen {
    vp8::FrameTag tag;
    vp8::FrameHeader header;
    std::vector<vp8::MacroblockInfo> mbs;
    size_t coeffs = 0;
    vp8::DecoderState state;
  };
  auto pass = [&] {
    std::vector<Seen> seen;
    for (size_t i = 0; i < pred.size(); ++i) {
      vp8::enc::PredictionStream::Frame f = pred.next(i);
      seen.push_back({f.parsed.tag, f.parsed.header, f.parsed.mbs, f.parsed.coeffs.size(), f.state_after});
    }
    return seen;
  };
  const std::vector<Seen> one = pass(), two = pass();
  ASSERT_EQ(one.size(), size_t(kFrames));
  ASSERT_EQ(two.size(), one.size());
  for (size_t i = 0; i < one.size(); ++i) {
    EXPECT_TRUE(one[i].tag == two[i].tag) << "frame " << i;
    EXPECT_TRUE(one[i].header == two[i].header) << "frame " << i;
    EXPECT_TRUE(one[i].mbs == two[i].mbs) << "frame " << i;
    EXPECT_EQ(one[i].coeffs, two[i].coeffs) << "frame " << i;
    EXPECT_TRUE(one[i].state == two[i].state) << "frame " << i;
  }
  const vp8::ParsedFrame key = vp8::parse_frame(vp8::DecoderState{}, stage1_[1][0]);
  EXPECT_TRUE(one[0].tag.key_frame);
  EXPECT_TRUE(one[0].header == key.header);
  EXPECT_TRUE(one[0].mbs == key.mbs);
  EXPECT_TRUE(one[0].state == decode_all(vp8::DecoderState{}, {stage1_[1][0]}));
  for (size_t i = 0; i < one.size(); ++i) EXPECT_EQ(one[i].coeffs, 0u) << "frame " << i;
}

// Loop-filter levels: the re-encode keeps the prediction stream's level and sharpness on every
// frame after the first (whose are searched at its new quantizer), and the rebase keeps those of the
// stream it rebases on every frame after the first (which it decides again).
TEST_F(Chunks, ChunkStepsKeepTheStreamsLoopFilterLevels) {
  auto filter_of = [](std::span<const uint8_t> frame) {
    const vp8::FrameTag tag = vp8::parse_frame_tag(frame);
    vp8::BoolDecoder bd(frame.subspan(tag.size()));
    const vp8::FrameHeader h = vp8::parse_frame_header(bd, tag.key_frame);
    return std::pair<int, int>(h.loop_filter_level, h.sharpness_level);
  };
  const ThroughTheGraph g = through_the_graph();
  ASSERT_EQ(g.chunk1.size(), stage1_[1].size());
  int filtered = 0;  // later frames with a non-zero level: the check must see some
  for (size_t i = 1; i < g.chunk1.size(); ++i) {
    EXPECT_EQ(filter_of(g.chunk1[i]), filter_of(stage1_[1][i])) << "frame " << i;
    filtered += filter_of(g.chunk1[i]).first > 0;
  }
  EXPECT_GT(filtered, 0);

  ASSERT_EQ(g.chunk2.size(), g.chunk2_reencoded.size());
  for (size_t i = 1; i < g.chunk2.size(); ++i) {
    EXPECT_EQ(filter_of(g.chunk2[i]), filter_of(g.chunk2_reencoded[i])) << "frame " << i;
  }
}

// The rebase decides the first frame again against the state it lands on, whose references are
// other pictures than those the re-encode decided it against (the previous chunk's first-stage
// decode): some of its macroblocks change modes or vectors, and its rate-distortion cost (squared
// error + lambda x bits, lambda step^2 / 100 as in the choice of its quantizer) is below that of the
// same frame rebased with the re-encode's modes. Every later frame keeps its modes and vectors.
TEST_F(Chunks, RebaseDecidesTheFirstFrameAgain) {
  const ThroughTheGraph g = through_the_graph();
  const vp8::DecoderState& after1 = g.after1;
  const std::vector<std::vector<uint8_t>>& rebased = g.chunk2;
  const std::vector<std::vector<uint8_t>>& chunk2_reencoded = g.chunk2_reencoded;
  ASSERT_EQ(rebased.size(), chunk2_reencoded.size());

  // Modes as coded: the rebased frames against their own states, the re-encoded ones against theirs.
  auto modes_of = [](vp8::DecoderState s, const std::vector<std::vector<uint8_t>>& frames) {
    std::vector<std::vector<vp8::MacroblockInfo>> out;
    for (const auto& f : frames) {
      out.push_back(vp8::parse_frame(s, f).mbs);
      s = vp8::decode_frame(s, f).state;
    }
    return out;
  };
  const auto ours = modes_of(after1, rebased), theirs = modes_of(stage1_end_[1], chunk2_reencoded);
  auto prediction = [](const vp8::MacroblockInfo& m) {
    return std::tuple(m.ref_frame, m.y_mode, m.uv_mode, m.b_modes, m.b_mvs);
  };
  size_t changed = 0;
  for (size_t m = 0; m < ours[0].size(); ++m) changed += prediction(ours[0][m]) != prediction(theirs[0][m]);
  EXPECT_GT(changed, 0u);
  for (size_t i = 1; i < ours.size(); ++i) {
    for (size_t m = 0; m < ours[i].size(); ++m) {
      ASSERT_EQ(prediction(ours[i][m]), prediction(theirs[i][m])) << "frame " << i << " macroblock " << m;
    }
  }

  // The first frame against the same frame rebased with the re-encode's modes.
  const vp8::ParsedFrame first = vp8::parse_frame(stage1_end_[1], chunk2_reencoded[0]);
  const vp8::enc::EncodedFrame kept = vp8::enc::rebase_frame_fully(after1, first, pictures_[2][0]);
  const vp8::DecodedFrame decided = vp8::decode_frame(after1, rebased[0]);
  const double lambda = vp8::enc::first_frame_lambda(first.header.quant.y_ac_qi);
  auto cost = [&](const vp8::Raster& picture, size_t bytes) {
    return double(vp8::enc::picture_sse(picture, pictures_[2][0])) + lambda * 8.0 * double(bytes);
  };
  EXPECT_LT(cost(*decided.picture, rebased[0].size()),
            cost(*kept.decoded.picture, vp8::write_frame(after1, kept.frame).size()));
}

// The rebase searches SPLITMV everywhere in the first frame it decides again, not only where the
// re-encode chose it: some of its macroblocks split where the re-encoded frame did not. The later
// frames keep the stream's modes (RebaseDecidesTheFirstFrameAgain).
TEST_F(Chunks, RebaseSearchesSplitMotionInTheFirstFrame) {
  const ThroughTheGraph g = through_the_graph();
  const auto rebased = vp8::parse_frame(g.after1, g.chunk2[0]).mbs;
  const auto reencoded = vp8::parse_frame(stage1_end_[1], g.chunk2_reencoded[0]).mbs;
  ASSERT_EQ(rebased.size(), reencoded.size());
  size_t split_anew = 0;
  for (size_t m = 0; m < rebased.size(); ++m) {
    split_anew += rebased[m].y_mode == vp8::SPLITMV && reencoded[m].y_mode != vp8::SPLITMV;
  }
  EXPECT_GT(split_anew, 0u);
  EXPECT_TRUE(vp8::enc::rebased_first_frame_modes().allow_split);
  EXPECT_FALSE(vp8::enc::later_frame_modes().allow_split);
}

// A later frame decided anew takes the prediction stream's records as candidates: on a fast pan
// (22.3 pixels right, 9.6 up per picture) that a short motion search cannot follow, hints carrying the
// pan's vector are taken for most macroblocks (in their own right: NEWMV, NEARESTMV or NEARMV, as this
// frame's context codes them), and the frame costs far less than one decided with the short search
// alone. Its bytes decode, in libvpx too, to the picture the encoder reconstructed.
TEST(RedecideFrame, TakesTheStreamsRecordsAsCandidates) {
  const auto pics = test::synthetic_sequence(Scene::kPan, 160, 96, 2, 3);
  vp8::enc::FreshFrameParams key;
  key.key_frame = true;
  key.qindex = 20;
  const vp8::enc::EncodedFrame k = vp8::enc::encode_fresh_frame(vp8::DecoderState{}, pics[0], key);
  const vp8::DecoderState& s = k.decoded.state;

  vp8::enc::FreshFrameParams inter;
  inter.qindex = 40;
  inter.modes.search_range = 2;
  const vp8::enc::EncodedFrame shortsighted = vp8::enc::encode_fresh_frame(s, pics[1], inter);
  vp8::ParsedFrame pan = shortsighted.frame;
  const vp8::MotionVector v{-76, 178};  // in eighth pels: 9.5 pixels up, 22.25 right
  for (auto& mb : pan.mbs) {
    mb = vp8::MacroblockInfo{};
    mb.ref_frame = vp8::LAST_FRAME;
    mb.y_mode = vp8::NEWMV;
    mb.mv = v;
    mb.b_mvs.fill(v);
  }

  vp8::enc::ModeDecisionOptions short_search;
  short_search.search_range = 2;
  auto cost = [&](const vp8::enc::EncodedFrame& f) {
    const auto bytes = vp8::write_frame(s, f.frame);
    return double(vp8::enc::picture_sse(*f.decoded.picture, pics[1])) +
           vp8::enc::first_frame_lambda(40) * 8.0 * double(bytes.size());
  };
  const vp8::enc::EncodedFrame alone = vp8::enc::redecide_frame(s, shortsighted.frame, pics[1], short_search);
  const vp8::enc::EncodedFrame hinted = vp8::enc::redecide_frame(s, pan, pics[1], short_search);

  size_t with_pan = 0;
  for (const auto& mb : hinted.frame.mbs) with_pan += mb.ref_frame == vp8::LAST_FRAME && mb.mv == v;
  EXPECT_GT(with_pan, hinted.frame.mbs.size() / 2) << "the hints' vector should win where the short search cannot reach";
  size_t alone_pan = 0;
  for (const auto& mb : alone.frame.mbs) alone_pan += mb.ref_frame == vp8::LAST_FRAME && mb.mv == v;
  EXPECT_EQ(alone_pan, 0u);
  EXPECT_LT(cost(hinted), 0.8 * cost(alone));

  for (const vp8::enc::EncodedFrame* f : {&alone, &hinted}) {
    const auto bytes = vp8::write_frame(s, f->frame);
    const vp8::DecodedFrame d = vp8::decode_frame(s, bytes);
    EXPECT_EQ(test::first_difference(vp8::to_image(*d.picture), vp8::to_image(*f->decoded.picture)), "");
    test::VpxDecoder libvpx;
    ASSERT_TRUE(libvpx.decode(vp8::write_frame(vp8::DecoderState{}, k.frame)).has_value());
    const auto theirs = libvpx.decode(bytes);
    ASSERT_TRUE(theirs.has_value());
    EXPECT_EQ(test::first_difference(*theirs, vp8::to_image(*d.picture)), "");
  }
}

}  // namespace
