// Tests of the vpxenc tool: the IVF it writes must equal, byte for byte, what libvpx's own vpxenc
// writes for the same flags and clip; bad command lines and inputs must fail cleanly.
//
// Clips are made with ffmpeg in a temporary folder. Without /usr/bin/vpxenc or ffmpeg the
// comparisons are skipped with a message, except when CI=true, where that is a failure. The
// error-handling tests write their own Y4M and always run.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "util/ivf.hh"

namespace {

namespace fs = std::filesystem;

constexpr const char* kReferenceEncoder = "/usr/bin/vpxenc";

// The flags ExCamera passes to vpxenc for its first encode.
constexpr const char* kExCameraFlags =
    "--ivf --codec=vp8 --good --cpu-used=0 --end-usage=cq --min-q=0 --max-q=63 --cq-level=22 "
    "--buf-initial-sz=10000 --buf-optimal-sz=20000 --buf-sz=40000 --undershoot-pct=100 --passes=2 "
    "--auto-alt-ref=1 --threads=1 --token-parts=0 --tune=ssim --target-bitrate=4294967295";

std::string tool_path() {
  const char* dir = std::getenv("XC_BIN_DIR");
  return std::string(dir != nullptr && *dir != '\0' ? dir : XC_BIN_DIR) + "/vpxenc";
}

bool on_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

std::string quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command with no stdin, so that a tool asking a question gets end-of-file.
RunResult run(const std::string& command) {
  RunResult result;
  FILE* pipe = popen((command + " </dev/null 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The "Encoder parameters:" listing of -v, one string per field line.
std::vector<std::string> config_listing(const std::string& output) {
  std::vector<std::string> lines;
  size_t pos = output.find("Encoder parameters:");
  if (pos == std::string::npos) return lines;
  pos = output.find('\n', pos);
  while (pos != std::string::npos && pos + 1 < output.size()) {
    size_t end = output.find('\n', pos + 1);
    std::string line =
        output.substr(pos + 1, end == std::string::npos ? std::string::npos : end - pos - 1);
    if (line.rfind("    ", 0) != 0) break;
    lines.push_back(line);
    pos = end;
  }
  return lines;
}

// A Y4M written by hand (a moving gradient), for tests that must not depend on ffmpeg.
void write_y4m(const fs::path& path, int width, int height, int frames) {
  std::ofstream out(path, std::ios::binary);
  out << "YUV4MPEG2 W" << width << " H" << height << " F25:1 Ip A1:1 C420jpeg\n";
  const int chroma = ((width + 1) / 2) * ((height + 1) / 2);
  for (int f = 0; f < frames; ++f) {
    out << "FRAME\n";
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) out.put(static_cast<char>((x * 3 + y * 2 + f * 5) & 0xff));
    }
    out << std::string(size_t(chroma), char(100 + f)) << std::string(size_t(chroma), char(150 - f));
  }
}

// A fresh temporary folder, removed with its contents at destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "vpxenc_test.XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Comparisons with libvpx's vpxenc on clips made by ffmpeg, once for the whole suite.
class VpxencCompareTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    have_reference_ = access(kReferenceEncoder, X_OK) == 0;
    have_ffmpeg_ = run("command -v ffmpeg").exit_code == 0;
    if (dir_->path().empty() || !have_ffmpeg_) return;
    // Moving content at an even size, an odd size with a fractional frame rate, and a longer clip
    // in which two-pass encoding places an alt-ref frame.
    make_clip("testsrc2=size=96x64:rate=25", 12, "small.y4m");
    make_clip("mandelbrot=size=99x67:rate=30000/1001", 12, "odd.y4m");
    make_clip("testsrc2=size=96x64:rate=25", 20, "long.y4m");
  }

  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static void make_clip(const std::string& source, int frames, const std::string& name) {
    run("ffmpeg -nostdin -v error -f lavfi -i " + quote(source) + " -frames:v " +
        std::to_string(frames) + " -pix_fmt yuv420p -y " + quote((dir_->path() / name).string()));
  }

