// End-to-end tests of xc-enc in the ExCamera graph, state carried across chunks (RFC 6386 §9.7-9.10).
//
// The built tools run as the graph runs them: vpxenc -> xc-terminate-chunk -> xc-dump -> re-encode -> rebase,
// chained by hand over chunks of a moving clip. The final chunks joined into one stream must play from a single
// key frame in libvpx exactly as in our decoder (references, probabilities, segmentation and loop-filter
// deltas carried from chunk to chunk); every chunk must carry the expected-state tag of the state it decodes
// from; -O must write the state a decoder reaches; the same command must give the same bytes; bad inputs must
// fail with one line and leave no file; hidden alt-ref frames in a prediction chunk must survive re-encoding
// and rebasing; without -W, xc-enc must do nothing until its standard input closes, then the same work.
//
// Clips are made with ffmpeg (a pan over a mandelbrot still with a test pattern moving across it).
// Without ffmpeg the tests are skipped with a message, except when CI=true, where that is a failure.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "libvpx_helpers.hh"
#include "tool_test_support.hh"
#include "util/ivf.hh"
#include "util/y4m.hh"
#include "util_test_support.hh"
#include "vp8/decoder.hh"
#include "vp8/picture.hh"
#include "vp8/state_io.hh"

namespace xc {
namespace {

namespace fs = std::filesystem;
using test::run_command;
using test::shell_quote;
using test::tool;

// The first encode as ExCamera runs it (constant quality 22, two passes, --auto-alt-ref=1).
constexpr const char* kExCameraFlags =
    "--ivf --codec=vp8 --good --cpu-used=0 --end-usage=cq --min-q=0 --max-q=63 --cq-level=22 "
    "--buf-initial-sz=10000 --buf-optimal-sz=20000 --buf-sz=40000 --undershoot-pct=100 --passes=2 "
    "--auto-alt-ref=1 --threads=1 --token-parts=0 --tune=ssim --target-bitrate=4294967295";

// ExCamera's flags give vpxenc no look-ahead, so it never places an alt-ref; eight frames of lag let it
// put one hidden frame after each key frame of a 12-frame chunk.
constexpr const char* kAltRefFlags = "--lag-in-frames=8";

// The re-encoding and rebasing flags of the ExCamera graph, read from gen_makefile.py, without its -W
// (start at once), which each command adds or leaves out: without -W, xc-enc waits for its standard
// input to close, as the original coordinator releases it.
const std::string& graph_xc_enc_flags() {
  static const std::string flags = [] {
    const auto r = run_command("python3 -c " +
                               shell_quote("import sys; sys.path.insert(0, sys.argv[1]); import gen_makefile; "
                                           "print(' '.join(f for f in gen_makefile.XC_ENC_FLAGS.split() "
                                           "if f != '-W'))") +
                               " " + shell_quote(xc::test::source_path("")));
    if (r.exit_code != 0 || r.output.empty()) throw std::runtime_error("cannot read XC_ENC_FLAGS: " + r.errors);
    return r.output.substr(0, r.output.find('\n'));
  }();
  return flags;
}

// Real motion at 176x144, 30 fps: the frame pans 3 pixels right and 1 down per picture over a detailed
// still (a mandelbrot boundary), while a 48x40 test pattern crosses it the other way.
std::string make_clip(const fs::path& path, int frames) {
  const std::string graph =
      "mandelbrot=size=480x360:rate=30:start_scale=1.2:inner=convergence,trim=end_frame=1,"
      "loop=loop=-1:size=1,setpts=N/30/TB,crop=176:144:x='30+n*3':y='40+n',format=yuv420p[bg];"
      "testsrc2=size=48x40:rate=30,format=yuv420p[fg];[bg][fg]overlay=x='10+n*3':y='90-n*2':shortest=1";
  const auto r = run_command("ffmpeg -nostdin -v error -y -f lavfi -i " + shell_quote(graph) + " -frames:v " +
                                 std::to_string(frames) + " -pix_fmt yuv420p " + shell_quote(path.string()),
                             path.parent_path().string(), true);
  if (r.exit_code != 0) return "ffmpeg failed to make " + path.string() + ": " + r.errors;
  return {};
}

// One xc-enc run of the graph: a re-encode (pred_state empty) or a rebase.
struct EncodeStep {
  std::string input_state, pred_ivf, pred_state, y4m, output, output_state;
};

std::string xc_enc_command(const EncodeStep& s, bool no_wait = true) {
  std::string c = tool("xc-enc") + (no_wait ? " -W " : " ") + graph_xc_enc_flags() + " -o " + shell_quote(s.output) + " -r -I " +
                  shell_quote(s.input_state) + " -p " + shell_quote(s.pred_ivf);
  if (!s.pred_state.empty()) c += " -S " + shell_quote(s.pred_state);
  if (!s.output_state.empty()) c += " -O " + shell_quote(s.output_state);
  return c + " " + shell_quote(s.y4m);
}

// Runs a command in `dir`; returns a description of the failure, or nothing.
std::string run_step(const std::string& command, const fs::path& dir) {
  const auto r = run_command("cd " + shell_quote(dir.string()) + " && " + command, dir.string(), true);
  if (r.exit_code == 0) return {};
  return "`" + command + "` exited with " + std::to_string(r.exit_code) + ": " + r.errors;
}

// One batch of the ExCamera graph run by hand in `dir`. Chunk x's pictures are x.y4m; its final stream
// x.ivf; chunk 0 keeps its key frame (0.ivf is its terminated vpxenc encode), chunk 1 is re-encoded onto
// 0-0.state, and every later chunk is re-encoded onto the previous chunk's vpxenc state (x-1.ivf) and
// then rebased onto the state the previous final chunk really leaves.
struct Chain {
  fs::path dir;
  int chunks = 0;
  int frames_per_chunk = 0;
  std::vector<EncodeStep> encodes;  // in the order they ran
  std::string error;                // the first failure, empty when the chain was built

