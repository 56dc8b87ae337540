// Tests of the pipeline's last tools. xc-concat: chunks of one libvpx stream (a key-frame chunk and
// tagged inter-only continuations) join into the original stream, which libvpx decodes to our
// decoder's pictures; missing, misordered, repeated and untagged chunks are refused; WebM output
// plays in ffmpeg with the right frame count and duration. xc-quality: identical inputs give SSIM 1
// and the PSNR cap, a known distortion gives the PSNR computed here by hand and libyuv's SSIM, IVF
// input is decoded and matched frame by frame, the JSON parses, and mismatches are errors.
#include <gtest/gtest.h>
#include <libyuv/compare.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "libvpx_helpers.hh"
#include "tool_test_support.hh"
#include "util/ivf.hh"
#include "util/y4m.hh"
#include "util_test_support.hh"
#include "vp8/decoder.hh"
#include "vp8/picture.hh"
#include "vp8/state.hh"
#include "webm_test_support.hh"

namespace {

namespace fs = std::filesystem;
using xc::test::run_command;
using xc::test::shell_quote;
using xc::util::Image;

constexpr int kWidth = 64, kHeight = 48, kFrames = 18;
constexpr uint32_t kSeed = 20240611;  // synthetic content
// The packets where chunks 1 and 2 start.
constexpr size_t kSplit1 = 6, kSplit2 = 12;

// Files every test reads, made once: the source clip, one libvpx stream of it and its three chunks.
class PipelineTools : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new xc::test::TempDir;
    source_ = xc::test::synthetic_sequence(xc::test::Scene::kMoving, kWidth, kHeight, kFrames, kSeed);
    xc::util::Y4mHeader y4m;
    y4m.width = kWidth;
    y4m.height = kHeight;
    xc::util::Y4mWriter writer(file("source.y4m"), y4m);
    for (const Image& picture : source_) writer.write(picture);
    writer.finish();

    // Two passes with look-ahead and alt-ref frames, as ExCamera's vpxenc runs, so that hidden frames
    // (which share a timestamp with the next frame) cross the chunks.
    xc::test::VpxEncodeJob job;
    job.cfg = xc::test::vpx_default_config(kWidth, kHeight);
    job.cfg.rc_end_usage = VPX_CQ;
    job.cfg.g_lag_in_frames = 16;
    job.two_pass = true;
    job.controls = {{VP8E_SET_ENABLEAUTOALTREF, 1}, {VP8E_SET_CQ_LEVEL, 22}};
    packets_ = xc::test::vpx_encode(job, source_);

    xc::util::IvfHeader header;
    header.width = kWidth;
    header.height = kHeight;
    header.timebase_den = 30;
    header.timebase_num = 1;
    write_packets(file("whole.ivf"), header, 0, packets_.size(), false);
    // Each chunk's timestamps start at 0, as the pipeline's chunks do.
    xc::vp8::DecoderState state;
    const size_t bounds[] = {0, kSplit1, kSplit2, packets_.size()};
    const char* names[] = {"c0.ivf", "c1.ivf", "c2.ivf"};
    for (int c = 0; c < 3; ++c) {
      header.expected_state_tag = c == 0 ? 0 : xc::vp8::expected_state_tag(state);
      write_packets(file(names[c]), header, bounds[c], bounds[c + 1], true);
      for (size_t i = bounds[c]; i < bounds[c + 1]; ++i) state = xc::vp8::decode_frame(state, packets_[i].data).state;
    }
    header.expected_state_tag = 0;
    write_packets(file("c1-untagged.ivf"), header, kSplit1, kSplit2, true);
  }

  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static void write_packets(const std::string& path, const xc::util::IvfHeader& header, size_t begin, size_t end,
                            bool rebase) {
    xc::util::IvfWriter out(path, header);
    for (size_t i = begin; i < end; ++i) {
      out.append(uint64_t(packets_[i].pts - (rebase ? packets_[begin].pts : 0)), packets_[i].data);
    }
    out.finish();
  }

  static std::string file(const std::string& name) { return dir_->file(name); }

  static std::string concat(const std::string& arguments) {
    return shell_quote(xc::test::tool("xc-concat")) + " " + arguments;
  }

  static std::string quality(const std::string& arguments) {
    return shell_quote(xc::test::tool("xc-quality")) + " " + arguments;
  }

  // Runs a command with its standard error captured.
  static xc::test::CommandResult run(const std::string& command) { return run_command(command, dir_->path(), true); }

  void SetUp() override {
    for (const char* name : {"xc-concat", "xc-quality"}) {
      ASSERT_TRUE(fs::exists(xc::test::tool(name))) << xc::test::tool(name) << " is missing: build the tools target";
    }
  }

  static xc::test::TempDir* dir_;
  static std::vector<Image> source_;
  static std::vector<xc::test::VpxPacket> packets_;
};