  void SetUp() override {
    ASSERT_FALSE(dir_->path().empty()) << "cannot create a temporary folder";
    ASSERT_EQ(access(tool_path().c_str(), X_OK), 0)
        << tool_path() << " is missing: build the vpxenc target (or set XC_BIN_DIR)";
    if (!have_reference_ || !have_ffmpeg_) {
      std::string missing = !have_reference_ ? kReferenceEncoder : "ffmpeg";
      if (on_ci()) FAIL() << missing << " is missing, and CI=true requires the comparison";
      GTEST_SKIP() << missing << " is missing: install vpx-tools and ffmpeg to compare with vpxenc";
    }
  }

  fs::path path(const std::string& name) const { return dir_->path() / name; }

  // Encodes `clip` with both encoders (our flags may be spelled differently, for instance with
  // values as separate arguments) and expects identical files. Returns our output's path.
  fs::path expect_identical(const std::string& reference_flags, const std::string& our_flags,
                            const std::string& clip) {
    const fs::path input = path(clip);
    const fs::path reference = path("reference.ivf");
    const fs::path ours = path("ours.ivf");
    fs::remove(reference);
    fs::remove(ours);
    const std::string reference_command = std::string(kReferenceEncoder) +
                                          " --ivf --codec=vp8 -q " + reference_flags + " -o " +
                                          quote(reference.string()) + " " + quote(input.string());
    const std::string our_command = quote(tool_path()) + " -q " + our_flags + " -o " +
                                    quote(ours.string()) + " " + quote(input.string());
    RunResult r = run(reference_command);
    EXPECT_EQ(r.exit_code, 0) << reference_command << "\n" << r.output;
    RunResult o = run(our_command);
    EXPECT_EQ(o.exit_code, 0) << our_command << "\n" << o.output;
    if (r.exit_code != 0 || o.exit_code != 0) return ours;

    xc::util::IvfReader want(reference.string());
    xc::util::IvfReader got(ours.string());
    EXPECT_EQ(got.header(), want.header()) << our_command;
    EXPECT_EQ(got.frame_count(), want.frame_count()) << our_command;
    EXPECT_GT(want.frame_count(), 0u) << reference_command;
    for (size_t i = 0; i < std::min(got.frame_count(), want.frame_count()); ++i) {
      const auto& a = got.frame(i);
      const auto& b = want.frame(i);
      if (a.pts != b.pts ||
          !std::equal(a.data.begin(), a.data.end(), b.data.begin(), b.data.end())) {
        ADD_FAILURE() << "frame " << i << " differs (pts " << a.pts << " vs " << b.pts << ", "
                      << a.data.size() << " vs " << b.data.size() << " bytes)\n"
                      << our_command;
        break;
      }
    }
    EXPECT_EQ(read_file(ours), read_file(reference)) << "files differ: " << our_command;
    return ours;
  }

  fs::path expect_identical(const std::string& flags, const std::string& clip) {
    return expect_identical(flags, flags, clip);
  }

  static inline TempDir* dir_ = nullptr;
  static inline bool have_reference_ = false;
  static inline bool have_ffmpeg_ = false;
};

// Error handling, on a Y4M written by hand: needs neither vpxenc nor ffmpeg.
class VpxencErrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty()) << "cannot create a temporary folder";
    ASSERT_EQ(access(tool_path().c_str(), X_OK), 0)
        << tool_path() << " is missing: build the vpxenc target (or set XC_BIN_DIR)";
    write_y4m(input_, 32, 32, 2);
  }

  // Runs our tool on the hand-made clip with `flags`, writing to `out`.
  RunResult encode(const std::string& flags, const fs::path& out) const {
    return run(quote(tool_path()) + " -q " + flags + " -o " + quote(out.string()) + " " +
               quote(input_.string()));
  }

  TempDir dir_;
  fs::path input_ = dir_.path() / "gradient.y4m";
};

TEST_F(VpxencCompareTest, ExCameraFlagsEvenSize) { expect_identical(kExCameraFlags, "small.y4m"); }

TEST_F(VpxencCompareTest, ExCameraFlagsOddSizeFractionalRate) {
  fs::path out = expect_identical(kExCameraFlags, "odd.y4m");
  xc::util::IvfReader ivf(out.string());
  EXPECT_EQ(ivf.header().width, 99);
  EXPECT_EQ(ivf.header().height, 67);
  // vpxenc's timebase is the inverse of the Y4M frame rate when --fps is not given.
  EXPECT_EQ(ivf.header().timebase_den, 30000u);
  EXPECT_EQ(ivf.header().timebase_num, 1001u);
}