  std::string path(const std::string& name) const { return (dir / name).string(); }
  std::string final_ivf(int x) const { return path(std::to_string(x) + ".ivf"); }
  std::string y4m(int x) const { return path(std::to_string(x) + ".y4m"); }
  std::string vpxenc_ivf(int x) const { return path(std::to_string(x) + "-vpxenc.ivf"); }
  // The state chunk x's final stream must be decoded from (none for chunk 0).
  std::string start_state(int x) const { return path(std::to_string(x - 1) + (x == 1 ? "-0" : "-1") + ".state"); }
};

// Splits `clip` into chunks of `frames` pictures named 0.y4m, 1.y4m, ... in `dir`.
void split_clip(const std::string& clip, const fs::path& dir, int chunks, int frames) {
  const util::Y4mReader in(clip);
  if (in.frame_count() < size_t(chunks) * frames) throw std::runtime_error(clip + ": too few frames");
  for (int x = 0; x < chunks; ++x) {
    util::Y4mWriter out((dir / (std::to_string(x) + ".y4m")).string(), in.header());
    for (int i = 0; i < frames; ++i) out.write(in.frame(size_t(x) * frames + i));
    out.finish();
  }
}

Chain run_chain(const fs::path& dir, int chunks, int frames, const std::string& vpxenc_extra) {
  Chain c;
  c.dir = dir;
  c.chunks = chunks;
  c.frames_per_chunk = frames;
  fs::create_directories(dir);
  c.error = make_clip(dir / "clip.y4m", chunks * frames);
  if (!c.error.empty()) return c;
  try {
    split_clip(c.path("clip.y4m"), dir, chunks, frames);
  } catch (const std::exception& e) {
    c.error = std::string("cutting the clip: ") + e.what();
    return c;
  }
  auto step = [&](const std::string& command) {
    if (c.error.empty()) c.error = run_step(command, dir);
    return c.error.empty();
  };
  for (int x = 0; x < chunks; ++x) {
    const std::string n = std::to_string(x);
    const std::string terminated = x == 0 ? "0.ivf" : n + "-0.ivf";
    if (!step(tool("vpxenc") + " " + kExCameraFlags + " " + vpxenc_extra + " -q -o " + n + "-vpxenc.ivf " + n +
              ".y4m") ||
        !step(tool("xc-terminate-chunk") + " " + n + "-vpxenc.ivf " + terminated) ||
        !step(tool("xc-dump") + " " + terminated + " " + n + "-0.state")) {
      return c;
    }
  }
  for (int x = 1; x < chunks; ++x) {
    const std::string n = std::to_string(x), p = std::to_string(x - 1);
    if (x == 1) {
      c.encodes.push_back({c.path("0-0.state"), c.path("1-0.ivf"), "", c.y4m(1), c.final_ivf(1), c.path("1-1.state")});
    } else {
      c.encodes.push_back({c.path(p + "-0.state"), c.path(n + "-0.ivf"), "", c.y4m(x), c.path(n + "-1.ivf"), ""});
      c.encodes.push_back({c.path(p + "-1.state"), c.path(n + "-1.ivf"), c.path(p + "-0.state"), c.y4m(x),
                           c.final_ivf(x), c.path(n + "-1.state")});
    }
  }
  for (const EncodeStep& s : c.encodes) {
    if (!step(xc_enc_command(s))) break;
  }
  return c;
}

bool is_key_frame(std::span<const uint8_t> frame) { return !frame.empty() && (frame[0] & 1) == 0; }
bool is_shown(std::span<const uint8_t> frame) { return !frame.empty() && (frame[0] & 0x10) != 0; }

size_t count_hidden(const std::string& ivf_path) {
  const util::IvfReader ivf(ivf_path);
  size_t hidden = 0;
  for (const auto& f : ivf.frames()) hidden += !is_shown(f.data);
  return hidden;
}

// Joins IVFs frame by frame into one, with the first file's header and consecutive timestamps.
void concatenate(const std::vector<std::string>& parts, const std::string& output) {
  std::vector<std::unique_ptr<util::IvfReader>> readers;
  for (const auto& p : parts) readers.push_back(std::make_unique<util::IvfReader>(p));
  util::IvfWriter out(output, readers.front()->header());
  uint64_t pts = 0;
  for (const auto& r : readers) {
    for (const auto& f : r->frames()) out.append(pts++, f.data);
  }
  out.finish();
}

struct StreamPictures {
  std::vector<util::Image> pictures;  // shown frames
  size_t frames = 0, key_frames = 0, hidden = 0;
};

// Decodes files one after the other as one stream, from a fresh decoder, with our decoder and with
// libvpx side by side; fails the test at the first frame where they differ.
StreamPictures decode_both(const std::vector<std::string>& files) {
  StreamPictures out;
  vp8::DecoderState state;
  test::VpxDecoder libvpx;
  for (const auto& path : files) {
    const util::IvfReader ivf(path);
    for (size_t i = 0; i < ivf.frame_count(); ++i) {
      const auto data = ivf.frame(i).data;
      const std::string where = path + " frame " + std::to_string(i);
      out.frames++;
      out.key_frames += is_key_frame(data);
      vp8::DecodedFrame ours;
      try {
        ours = vp8::decode_frame(state, data);
      } catch (const std::exception& e) {
        ADD_FAILURE() << where << ": our decoder: " << e.what();
        return out;
      }
      std::optional<util::Image> theirs;
      try {
        theirs = libvpx.decode(data);
      } catch (const std::exception& e) {
        ADD_FAILURE() << where << ": libvpx: " << e.what();
        return out;
      }
      state = ours.state;
      if (ours.shown != theirs.has_value()) {
        ADD_FAILURE() << where << ": shown by " << (ours.shown ? "our decoder" : "libvpx") << " only";
        return out;
      }
      if (!ours.shown) {
        out.hidden++;
        continue;
      }
      util::Image picture = vp8::to_image(*ours.picture);
      const std::string difference = test::first_difference(picture, *theirs);
      if (!difference.empty()) {
        ADD_FAILURE() << where << ": our picture differs from libvpx's: " << difference;
        return out;
      }
      out.pictures.push_back(std::move(picture));
    }
  }
  return out;
}

// Luma PSNR of a whole sequence against its source, from the total squared error.
double luma_psnr(const std::vector<util::Image>& pictures, const std::vector<util::Image>& source) {
  double sse = 0, samples = 0;
  for (size_t i = 0; i < pictures.size() && i < source.size(); ++i) {
    for (size_t k = 0; k < pictures[i].y.size(); ++k) {
      const double d = double(pictures[i].y[k]) - double(source[i].y[k]);
      sse += d * d;
    }
    samples += double(pictures[i].y.size());
  }
  return sse == 0 ? 99.0 : 10.0 * std::log10(255.0 * 255.0 * samples / sse);
}

std::vector<util::Image> read_pictures(const std::string& y4m) {
  const util::Y4mReader in(y4m);
  std::vector<util::Image> pictures;
  for (size_t i = 0; i < in.frame_count(); ++i) pictures.push_back(in.frame(i));
  return pictures;
}

// Every vpxenc chunk decoded on its own (each starts with a key frame), one after the other.
std::vector<util::Image> vpxenc_pictures(const Chain& c) {
  std::vector<std::string> files;
  for (int x = 0; x < c.chunks; ++x) files.push_back(c.vpxenc_ivf(x));
  std::vector<util::Image> all;
  for (const auto& f : files) {
    for (auto& p : decode_both({f}).pictures) all.push_back(std::move(p));
  }
  return all;
}

// The rebased chain has to look like what it was made from: its luma PSNR may trail the vpxenc chunks'
// a little (the re-encoded first frames are coded anew), but a mismatched picture or a drifting rebase
// costs many dB.
constexpr double kMaxPsnrLossDb = 2.0;

void expect_chain_plays_in_libvpx(const Chain& c, size_t expected_hidden_at_least) {
  std::vector<std::string> finals;
  for (int x = 0; x < c.chunks; ++x) finals.push_back(c.final_ivf(x));
  const std::string joined = c.path("joined.ivf");
  concatenate(finals, joined);
  const StreamPictures both = decode_both({joined});
  if (::testing::Test::HasFailure()) return;
  EXPECT_EQ(both.key_frames, 1u) << "the joined stream must start from its only key frame";
  EXPECT_EQ(both.pictures.size(), size_t(c.chunks) * c.frames_per_chunk);
  EXPECT_GE(both.hidden, expected_hidden_at_least);

  // The tool path agrees with the in-process decoder, frame by frame.
  const auto md5 = run_command(tool("xc-decode") + " --frame-md5 " + shell_quote(joined), c.dir.string(), true);
  ASSERT_EQ(md5.exit_code, 0) << md5.errors;
  std::string expected;
  vp8::DecoderState state;
  const util::IvfReader joined_ivf(joined);
  for (const auto& f : joined_ivf.frames()) {
    auto d = vp8::decode_frame(state, f.data);
    if (d.shown) expected += vp8::picture_md5(*d.picture) + "\n";
    state = d.state;
  }
  EXPECT_EQ(md5.output, expected);

  const auto source = read_pictures(c.path("clip.y4m"));
  const double ours = luma_psnr(both.pictures, source), vpxenc = luma_psnr(vpxenc_pictures(c), source);
  std::printf("luma PSNR against the source: joined final chunks %.2f dB, vpxenc chunks %.2f dB\n", ours, vpxenc);
  EXPECT_GT(ours, vpxenc - kMaxPsnrLossDb);
}

// The suite's two chains, each built on first use and kept for the rest of the process (ctest runs every
// test in its own process, so a test builds only the chains it reads): four chunks of six frames, and three
// chunks of twelve frames whose vpxenc encodes hold hidden alt-ref frames.
class XcEncChain : public ::testing::Test {
 protected:
  static void TearDownTestSuite() {
    delete moving_;
    delete altref_;
    delete dir_;
    moving_ = altref_ = nullptr;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!test::have_program("ffmpeg")) {
      if (test::on_ci()) FAIL() << "ffmpeg is missing, and CI=true requires these tests to run";
      GTEST_SKIP() << "ffmpeg is missing: the clips cannot be made";
    }
    if (dir_ == nullptr) dir_ = new test::TempDir;
  }