xc::test::TempDir* PipelineTools::dir_ = nullptr;
std::vector<Image> PipelineTools::source_;
std::vector<xc::test::VpxPacket> PipelineTools::packets_;

std::string chunks(const std::vector<std::string>& names, const std::string& dir) {
  std::string out;
  for (const std::string& name : names) {
    out += ' ';
    out += shell_quote(dir + "/" + name);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// xc-concat

TEST_F(PipelineTools, ConcatenationIsTheOriginalStream) {
  size_t hidden = 0;
  for (const auto& p : packets_) hidden += p.invisible;
  std::printf("libvpx stream: %zu frames, %zu hidden\n", packets_.size(), hidden);
  ASSERT_GT(packets_.size(), kSplit2);

  const std::string out = file("joined.ivf");
  const auto r = run(concat(shell_quote(out) + chunks({"c0.ivf", "c1.ivf", "c2.ivf"}, dir_->path())));
  ASSERT_EQ(r.exit_code, 0) << r.errors;
  const xc::util::IvfReader joined(out);
  EXPECT_EQ(joined.header().expected_state_tag, 0u);
  EXPECT_EQ(joined.header().frame_count, packets_.size());
  EXPECT_EQ(joined.header().width, kWidth);
  EXPECT_EQ(joined.header().height, kHeight);
  EXPECT_EQ(joined.header().timebase_den, 30u);
  EXPECT_EQ(joined.header().timebase_num, 1u);
  ASSERT_EQ(joined.frame_count(), packets_.size());
  for (size_t i = 0; i < packets_.size(); ++i) {
    const auto& f = joined.frame(i);
    EXPECT_TRUE(std::equal(f.data.begin(), f.data.end(), packets_[i].data.begin(), packets_[i].data.end()))
        << "frame " << i;
    // Each chunk starts at 0; the joined timestamps continue where the previous chunk ended, which
    // gives back the original ones.
    EXPECT_EQ(f.pts, uint64_t(packets_[i].pts)) << "frame " << i;
  }

  // libvpx and our decoder, both from a fresh state, agree on every picture, and our decoder shows
  // the same pictures as when it decodes the chunks one after another.
  xc::test::VpxDecoder libvpx;
  xc::vp8::DecoderState joined_state, chunk_state;
  std::vector<Image> in_sequence;
  for (const char* name : {"c0.ivf", "c1.ivf", "c2.ivf"}) {
    const xc::util::IvfReader chunk(file(name));
    for (const auto& frame : chunk.frames()) {
      auto d = xc::vp8::decode_frame(chunk_state, frame.data);
      chunk_state = d.state;
      if (d.shown) in_sequence.push_back(xc::vp8::to_image(*d.picture));
    }
  }
  size_t shown = 0;
  for (size_t i = 0; i < joined.frame_count(); ++i) {
    auto d = xc::vp8::decode_frame(joined_state, joined.frame(i).data);
    joined_state = d.state;
    const std::optional<Image> theirs = libvpx.decode(joined.frame(i).data);
    ASSERT_EQ(theirs.has_value(), d.shown) << "frame " << i;
    if (!d.shown) continue;
    const Image ours = xc::vp8::to_image(*d.picture);
    EXPECT_EQ(xc::test::first_difference(ours, *theirs), "") << "libvpx, frame " << i;
    ASSERT_LT(shown, in_sequence.size());
    EXPECT_EQ(xc::test::first_difference(ours, in_sequence[shown]), "") << "chunks in sequence, frame " << i;
    ++shown;
  }
  EXPECT_EQ(shown, size_t(kFrames));
  EXPECT_EQ(shown, in_sequence.size());
  EXPECT_EQ(joined_state, chunk_state);
}

TEST_F(PipelineTools, ConcatRefusesChunksThatDoNotFollow) {
  const std::string out = file("refused.ivf");
  struct Case {
    std::vector<std::string> chunks;
    std::string culprit;  // the chunk the message must name
    std::string words;    // and what it must say
  };
  const Case cases[] = {
      {{"c0.ivf", "c2.ivf", "c1.ivf"}, "c2.ivf", "is a chunk missing or out of order?"},   // misordered
      {{"c0.ivf", "c2.ivf"}, "c2.ivf", "is a chunk missing or out of order?"},             // missing
      {{"c0.ivf", "c1.ivf", "c1.ivf"}, "c1.ivf", "is a chunk missing or out of order?"},   // repeated
      {{"c1.ivf", "c2.ivf"}, "c1.ivf", "must start with a key frame"},                     // no start
      {{"c0.ivf", "c1-untagged.ivf"}, "c1-untagged.ivf", "carries no expected-state tag"},  // unverifiable
  };
  for (const Case& c : cases) {
    const std::string args = chunks(c.chunks, dir_->path());
    const auto r = run(concat(shell_quote(out) + args));
    EXPECT_EQ(r.exit_code, 1) << args;
    EXPECT_NE(r.errors.find(file(c.culprit) + ": "), std::string::npos) << args << "\n" << r.errors;
    EXPECT_NE(r.errors.find(c.words), std::string::npos) << args << "\n" << r.errors;
    EXPECT_FALSE(fs::exists(out)) << args;
  }
  // A chunk that starts with a key frame (the next batch) follows anything.
  const auto r = run(concat(shell_quote(out) + chunks({"c0.ivf", "c1.ivf", "c0.ivf"}, dir_->path())));
  EXPECT_EQ(r.exit_code, 0) << r.errors;
  const xc::util::IvfReader joined(out);
  EXPECT_EQ(joined.frame_count(), kSplit2 + kSplit1);
  EXPECT_EQ(joined.frame(kSplit2).pts, joined.frame(kSplit2 - 1).pts + 1);
  fs::remove(out);
}

TEST_F(PipelineTools, ConcatCommandLine) {
  // The format is an option, never the output's name.
  const std::string named_webm = file("named.webm");
  ASSERT_EQ(run(concat(shell_quote(named_webm) + chunks({"c0.ivf"}, dir_->path()))).exit_code, 0);
  EXPECT_EQ(xc::test::read_text(named_webm).substr(0, 4), "DKIF");
  fs::remove(named_webm);
  EXPECT_EQ(run(concat("--format=mkv " + shell_quote(file("x.mkv")) + chunks({"c0.ivf"}, dir_->path()))).exit_code,
            2);
  EXPECT_EQ(run(concat(shell_quote(file("x.ivf")))).exit_code, 2);  // no chunk
  const auto same = run(concat(shell_quote(file("c0.ivf")) + chunks({"c0.ivf"}, dir_->path())));
  EXPECT_EQ(same.exit_code, 2) << "the output must not overwrite a chunk";
  const auto missing = run(concat(shell_quote(file("x.ivf")) + chunks({"c0.ivf", "nonexistent.ivf"}, dir_->path())));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.errors.find(file("nonexistent.ivf") + ": "), std::string::npos) << missing.errors;
  EXPECT_FALSE(fs::exists(file("x.ivf")));
}

// ffprobe's view of a file: "key=value" lines.
std::map<std::string, std::string> probe(const std::string& path, const std::string& scratch) {
  const auto r = run_command("ffprobe -v error -count_frames -count_packets -show_entries "
                             "stream=codec_name,width,height,nb_read_frames,nb_read_packets,color_space,color_range,"
                             "chroma_location,field_order:format=format_name,"
                             "duration -of default=noprint_wrappers=1 " +
                                 shell_quote(path),
                             scratch, true);
  std::map<std::string, std::string> out;
  EXPECT_EQ(r.exit_code, 0) << r.errors;
  EXPECT_EQ(r.errors, "") << "ffprobe complains about " << path;
  std::istringstream in(r.output);
  for (std::string line; std::getline(in, line);) {
    const size_t eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

// ffmpeg's per-frame MD5s of the decoded pictures (lines of -f framemd5 without the timing fields).
std::vector<std::string> ffmpeg_frame_md5s(const std::string& path, const std::string& scratch) {
  const auto r = run_command("ffmpeg -nostdin -v error -i " + shell_quote(path) + " -f framemd5 -", scratch, true);
  EXPECT_EQ(r.exit_code, 0) << r.errors;
  std::vector<std::string> md5s;
  std::istringstream in(r.output);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    md5s.push_back(line.substr(line.rfind(',') + 1));
  }
  return md5s;
}

TEST_F(PipelineTools, ConcatWritesWebmThatFfmpegPlays) {
  const std::string webm = file("joined.webm"), again = file("again.webm"), ivf = file("joined-for-webm.ivf");
  const std::string inputs = chunks({"c0.ivf", "c1.ivf", "c2.ivf"}, dir_->path());
  const auto r = run(concat("--format=webm " + shell_quote(webm) + inputs));
  if (r.exit_code != 0 && r.errors.find("no WebM writer") != std::string::npos) {
    if (xc::test::on_ci()) FAIL() << r.errors;
    GTEST_SKIP() << r.errors << "install libmatroska-dev and libebml-dev and reconfigure";
  }
  ASSERT_EQ(r.exit_code, 0) << r.errors;
  ASSERT_EQ(run(concat("--format=webm " + shell_quote(again) + inputs)).exit_code, 0);
  EXPECT_EQ(xc::test::read_text(webm), xc::test::read_text(again)) << "the same chunks must give the same bytes";
  const std::string bytes = xc::test::read_text(webm);
  ASSERT_GE(bytes.size(), 4u);
  EXPECT_EQ(bytes.substr(0, 4), "\x1a\x45\xdf\xa3") << "EBML magic";
  EXPECT_NE(bytes.find("webm"), std::string::npos) << "DocType";

  if (!xc::test::have_program("ffprobe") || !xc::test::have_program("ffmpeg")) {
    if (xc::test::on_ci()) FAIL() << "ffprobe/ffmpeg are missing, and CI=true requires this check";
    GTEST_SKIP() << "ffprobe/ffmpeg are missing: install ffmpeg to check the WebM";
  }
  auto info = probe(webm, dir_->path());
  EXPECT_EQ(info["codec_name"], "vp8");
  EXPECT_EQ(info["width"], std::to_string(kWidth));
  EXPECT_EQ(info["height"], std::to_string(kHeight));
  EXPECT_NE(info["format_name"].find("webm"), std::string::npos) << info["format_name"];
  EXPECT_EQ(info["nb_read_frames"], std::to_string(kFrames)) << "shown frames";
  EXPECT_EQ(info["nb_read_packets"], std::to_string(packets_.size())) << "all frames, hidden ones included";
  EXPECT_NEAR(std::stod(info["duration"]), kFrames / 30.0, 0.0015) << "18 frames at 30 per second";
  // The Colour element: VP8 is BT.601 (H.273 matrix 6, SMPTE 170M), limited range, chroma centred.
  EXPECT_EQ(info["color_space"], "smpte170m");
  EXPECT_EQ(info["color_range"], "tv");
  EXPECT_EQ(info["chroma_location"], "center");
  EXPECT_EQ(info["field_order"], "progressive");

  // One block per frame: key frames flagged key, hidden frames flagged invisible and 1 ms before the
  // frame shown after them, every shown frame at its own time in ms.
  const std::vector<xc::test::WebmBlock> blocks = xc::test::read_webm_layout(bytes).blocks;
  ASSERT_EQ(blocks.size(), packets_.size());
  size_t hidden = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const xc::test::VpxPacket& packet = packets_[i];
    EXPECT_EQ(bool(blocks[i].flags & 0x80), packet.key_frame) << "block " << i;
    EXPECT_EQ(bool(blocks[i].flags & 0x08), packet.invisible) << "block " << i;
    const auto ms = int64_t(std::llround(packet.pts * 1000.0 / 30));
    if (packet.invisible) {
      ++hidden;
      ASSERT_LT(i + 1, blocks.size());
      EXPECT_EQ(blocks[i].time, blocks[i + 1].time - 1) << "block " << i;
    } else {
      EXPECT_EQ(blocks[i].time, ms) << "block " << i;
    }
  }
  EXPECT_GT(hidden, 0u) << "the stream must hold hidden frames";

  // The WebM decodes to the same pictures as the IVF of the same chunks.
  ASSERT_EQ(run(concat(shell_quote(ivf) + inputs)).exit_code, 0);
  const auto from_webm = ffmpeg_frame_md5s(webm, dir_->path());
  EXPECT_EQ(from_webm.size(), size_t(kFrames));
  EXPECT_EQ(from_webm, ffmpeg_frame_md5s(ivf, dir_->path()));
}

// ---------------------------------------------------------------------------------------------
// xc-quality

struct Figures {
  double ssim = 0, ssim_db = 0, ssim_y = 0, ssim_y_db = 0, psnr = 0, psnr_y = 0;
};

struct Report {
  std::string format;
  int width = 0, height = 0, frame_count = 0;
  double fps = 0, psnr_global = 0;
  std::vector<Figures> frames;
  Figures average;
};

// Runs xc-quality --json and reads its output with Python's JSON parser, which also proves it is JSON.
std::optional<Report> quality_json(const std::string& command, const std::string& scratch) {
  const std::string json_path = scratch + "/quality.json";
  const auto r = run_command(command + " >" + shell_quote(json_path), scratch, true);
  EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.errors;
  if (r.exit_code != 0) return std::nullopt;
  constexpr const char* kFlatten = R"(
import json, sys
d = json.load(open(sys.argv[1]))
keys = ("ssim", "ssim_db", "ssim_y", "ssim_y_db", "psnr", "psnr_y")
print(d["format"], d["width"], d["height"], d["frame_count"], repr(float(d["fps"])),
      repr(float(d["average"]["psnr_global"])))
for f in [d["average"]] + d["frames"]:
    print(" ".join(repr(float(f[k])) for k in keys))
)";
  const auto flat = run_command("python3 -c " + shell_quote(kFlatten) + " " + shell_quote(json_path), scratch, true);
  EXPECT_EQ(flat.exit_code, 0) << "not valid JSON, or fields missing: " << flat.errors << "\n"
                               << xc::test::read_text(json_path);
  if (flat.exit_code != 0) return std::nullopt;
  Report report;
  std::istringstream in(flat.output);
  in >> report.format >> report.width >> report.height >> report.frame_count >> report.fps >> report.psnr_global;
  auto read = [&](Figures& f) {
    return bool(in >> f.ssim >> f.ssim_db >> f.ssim_y >> f.ssim_y_db >> f.psnr >> f.psnr_y);
  };
  read(report.average);
  for (Figures f; read(f);) report.frames.push_back(f);
  return report;
}