TEST_F(VpxencCompareTest, ValuesAsSeparateArguments) {
  // libvpx's vpxenc wants "--flag=value" for long flags; this tool also takes "--flag value".
  expect_identical("--end-usage=cq --cq-level=30 --tune=ssim --cpu-used=-2 --min-q=4",
                   "--end-usage cq --cq-level 30 --tune ssim --cpu-used -2 --min-q 4", "odd.y4m");
}

TEST_F(VpxencCompareTest, Defaults) {
  expect_identical("", "small.y4m");
  expect_identical("", "odd.y4m");
}

TEST_F(VpxencCompareTest, RealtimeCbr) {
  // Realtime mode picks its speed from measured encode times unless --cpu-used is negative, so only
  // a negative value makes either encoder deterministic.
  const std::string flags =
      "--rt --end-usage=cbr --target-bitrate=300 --cpu-used=-6 --buf-sz=1000 "
      "--drop-frame=20 --static-thresh=100";
  expect_identical(flags, "odd.y4m");
  expect_identical(flags, "small.y4m");
}

TEST_F(VpxencCompareTest, LimitAndSkip) {
  expect_identical("--limit=5", "small.y4m");
  // --limit counts the skipped frames too, and timestamps keep counting from the first input frame.
  fs::path out = expect_identical("--limit=7 --skip=2 --passes=2", "odd.y4m");
  xc::util::IvfReader ivf(out.string());
  ASSERT_EQ(ivf.frame_count(), 5u);
  EXPECT_EQ(ivf.frame(0).pts, 2u);
}

TEST_F(VpxencCompareTest, FpsAndTimebase) {
  fs::path out = expect_identical("--fps=50/1 --timebase=1/90000", "odd.y4m");
  xc::util::IvfReader ivf(out.string());
  EXPECT_EQ(ivf.header().timebase_den, 90000u);
  EXPECT_EQ(ivf.frame(1).pts, 1800u);
  expect_identical("--fps=30000/1001", "small.y4m");
  // Without --fps vpxenc ignores --timebase.
  expect_identical("--timebase=1/1000", "small.y4m");
}

TEST_F(VpxencCompareTest, TwoPassAltRefWritesInvisibleFrames) {
  const std::string flags =
      "--passes=2 --lag-in-frames=25 --auto-alt-ref=1 --arnr-maxframes=5 "
      "--arnr-strength=3 --arnr-type=1";
  fs::path out = expect_identical(flags, "long.y4m");
  // An alt-ref frame is one more packet than input frames; the IVF count includes it.
  xc::util::IvfReader ivf(out.string());
  EXPECT_GT(ivf.frame_count(), 20u);
  EXPECT_EQ(ivf.header().frame_count, ivf.frame_count());
}

TEST_F(VpxencCompareTest, MoreSettings) {
  const std::string flags =
      "--best --end-usage=q --cq-level=30 --sharpness=3 --noise-sensitivity=1 "
      "--kf-min-dist=4 --kf-max-dist=4 --error-resilient=1 --token-parts=2 "
      "--overshoot-pct=50 --undershoot-pct=20";
  expect_identical(flags, "odd.y4m");
  const std::string two_pass =
      "--passes=2 --bias-pct=10 --minsection-pct=20 --maxsection-pct=200 "
      "--disable-kf --max-intra-rate=300 -d 5000";
  expect_identical(two_pass, "small.y4m");
}

TEST_F(VpxencCompareTest, WarningPromptAnsweredByDashY) {
  expect_identical("--min-q=10 --max-q=12 -y", "small.y4m");
}

