// Chunk termination (RFC 6386 §9.7-9.8): on every prefix of libvpx-encoded streams with hidden alt-ref
// frames and golden boosts, and on every conformance vector, the terminated chunk shows the same
// pictures (this decoder and libvpx) and ends with the last shown picture as the last frame, golden and
// alt-ref as they were right after it, and the original's probabilities; plus the xc-terminate-chunk
// command line.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "libvpx_compare.hh"
#include "libvpx_helpers.hh"
#include "util/errors.hh"
#include "util/ivf.hh"
#include "tool_test_support.hh"
#include "util_test_support.hh"
#include "writer_test_support.hh"
#include "vp8/decoder.hh"
#include "vp8/picture.hh"
#include "vp8/terminate_chunk.hh"

namespace {

using namespace xc;
using namespace xc::vp8;

using Frames = std::vector<std::vector<uint8_t>>;

std::vector<std::span<const uint8_t>> spans(const Frames& frames, size_t count) {
  return {frames.begin(), frames.begin() + ptrdiff_t(count)};
}

// A decode of a whole stream: the state after each frame and each frame's picture and visibility.
struct Decode {
  std::vector<DecoderState> after;
  std::vector<RasterRef> pictures;
  std::vector<bool> shown;
};

Decode decode_all(const Frames& frames) {
  Decode d;
  DecoderState state;
  for (const auto& f : frames) {
    DecodedFrame out = decode_frame(state, f);
    d.pictures.push_back(out.picture);
    d.shown.push_back(out.shown);
    state = out.state;
    d.after.push_back(state);
  }
  return d;
}

// What the prefixes of a stream covered, so a test can insist on the interesting cases.
struct Coverage {
  size_t chunks = 0;
  size_t ending_hidden = 0;       // the chunk's last frame is hidden
  size_t golden_boost = 0;        // the last shown frame refreshed golden but not alt-ref
  size_t ending_key = 0;          // the last shown frame is a key frame
  size_t already_terminated = 0;  // nothing needed changing
  size_t golden_kept = 0;         // golden ends on another picture than the last frame
};

// Terminates the first `count` frames of `stream` (decoded as `original`) and checks the result with
// this decoder and libvpx.
void check_chunk(const std::string& name, const Frames& stream, const Decode& original, size_t count,
                 Coverage& coverage) {
  SCOPED_TRACE(name + ", chunk of " + std::to_string(count) + " frames");
  const Frames terminated = terminate_chunk(spans(stream, count));
  ASSERT_EQ(terminated.size(), count);

  size_t last_shown = 0;
  for (size_t i = 0; i < count; ++i) {
    if (original.shown[i]) last_shown = i;
  }
  ++coverage.chunks;
  coverage.ending_hidden += !original.shown[count - 1];
  const FrameTag tag = parse_frame_tag(stream[last_shown]);
  if (tag.key_frame) {
    ++coverage.ending_key;
  } else {
    const DecoderState before_last_shown = last_shown ? original.after[last_shown - 1] : DecoderState{};
    const FrameHeader h = parse_frame(before_last_shown, stream[last_shown]).header;
    coverage.golden_boost += h.refresh_golden_frame && !h.refresh_alternate_frame;
  }
  bool unchanged = true;
  for (size_t i = 0; i < count; ++i) {
    if (i < last_shown) {
      ASSERT_EQ(terminated[i], stream[i]) << "frame " << i << " before the last shown one changed";
    }
    unchanged &= terminated[i] == stream[i];
  }
  coverage.already_terminated += unchanged;

  // This decoder: the same shown pictures, the last shown picture as the last frame, golden and
  // alt-ref as the original left them right after it, and the original's persistent tables.
  DecoderState state;
  test::VpxDecoder libvpx;
  for (size_t i = 0; i < count; ++i) {
    const DecodedFrame out = decode_frame(state, terminated[i]);
    ASSERT_EQ(out.shown, original.shown[i]) << "frame " << i;
    if (out.shown) {
      ASSERT_TRUE(out.picture->same_pixels(*original.pictures[i])) << "frame " << i;
    }
    const auto shown = libvpx.decode(terminated[i]);
    ASSERT_EQ(shown.has_value(), out.shown) << "frame " << i;
    if (shown) {
      ASSERT_EQ(test::first_difference(*shown, to_image(*out.picture)), "") << "libvpx, frame " << i;
    }
    state = out.state;
  }
  const DecoderState& before = original.after[count - 1];
  const DecoderState& at_last_shown = original.after[last_shown];
  ASSERT_TRUE(state.refs.last->same_pixels(*original.pictures[last_shown]));
  ASSERT_TRUE(state.refs.golden->same_pixels(*at_last_shown.refs.golden));
  ASSERT_TRUE(state.refs.altref->same_pixels(*at_last_shown.refs.altref));
  coverage.golden_kept += !state.refs.golden->same_pixels(*state.refs.last);
  ASSERT_TRUE(state.probs == before.probs);
  ASSERT_TRUE(state.segmentation == before.segmentation);
  ASSERT_TRUE(state.lf_deltas == before.lf_deltas);
  ASSERT_EQ(state.width, before.width);
  ASSERT_EQ(state.height, before.height);

  // libvpx's references hold the same pictures (their whole macroblock-aligned areas).
  ASSERT_EQ(test::compare_references(state, libvpx), "");
}

Frames encode(const test::VpxEncodeJob& job, test::Scene scene, int width, int height, int pictures) {
  Frames out;
  for (auto& p : test::vpx_encode(job, test::synthetic_sequence(scene, width, height, pictures, 4242))) {
    out.push_back(std::move(p.data));
  }
  return out;
}

TEST(TerminateChunk, EveryPrefixOfLibvpxStreams) {
  // Two-pass with auto alt-ref: hidden alt-ref frames, golden boosts at the group starts, sign bias.
  test::VpxEncodeJob altref;
  altref.cfg = test::vpx_default_config(128, 96);
  altref.two_pass = true;
  altref.cfg.g_lag_in_frames = 12;
  altref.controls = {{VP8E_SET_ENABLEAUTOALTREF, 1}, {VP8E_SET_ARNR_MAXFRAMES, 5}};
  // One pass, a short golden interval: golden refreshes and copies, and a forced key frame.
  test::VpxEncodeJob golden;
  golden.cfg = test::vpx_default_config(96, 64);
  golden.cfg.kf_max_dist = 40;
  golden.frame_flags = [](int picture) {
    return picture == 20 ? vpx_enc_frame_flags_t(VPX_EFLAG_FORCE_KF) : vpx_enc_frame_flags_t(0);
  };
  // Error-resilient real time: segmentation (cyclic refresh) and frames that keep their probabilities.
  test::VpxEncodeJob resilient;
  resilient.cfg = test::vpx_default_config(80, 48);
  resilient.cfg.rc_end_usage = VPX_CBR;
  resilient.cfg.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
  resilient.deadline = VPX_DL_REALTIME;
  resilient.controls = {{VP8E_SET_CPUUSED, -6}};

  const struct {
    const char* name;
    const test::VpxEncodeJob& job;
    test::Scene scene;
    int width, height, pictures;
  } streams[] = {{"alt-ref", altref, test::Scene::kMoving, 128, 96, 40},
                 {"golden", golden, test::Scene::kMoving, 96, 64, 30},
                 {"resilient", resilient, test::Scene::kScreen, 80, 48, 16}};
  Coverage coverage;
  for (const auto& s : streams) {
    const Frames stream = encode(s.job, s.scene, s.width, s.height, s.pictures);
    const Decode original = decode_all(stream);
    for (size_t count = 1; count <= stream.size(); ++count) {
      check_chunk(s.name, stream, original, count, coverage);
      if (HasFatalFailure()) return;
    }
  }
  std::printf("%zu chunks: %zu end with a hidden frame, %zu with a golden boost, %zu with a key frame, %zu "
              "needed no change, %zu keep a golden frame apart from the last\n",
              coverage.chunks, coverage.ending_hidden, coverage.golden_boost, coverage.ending_key,
              coverage.already_terminated, coverage.golden_kept);
  EXPECT_GT(coverage.ending_hidden, 0u);
  EXPECT_GT(coverage.golden_boost, 0u);
  EXPECT_GT(coverage.ending_key, 0u);
  EXPECT_GT(coverage.golden_kept, 0u);
}

TEST(TerminateChunk, WholeConformanceVectors) {
  const auto vectors = test::conformance_vectors();
  if (vectors.empty()) return;
  Coverage coverage;
  for (const auto& path : vectors) {
    const util::IvfReader ivf(path.string());
    Frames stream;
    for (const auto& f : ivf.frames()) stream.emplace_back(f.data.begin(), f.data.end());
    check_chunk(path.filename().string(), stream, decode_all(stream), stream.size(), coverage);
    if (HasFatalFailure()) return;
  }
  EXPECT_EQ(coverage.chunks, 61u);
}

TEST(TerminateChunk, RefusesWhatItCannotTerminate) {
  test::VpxEncodeJob job;
  job.cfg = test::vpx_default_config(64, 48);
  const Frames stream = encode(job, test::Scene::kMoving, 64, 48, 3);
  auto message = [](const std::vector<std::span<const uint8_t>>& frames) -> std::string {
    try {
      terminate_chunk(frames);
    } catch (const util::InvalidBitstream& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(message({stream[1], stream[2]}),
            "frame 0 is an inter frame; a chunk to terminate must start with a key frame");
  EXPECT_EQ(message({}), "the chunk holds no frames");
  std::vector<uint8_t> truncated(stream[1].begin(), stream[1].begin() + 4);
  EXPECT_NE(message({stream[0], truncated}).find("frame 1: "), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// The command line.

class TerminateChunkTool : public ::testing::Test {
 protected:
  // Runs the tool with `args`, capturing both output streams.
  test::CommandResult run(const std::vector<std::string>& args) {
    std::string command = test::shell_quote(test::tool("xc-terminate-chunk"));
    for (const auto& a : args) {
      command += ' ';
      command += test::shell_quote(a);
    }
    return test::run_command(command, scratch_.path(), true);
  }

  // Writes `frames` as an IVF with a distinctive header and timestamps.
  void write_ivf(const std::string& path, const Frames& frames) {
    util::IvfHeader header;
    header.width = 96;
    header.height = 64;
    header.timebase_den = 24000;
    header.timebase_num = 1001;
    util::IvfWriter out(path, header);
    for (size_t i = 0; i < frames.size(); ++i) out.append(1000 + 7 * i, frames[i]);
    out.finish();
  }

  test::TempDir dir_;
  test::TempDir scratch_;  // for the captured standard error, so dir_ holds only what the tool left
};

TEST_F(TerminateChunkTool, WritesTheTerminatedChunkKeepingHeaderAndTimestamps) {
  test::VpxEncodeJob job;
  job.cfg = test::vpx_default_config(96, 64);
  job.two_pass = true;
  job.cfg.g_lag_in_frames = 8;
  job.controls = {{VP8E_SET_ENABLEAUTOALTREF, 1}};
  // The chunk ends with a hidden alt-ref frame, which termination makes refresh nothing.
  Frames stream = encode(job, test::Scene::kMoving, 96, 64, 12);
  const auto hidden = std::find_if(stream.begin() + 1, stream.end(),
                                   [](const auto& f) { return !parse_frame_tag(f).show_frame; });
  ASSERT_NE(hidden, stream.end()) << "libvpx made no hidden frame";
  stream.erase(hidden + 1, stream.end());
  const std::string in = dir_.file("in.ivf"), out = dir_.file("out.ivf");
  write_ivf(in, stream);
  const auto result = run({in, out});
  ASSERT_EQ(result.exit_code, 0) << result.errors;
  EXPECT_EQ(result.output, "");
  EXPECT_EQ(result.errors, "");

  const util::IvfReader original(in), terminated(out);
  EXPECT_TRUE(terminated.header() == original.header());
  ASSERT_EQ(terminated.frame_count(), original.frame_count());
  const Frames expected = terminate_chunk(spans(stream, stream.size()));
  for (size_t i = 0; i < stream.size(); ++i) {
    EXPECT_EQ(terminated.frame(i).pts, original.frame(i).pts);
    EXPECT_TRUE(std::equal(expected[i].begin(), expected[i].end(), terminated.frame(i).data.begin(),
                           terminated.frame(i).data.end()))
        << "frame " << i;
  }
  EXPECT_NE(expected, stream);  // the hidden frame did need rewriting
}

TEST_F(TerminateChunkTool, ErrorsAreOneLineAndLeaveNoOutput) {
  test::VpxEncodeJob job;
  job.cfg = test::vpx_default_config(64, 48);
  const Frames stream = encode(job, test::Scene::kMoving, 64, 48, 3);
  const std::string inter = dir_.file("inter.ivf"), out = dir_.file("out.ivf");
  write_ivf(inter, {stream[1], stream[2]});

  auto result = run({inter, out});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.errors, "xc-terminate-chunk: " + inter +
                            ": frame 0 is an inter frame; a chunk to terminate must start with a key frame\n");
  EXPECT_FALSE(std::filesystem::exists(out));

  const std::string missing = dir_.file("missing.ivf");
  result = run({missing, out});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.errors.rfind("xc-terminate-chunk: " + missing + ": ", 0), 0u) << result.errors;
  EXPECT_EQ(std::count(result.errors.begin(), result.errors.end(), '\n'), 1) << result.errors;
  EXPECT_FALSE(std::filesystem::exists(out));

  result = run({inter});
  EXPECT_EQ(result.exit_code, 2) << result.errors;
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_EQ(dir_.entries(), (std::vector<std::string>{"inter.ivf"}));
}

TEST_F(TerminateChunkTool, HelpAndVersion) {
  auto result = run({"--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.output.find("xc-terminate-chunk"), std::string::npos);
  result = run({"--version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.output, std::string("xc-terminate-chunk ") + XC_VERSION + "\n");
}

}  // namespace