void write_y4m(const std::string& path, const std::vector<Image>& pictures) {
  xc::util::Y4mHeader header;
  header.width = pictures.at(0).width;
  header.height = pictures.at(0).height;
  xc::util::Y4mWriter out(path, header);
  for (const Image& p : pictures) out.write(p);
  out.finish();
}

TEST_F(PipelineTools, QualityOfIdenticalClips) {
  auto report = quality_json(quality("--json " + shell_quote(file("source.y4m")) + " " +
                                     shell_quote(file("source.y4m"))),
                             dir_->path());
  ASSERT_TRUE(report);
  EXPECT_EQ(report->format, "y4m");
  EXPECT_EQ(report->width, kWidth);
  EXPECT_EQ(report->height, kHeight);
  EXPECT_EQ(report->frame_count, kFrames);
  EXPECT_EQ(report->fps, 30.0);
  ASSERT_EQ(report->frames.size(), size_t(kFrames));
  report->frames.push_back(report->average);
  for (const Figures& f : report->frames) {
    EXPECT_EQ(f.ssim, 1.0);
    EXPECT_EQ(f.ssim_y, 1.0);
    // 128 dB is libyuv's PSNR for identical planes; SSIM in dB uses the same cap.
    EXPECT_EQ(f.psnr, 128.0);
    EXPECT_EQ(f.psnr_y, 128.0);
    EXPECT_EQ(f.ssim_db, 128.0);
    EXPECT_EQ(f.ssim_y_db, 128.0);
  }
  EXPECT_EQ(report->psnr_global, 128.0);
}