  static const Chain& moving() { return built(moving_, "moving", 4, 6, ""); }
  static const Chain& altref() { return built(altref_, "altref", 3, 12, kAltRefFlags); }

 private:
  static const Chain& built(Chain*& chain, const char* name, int chunks, int frames, const char* vpxenc_extra) {
    if (chain == nullptr) chain = new Chain(run_chain(fs::path(dir_->path()) / name, chunks, frames, vpxenc_extra));
    return *chain;
  }

  static test::TempDir* dir_;
  static Chain* moving_;
  static Chain* altref_;
};

test::TempDir* XcEncChain::dir_ = nullptr;
Chain* XcEncChain::moving_ = nullptr;
Chain* XcEncChain::altref_ = nullptr;

TEST_F(XcEncChain, JoinedChunksPlayInLibvpxAsInOurDecoder) {
  const Chain& c = moving();
  ASSERT_EQ(c.error, "");
  expect_chain_plays_in_libvpx(c, 0);
  // Outputs keep the prediction's frame size and time base, with increasing timestamps.
  for (int x = 1; x < c.chunks; ++x) {
    const util::IvfReader out(c.final_ivf(x)), pred(c.vpxenc_ivf(x));
    EXPECT_EQ(out.header().width, pred.header().width);
    EXPECT_EQ(out.header().height, pred.header().height);
    EXPECT_EQ(out.header().timebase_den, pred.header().timebase_den);
    EXPECT_EQ(out.header().timebase_num, pred.header().timebase_num);
    for (size_t i = 1; i < out.frame_count(); ++i) EXPECT_GT(out.frame(i).pts, out.frame(i - 1).pts) << x;
  }
}

TEST_F(XcEncChain, EachChunkDecodesOnlyFromTheStateItsTagNames) {
  const Chain& c = moving();
  ASSERT_EQ(c.error, "");
  std::vector<std::string> joined_md5;
  {
    vp8::DecoderState state;
    for (int x = 0; x < c.chunks; ++x) {
      std::string lines;
      const util::IvfReader ivf(c.final_ivf(x));
      for (const auto& f : ivf.frames()) {
        auto d = vp8::decode_frame(state, f.data);
        if (d.shown) lines += vp8::picture_md5(*d.picture) + "\n";
        state = d.state;
      }
      joined_md5.push_back(lines);
    }
  }
  for (int x = 1; x < c.chunks; ++x) {
    const std::string ivf = c.final_ivf(x), start = c.start_state(x);
    EXPECT_EQ(util::IvfReader(ivf).header().expected_state_tag, vp8::expected_state_tag(vp8::load_state(start)))
        << ivf;
    const auto good = run_command(tool("xc-decode") + " --frame-md5 -S " + shell_quote(start) + " " + shell_quote(ivf),
                                  c.dir.string(), true);
    EXPECT_EQ(good.exit_code, 0) << good.errors;
    EXPECT_EQ(good.output, joined_md5[size_t(x)]) << ivf << " from " << start;
    // Another state of the same size: the vpxenc chain's state after the previous chunk (for chunk 1,
    // which starts from that one, the state after chunk 1 itself).
    const std::string wrong = c.path(x == 1 ? "1-0.state" : std::to_string(x - 1) + "-0.state");
    const auto bad = run_command(tool("xc-decode") + " --frame-md5 -S " + shell_quote(wrong) + " " + shell_quote(ivf),
                                 c.dir.string(), true);
    EXPECT_NE(bad.exit_code, 0) << ivf << " decoded from " << wrong;
    EXPECT_NE(bad.errors.find("tag"), std::string::npos) << bad.errors;
  }
  // The intermediate re-encodes carry the tag of the vpxenc state they were made on.
  for (int x = 2; x < c.chunks; ++x) {
    const std::string ivf = c.path(std::to_string(x) + "-1.ivf");
    const std::string start = c.path(std::to_string(x - 1) + "-0.state");
    EXPECT_EQ(util::IvfReader(ivf).header().expected_state_tag, vp8::expected_state_tag(vp8::load_state(start)))
        << ivf;
  }
}

// Decodes `ivf` from `start` with xc-dump and compares the state file with `written`, byte for byte.
void expect_state_of_decoder(const Chain& c, const EncodeStep& s, const std::string& written) {
  const std::string dumped = written + ".dumped";
  const auto r = run_command(tool("xc-dump") + " -S " + shell_quote(s.input_state) + " " + shell_quote(s.output) +
                                 " " + shell_quote(dumped),
                             c.dir.string(), true);
  ASSERT_EQ(r.exit_code, 0) << r.errors;
  EXPECT_TRUE(test::read_raw(written) == test::read_raw(dumped))
      << written << " (written by xc-enc -O) differs from the state a decoder reaches by decoding " << s.output
      << " from " << s.input_state;
}

TEST_F(XcEncChain, OutputStateIsTheStateTheDecoderReaches) {
  const Chain &a = moving(), &b = altref();
  ASSERT_EQ(a.error, "");
  ASSERT_EQ(b.error, "");
  size_t checked = 0;
  for (const Chain* c : {&a, &b}) {
    for (const EncodeStep& s : c->encodes) {
      if (s.output_state.empty()) continue;
      expect_state_of_decoder(*c, s, s.output_state);
      ++checked;
    }
  }
  EXPECT_EQ(checked, size_t(a.chunks - 1 + b.chunks - 1));
}

TEST_F(XcEncChain, SameCommandTwiceGivesTheSameBytes) {
  const Chain& c = moving();
  ASSERT_EQ(c.error, "");
  const fs::path again = c.dir / "again";
  fs::create_directories(again);
  for (const EncodeStep& s : c.encodes) {
    EncodeStep repeat = s;
    repeat.output = (again / fs::path(s.output).filename()).string();
    // Re-encodes the graph runs without -O get one here: it must not change the stream.
    repeat.output_state = (again / (fs::path(s.output).stem().string() + ".state")).string();
    ASSERT_EQ(run_step(xc_enc_command(repeat), c.dir), "");
    EXPECT_TRUE(test::read_raw(s.output) == test::read_raw(repeat.output)) << repeat.output << " vs " << s.output;
    if (!s.output_state.empty()) {
      EXPECT_TRUE(test::read_raw(s.output_state) == test::read_raw(repeat.output_state))
          << repeat.output_state << " vs " << s.output_state;
    } else {
      expect_state_of_decoder(c, repeat, repeat.output_state);
    }
  }
}

// A failing run: exit status, one line "xc-enc: ..." naming `culprit`, and nothing left in the folders the
// outputs were meant for.
void expect_clean_failure(const Chain& c, const EncodeStep& s, const std::string& culprit) {
  const auto r = run_command(xc_enc_command(s), c.dir.string(), true);
  EXPECT_NE(r.exit_code, 0) << xc_enc_command(s);
  EXPECT_EQ(r.errors.rfind("xc-enc: ", 0), 0u) << r.errors;
  EXPECT_EQ(std::count(r.errors.begin(), r.errors.end(), '\n'), 1) << r.errors;
  EXPECT_NE(r.errors.find(culprit), std::string::npos) << "the message does not name " << culprit << ": " << r.errors;
  EXPECT_FALSE(fs::exists(s.output)) << s.output << " was left behind by: " << xc_enc_command(s);
  if (!s.output_state.empty()) {
    EXPECT_FALSE(fs::exists(s.output_state)) << s.output_state << " was left behind";
  }
  for (const std::string& out : {s.output, s.output_state}) {
    const fs::path folder = fs::path(out).parent_path();
    if (out.empty() || !fs::exists(folder)) continue;
    for (const auto& e : fs::directory_iterator(folder)) ADD_FAILURE() << "left behind: " << e.path();
  }
}

// Writes the first `count` pictures of `from`, or repeats its last one to reach `count`.
void write_pictures(const std::string& from, size_t count, const std::string& to) {
  const util::Y4mReader in(from);
  util::Y4mWriter out(to, in.header());
  for (size_t i = 0; i < count; ++i) out.write(in.frame(std::min(i, in.frame_count() - 1)));
  out.finish();
}

TEST_F(XcEncChain, BadInputsFailWithOneLineAndNoOutput) {
  const Chain& c = moving();
  ASSERT_EQ(c.error, "");
  const fs::path inputs = c.dir / "bad-inputs", outputs = c.dir / "bad-outputs";
  fs::create_directories(inputs);
  fs::create_directories(outputs);
  const std::string out_ivf = (outputs / "out.ivf").string(), out_state = (outputs / "out.state").string();
  // The rebase of chunk 3 and the re-encode of chunk 2 as the chain ran them, writing into `outputs`.
  EncodeStep rebase = c.encodes.back(), reencode = c.encodes[1];
  ASSERT_FALSE(rebase.pred_state.empty());
  ASSERT_TRUE(reencode.pred_state.empty());
  for (EncodeStep* s : {&rebase, &reencode}) s->output = out_ivf, s->output_state = out_state;

  // A state of another size, made by xc-enc's own primary encoding of a 64x48 clip.
  const std::string small_y4m = (inputs / "small.y4m").string(), small_state = (inputs / "small.state").string();
  {
    util::Y4mHeader h;
    h.width = 64;
    h.height = 48;
    util::Y4mWriter w(small_y4m, h);
    util::Image picture(64, 48);
    for (size_t i = 0; i < picture.y.size(); ++i) picture.y[i] = uint8_t(i * 7);
    w.write(picture);
    w.finish();
  }
  ASSERT_EQ(run_step(tool("xc-enc") + " -i y4m -y 40 -o " + shell_quote((inputs / "small.ivf").string()) + " -O " +
                         shell_quote(small_state) + " " + shell_quote(small_y4m),
                     c.dir),
            "");
  EncodeStep s = reencode;
  s.input_state = small_state;
  expect_clean_failure(c, s, small_state);
  s = rebase;
  s.input_state = small_state;
  expect_clean_failure(c, s, small_state);

  // A rebase told that its prediction came from another chunk's state: the prediction's tag disagrees.
  s = rebase;
  s.pred_state = c.path("1-0.state");
  expect_clean_failure(c, s, "tag");
  // A re-encode of a prediction that is not a key-frame chunk (a re-encoded one, without -S).
  s = reencode;
  s.pred_ivf = c.path("3-1.ivf");
  expect_clean_failure(c, s, "3-1.ivf");

  // Fewer and more pictures than the prediction shows, for a re-encode and a rebase.
  for (const size_t count : {size_t(c.frames_per_chunk - 1), size_t(c.frames_per_chunk + 1)}) {
    const std::string y4m = (inputs / ("pictures-" + std::to_string(count) + ".y4m")).string();
    write_pictures(reencode.y4m, count, y4m);
    for (const EncodeStep& base : {reencode, rebase}) {
      s = base;
      s.y4m = y4m;
      expect_clean_failure(c, s, y4m);
    }
  }

  // Outputs that cannot be written: the IVF's folder or the state's folder does not exist.
  for (const EncodeStep& base : {reencode, rebase}) {
    s = base;
    s.output_state = (outputs / "missing" / "out.state").string();
    expect_clean_failure(c, s, "missing");
    s = base;
    s.output = (outputs / "missing" / "out.ivf").string();
    expect_clean_failure(c, s, "missing");
  }
}

TEST_F(XcEncChain, HiddenAltRefFramesSurviveReencodeAndRebase) {
  const Chain& c = altref();
  ASSERT_EQ(c.error, "");
  for (int x = 0; x < c.chunks; ++x) {
    ASSERT_GE(count_hidden(c.vpxenc_ivf(x)), 1u) << c.vpxenc_ivf(x) << " has no alt-ref frame to test with";
  }
  for (int x = 1; x < c.chunks; ++x) {
    EXPECT_EQ(count_hidden(c.final_ivf(x)), count_hidden(c.vpxenc_ivf(x))) << c.final_ivf(x);
  }
  expect_chain_plays_in_libvpx(c, size_t(c.chunks));
}

// A command started through /bin/sh (which execs it) with its standard input on a pipe that this process
// holds open until close_input(), and its standard error in `errors_path`. A child still running when the
// object goes away is killed and reaped, so no test path leaves one behind.
class ChildWithOpenInput {
 public:
  ChildWithOpenInput(const std::string& command, const std::string& errors_path) : errors_path_(errors_path) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    input_ = fds[1];  // close-on-exec: the child must not hold the end whose closing releases it
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
    posix_spawn_file_actions_addopen(&actions, 2, errors_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::string script = "exec " + command;
    char sh[] = "sh", dash_c[] = "-c";
    char* argv[] = {sh, dash_c, script.data(), nullptr};
    const int error = ::posix_spawn(&pid_, "/bin/sh", &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[0]);
    if (error != 0) {
      close_input();
      throw std::runtime_error("posix_spawn failed for: " + command);
    }
  }
  ~ChildWithOpenInput() {
    close_input();
    if (running()) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  ChildWithOpenInput(const ChildWithOpenInput&) = delete;
  ChildWithOpenInput& operator=(const ChildWithOpenInput&) = delete;

  void close_input() {
    if (input_ >= 0) ::close(input_);
    input_ = -1;
  }

  // Whether the child is still running; reaps it once it has ended.
  bool running() {
    if (ended_) return false;
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == 0) return true;
    ended_ = true;
    exit_code_ = r == pid_ && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return false;
  }