TEST_F(VpxencCompareTest, VerboseConfigurationMatches) {
  const std::string input = quote(path("odd.y4m").string());
  const std::vector<std::string> cases = {
      "",
      kExCameraFlags,
      // vpxenc zeroes a lag given after --end-usage=cbr in realtime mode, but not one given before.
      "--end-usage=cbr --lag-in-frames=5 --rt --cpu-used=-4",
      "--rt --lag-in-frames=5 --end-usage=cbr --cpu-used=-4 -y",
      "--fps=60/1 --timebase=1/90000 --disable-kf --kf-max-dist=10 --resize-allowed=1 "
      "--resize-up=10 "
      "--resize-down=5 --profile=1 -t 3 --usage=0 -w 99 -h 67",
  };
  for (const std::string& flags : cases) {
    RunResult want = run(std::string(kReferenceEncoder) + " --ivf --codec=vp8 -v " + flags +
                         " -o " + quote(path("reference.ivf").string()) + " " + input);
    RunResult got = run(quote(tool_path()) + " -v " + flags + " -o " +
                        quote(path("ours.ivf").string()) + " " + input);
    ASSERT_EQ(want.exit_code, 0) << flags << "\n" << want.output;
    ASSERT_EQ(got.exit_code, 0) << flags << "\n" << got.output;
    std::vector<std::string> want_config = config_listing(want.output);
    EXPECT_GT(want_config.size(), 30u) << want.output;
    EXPECT_EQ(config_listing(got.output), want_config) << flags;
  }
}

TEST_F(VpxencErrorTest, UnknownFlagIsAnError) {
  const fs::path out = dir_.path() / "unknown.ivf";
  RunResult r = encode("--no-such-flag=3", out);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--no-such-flag"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.rfind("vpxenc: ", 0), 0u) << r.output;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(VpxencErrorTest, MissingInputNamesTheFileAndLeavesNoOutput) {
  const fs::path input = dir_.path() / "no-such-clip.y4m";
  const fs::path out = dir_.path() / "missing.ivf";
  RunResult r =
      run(quote(tool_path()) + " -q -o " + quote(out.string()) + " " + quote(input.string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("vpxenc: " + input.string() + ": "), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << "one line expected:\n"
                                                                   << r.output;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(VpxencErrorTest, SizeMismatchIsAnError) {
  const fs::path out = dir_.path() / "mismatch.ivf";
  for (const char* flags : {"-w 48", "--width=48", "-h 16", "--height 16"}) {
    RunResult r = encode(flags, out);
    EXPECT_EQ(r.exit_code, 2) << flags << "\n" << r.output;
    EXPECT_NE(r.output.find("does not scale"), std::string::npos) << flags << "\n" << r.output;
    EXPECT_FALSE(fs::exists(out)) << flags;
  }
  // Matching sizes are accepted.
  RunResult ok = encode("-w 32 -h 32", out);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_TRUE(fs::exists(out));
}

TEST_F(VpxencErrorTest, UnsupportedModesAreErrors) {
  const fs::path out = dir_.path() / "refused.ivf";
  for (const char* flags : {"--pass=1", "--passes=2 --fpf=stats.fpf", "--codec=vp9", "--webm",
                            "--passes=3", "--fps=abc", "--fps=1/0", "--end-usage=fast"}) {
    RunResult r = encode(flags, out);
    EXPECT_EQ(r.exit_code, 2) << flags << "\n" << r.output;
    EXPECT_EQ(r.output.rfind("vpxenc: ", 0), 0u) << flags << "\n" << r.output;
    EXPECT_FALSE(fs::exists(out)) << flags;
  }
}

TEST_F(VpxencErrorTest, WarningPromptWithoutAnswerStops) {
  // Like vpxenc, the tool asks before encoding with near-equal quantizer limits; stdin is empty.
  const fs::path out = dir_.path() / "stopped.ivf";
  RunResult r = encode("--min-q=10 --max-q=12", out);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("Continue?"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(encode("--min-q=10 --max-q=12 -y", out).exit_code, 0);
  EXPECT_TRUE(fs::exists(out));
}

TEST_F(VpxencErrorTest, RefusedConfigurationLeavesNoFile) {
  // libvpx refuses a kf-min-dist other than 0 or kf-max-dist; the refusal comes after the output
  // was opened, so this checks that neither the file nor its temporary is left behind.
  const fs::path folder = dir_.path() / "refused";
  fs::create_directory(folder);
  RunResult r = encode("--kf-min-dist=2 --kf-max-dist=4", folder / "out.ivf");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("kf_min_dist"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::is_empty(folder));
}

TEST_F(VpxencErrorTest, HelpAndVersion) {
  RunResult help = run(quote(tool_path()) + " --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("--cq-level"), std::string::npos);
  EXPECT_NE(help.output.find("Example"), std::string::npos);
  RunResult version = run(quote(tool_path()) + " --version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.output.find(XC_VERSION), std::string::npos) << version.output;
}

}  // namespace