TEST_F(PipelineTools, QualityOfAKnownDistortion) {
  // Luma changed by +-3 in a checkerboard (clamped at 0 and 255), chroma of every other frame by +1:
  // the PSNRs follow from the differences, computed here without libyuv.
  std::vector<Image> distorted = source_;
  double total_sse = 0, total_samples = 0;
  std::vector<double> psnr_y, psnr;
  for (size_t f = 0; f < distorted.size(); ++f) {
    Image& d = distorted[f];
    double sse_y = 0, sse_c = 0;
    for (int y = 0; y < kHeight; ++y) {
      for (int x = 0; x < kWidth; ++x) {
        uint8_t& p = d.y[size_t(y) * kWidth + x];
        const int changed = std::clamp(int(p) + ((x + y) % 2 ? 3 : -3), 0, 255);
        sse_y += double(changed - p) * (changed - p);
        p = uint8_t(changed);
      }
    }
    if (f % 2) {
      for (auto* plane : {&d.u, &d.v}) {
        for (uint8_t& p : *plane) {
          if (p < 255) ++p, sse_c += 1;
        }
      }
    }
    const double luma = kWidth * kHeight, samples = luma + 2.0 * d.u.size();
    psnr_y.push_back(10 * std::log10(255.0 * 255.0 * luma / sse_y));
    psnr.push_back(10 * std::log10(255.0 * 255.0 * samples / (sse_y + sse_c)));
    total_sse += sse_y + sse_c;
    total_samples += samples;
  }
  write_y4m(file("distorted.y4m"), distorted);
  const auto report = quality_json(quality("--json " + shell_quote(file("source.y4m")) + " " +
                                           shell_quote(file("distorted.y4m"))),
                                   dir_->path());
  ASSERT_TRUE(report);
  ASSERT_EQ(report->frames.size(), size_t(kFrames));
  double mean_ssim = 0, mean_psnr = 0;
  for (size_t f = 0; f < distorted.size(); ++f) {
    const Figures& got = report->frames[f];
    EXPECT_NEAR(got.psnr_y, psnr_y[f], 1e-9) << "frame " << f;
    EXPECT_NEAR(got.psnr, psnr[f], 1e-9) << "frame " << f;
    const Image& a = source_[f];
    const Image& b = distorted[f];
    const int cw = a.chroma_width();
    const double ssim = libyuv::I420Ssim(a.y.data(), kWidth, a.u.data(), cw, a.v.data(), cw, b.y.data(), kWidth,
                                         b.u.data(), cw, b.v.data(), cw, kWidth, kHeight);
    EXPECT_NEAR(got.ssim, ssim, 1e-12) << "frame " << f << ": the tool's SSIM must be libyuv's I420Ssim";
    EXPECT_GT(got.ssim, 0.5) << "frame " << f;
    EXPECT_LT(got.ssim, 0.999) << "frame " << f;
    EXPECT_NEAR(got.ssim_db, -10 * std::log10(1 - got.ssim), 1e-9) << "frame " << f;
    EXPECT_NEAR(got.ssim_y, libyuv::CalcFrameSsim(a.y.data(), kWidth, b.y.data(), kWidth, kWidth, kHeight), 1e-12);
    mean_ssim += got.ssim / kFrames;
    mean_psnr += got.psnr / kFrames;
  }
  EXPECT_NEAR(report->average.ssim, mean_ssim, 1e-12);
  EXPECT_NEAR(report->average.psnr, mean_psnr, 1e-9);
  EXPECT_NEAR(report->psnr_global, 10 * std::log10(255.0 * 255.0 * total_samples / total_sse), 1e-9);
  // +-3 on luma is about 38.6 dB; a plausibility bound on top of the exact check above.
  EXPECT_GT(report->average.psnr_y, 38.0);
  EXPECT_LT(report->average.psnr_y, 39.0);
}