  // Waits up to `limit` for the child to end and gives its exit code (-1 when killed by a signal), or
  // kills it and gives nothing when it is still running then.
  std::optional<int> wait_for(std::chrono::steady_clock::duration limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (running()) {
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        ended_ = true;
        return std::nullopt;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return exit_code_;
  }

  std::string errors() const { return test::read_text(errors_path_); }

 private:
  std::string errors_path_;
  pid_t pid_ = -1;
  int input_ = -1;
  bool ended_ = false;
  int exit_code_ = -1;
};

// The original ExCamera coordinator starts xc-enc without -W and releases it by closing its standard input.
// Held that way, xc-enc neither ends nor writes anything, for a second or for five times as long as the same
// run takes with -W, whichever is longer (an xc-enc that did not wait would have ended well within it);
// once released it ends with status 0 and writes the same bytes as with -W. With -W it starts at once: it
// ends on its own even though its standard input is never closed.
TEST_F(XcEncChain, WithoutDashWWaitsForStandardInputToClose) {
  using namespace std::chrono_literals;
  using Clock = std::chrono::steady_clock;
  constexpr auto kLimit = 60s;  // a run that has not ended by then is killed and fails the test
  const Chain& c = moving();
  ASSERT_EQ(c.error, "");
  // The graph's re-encode of chunk 1 onto 0-0.state, which also writes a state (-O).
  const EncodeStep& graph = c.encodes.front();
  ASSERT_TRUE(graph.pred_state.empty());
  ASSERT_FALSE(graph.output_state.empty());
  auto into = [&](const std::string& name) {
    const fs::path folder = c.dir / name;
    fs::remove_all(folder);
    fs::create_directories(folder);
    EncodeStep s = graph;
    s.output = (folder / "out.ivf").string();
    s.output_state = (folder / "out.state").string();
    return s;
  };

  const EncodeStep started = into("stdin-open-W");
  const auto start = Clock::now();
  std::optional<int> exit_code;
  {
    ChildWithOpenInput child(xc_enc_command(started), c.path("stdin-open-W.stderr"));
    exit_code = child.wait_for(kLimit);
    ASSERT_TRUE(exit_code.has_value()) << "xc-enc -W was still running after 60 s with its standard input open";
    ASSERT_EQ(*exit_code, 0) << child.errors();
  }
  const Clock::duration took = Clock::now() - start;
  EXPECT_TRUE(test::read_raw(started.output) == test::read_raw(graph.output)) << started.output;
  EXPECT_TRUE(test::read_raw(started.output_state) == test::read_raw(graph.output_state)) << started.output_state;

  const EncodeStep held = into("stdin-held");
  const fs::path held_folder = fs::path(held.output).parent_path();
  ChildWithOpenInput child(xc_enc_command(held, false), c.path("stdin-held.stderr"));
  const auto hold = std::max<Clock::duration>(1s, 5 * took);
  for (const auto until = Clock::now() + hold; Clock::now() < until; std::this_thread::sleep_for(10ms)) {
    ASSERT_TRUE(child.running()) << "xc-enc without -W ended while its standard input was open: " << child.errors();
    ASSERT_TRUE(fs::is_empty(held_folder)) << "xc-enc without -W wrote into " << held_folder
                                           << " while its standard input was open";
  }
  child.close_input();
  exit_code = child.wait_for(kLimit);
  ASSERT_TRUE(exit_code.has_value()) << "xc-enc without -W was still running 60 s after its standard input closed";
  ASSERT_EQ(*exit_code, 0) << child.errors();
  ASSERT_TRUE(fs::exists(held.output)) << held.output;
  ASSERT_TRUE(fs::exists(held.output_state)) << held.output_state;
  EXPECT_TRUE(test::read_raw(held.output) == test::read_raw(started.output)) << held.output << " vs " << started.output;
  EXPECT_TRUE(test::read_raw(held.output_state) == test::read_raw(started.output_state))
      << held.output_state << " vs " << started.output_state;
}

// What does not depend on the input state is read and checked before the wait, so that a coordinator
// learns of a bad prediction stream at once; a primary encoding (no -r) never waits, as in the original.
TEST_F(XcEncChain, BeforeTheWaitBadPredictionsFailAndPrimaryEncodingsDoNotWait) {
  using namespace std::chrono_literals;
  const Chain& c = moving();
  ASSERT_EQ(c.error, "");
  const fs::path folder = c.dir / "before-wait";
  fs::remove_all(folder);
  fs::create_directories(folder);

  // Chunk 2's rebase with a prediction state that is not the one its stream was made against.
  EncodeStep wrong = c.encodes[2];
  ASSERT_FALSE(wrong.pred_state.empty());
  wrong.pred_state = c.path("0-0.state");
  wrong.output = (folder / "wrong.ivf").string();
  wrong.output_state = (folder / "wrong.state").string();
  {
    ChildWithOpenInput child(xc_enc_command(wrong, false), (folder / "wrong.stderr").string());
    const std::optional<int> exit_code = child.wait_for(60s);
    ASSERT_TRUE(exit_code.has_value()) << "a rebase with a wrong -S waited for its standard input";
    EXPECT_NE(*exit_code, 0);
    EXPECT_NE(child.errors().find("0-0.state"), std::string::npos) << child.errors();
  }
  EXPECT_FALSE(fs::exists(wrong.output));

  const std::string primary = tool("xc-enc") + " -i y4m -y 40 -o " + shell_quote((folder / "primary.ivf").string()) +
                              " " + shell_quote(c.y4m(1));
  ChildWithOpenInput child(primary, (folder / "primary.stderr").string());
  const std::optional<int> exit_code = child.wait_for(60s);
  ASSERT_TRUE(exit_code.has_value()) << "a primary encoding waited for its standard input";
  EXPECT_EQ(*exit_code, 0) << child.errors();
  EXPECT_TRUE(fs::exists(folder / "primary.ivf"));
}

}  // namespace
}  // namespace xc