TEST_F(PipelineTools, QualityDecodesIvfAndDetectsFormatsByContent) {
  // Our decoder's pictures of the libvpx stream, as a Y4M: measuring it must give the same figures
  // as measuring the IVF itself.
  std::vector<Image> decoded;
  xc::vp8::DecoderState state;
  for (const auto& p : packets_) {
    auto d = xc::vp8::decode_frame(state, p.data);
    state = d.state;
    if (d.shown) decoded.push_back(xc::vp8::to_image(*d.picture));
  }
  write_y4m(file("decoded.y4m"), decoded);
  // Names say nothing: an IVF called .y4m is still read as IVF.
  fs::copy_file(file("whole.ivf"), file("stream-named.y4m"), fs::copy_options::overwrite_existing);
  const std::string ref = shell_quote(file("source.y4m"));
  const auto from_ivf = quality_json(quality("--json " + ref + " " + shell_quote(file("stream-named.y4m"))),
                                     dir_->path());
  const auto from_y4m = quality_json(quality("--json " + ref + " " + shell_quote(file("decoded.y4m"))), dir_->path());
  ASSERT_TRUE(from_ivf && from_y4m);
  EXPECT_EQ(from_ivf->format, "ivf");
  EXPECT_EQ(from_y4m->format, "y4m");
  ASSERT_EQ(from_ivf->frames.size(), size_t(kFrames));
  ASSERT_EQ(from_y4m->frames.size(), size_t(kFrames));
  for (size_t f = 0; f < size_t(kFrames); ++f) {
    EXPECT_EQ(from_ivf->frames[f].ssim, from_y4m->frames[f].ssim) << "frame " << f;
    EXPECT_EQ(from_ivf->frames[f].psnr, from_y4m->frames[f].psnr) << "frame " << f;
  }
  // A cq-22 encode of this clip is good but not perfect.
  EXPECT_GT(from_ivf->average.psnr, 30.0);
  EXPECT_LT(from_ivf->average.psnr, 60.0);
  EXPECT_GT(from_ivf->average.ssim, 0.9);
  EXPECT_LT(from_ivf->average.ssim, 1.0);

  // The text report has a line per frame and an average.
  const auto text = run(quality(ref + " " + shell_quote(file("whole.ivf"))));
  ASSERT_EQ(text.exit_code, 0) << text.errors;
  EXPECT_NE(text.output.find("frame    17  SSIM "), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("average      SSIM "), std::string::npos) << text.output;
}

TEST_F(PipelineTools, QualityRefusesMismatches) {
  const std::string ref = shell_quote(file("source.y4m"));
  // Fewer frames in the reference than shown frames in the stream.
  write_y4m(file("short.y4m"), std::vector<Image>(source_.begin(), source_.begin() + 12));
  auto r = run(quality(shell_quote(file("short.y4m")) + " " + shell_quote(file("whole.ivf"))));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.errors.find(file("whole.ivf") + ": 18 shown frames, but the reference " + file("short.y4m") +
                          " has 12"),
            std::string::npos)
      << r.errors;
  // More frames in the reference.
  r = run(quality(ref + " " + shell_quote(file("short.y4m"))));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.errors.find("12 shown frames, but the reference"), std::string::npos) << r.errors;
  // Another size.
  write_y4m(file("small.y4m"),
            xc::test::synthetic_sequence(xc::test::Scene::kMoving, kWidth - 2, kHeight, kFrames, kSeed));
  r = run(quality(ref + " " + shell_quote(file("small.y4m"))));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.errors.find("frame 0 is 62x48, but the reference"), std::string::npos) << r.errors;
  // Neither format.
  xc::test::write_raw(file("garbage.bin"), "RIFF....WEBPVP8 ");
  r = run(quality(ref + " " + shell_quote(file("garbage.bin"))));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.errors.find(file("garbage.bin") + ": neither an IVF"), std::string::npos) << r.errors;
  // Too small for libyuv's 8x8 SSIM windows.
  write_y4m(file("tiny.y4m"), xc::test::synthetic_sequence(xc::test::Scene::kMoving, 16, 16, 2, kSeed));
  r = run(quality(shell_quote(file("tiny.y4m")) + " " + shell_quote(file("tiny.y4m"))));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.errors.find("too small for SSIM"), std::string::npos) << r.errors;
  EXPECT_EQ(run(quality(ref)).exit_code, 2);
}

}  // namespace
