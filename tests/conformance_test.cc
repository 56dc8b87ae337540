// Conformance (RFC 6386 §20 test vectors): every vector decodes to the per-frame MD5s of its .md5
// file, with the best DSP table, with the scalar one, on 2 and 3 threads, and through the xc-decode
// tool (on one thread and on three).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/thread_pool.hh"
#include "vector_test_support.hh"
#include "vp8/dsp/dsp.hh"

namespace xc::test {
namespace {

TEST(ConformanceVectors, FolderHoldsAll61WithTheirMd5Files) {
  XC_REQUIRE_VECTORS();
  const auto names = vector_names();
  EXPECT_EQ(names.size(), kConformanceVectorCount) << "in " << vectors_dir();
  for (const auto& name : names) {
    EXPECT_FALSE(read_md5_file(vector_path(name) + ".md5").empty()) << name << ".ivf.md5 is missing or empty";
  }
}

class Conformance : public ::testing::TestWithParam<std::string> {
 protected:
  std::string ivf() const { return vector_path(GetParam()); }
  std::vector<std::string> expected() const { return read_md5_file(ivf() + ".md5"); }

  void check_in_process(const vp8::dsp::Dsp& dsp) {
    const auto want = expected();
    ASSERT_FALSE(want.empty()) << "no reference MD5s in " << ivf() << ".md5";
    const auto frames = read_frames(ivf());
    StraightDecode got;
    try {
      got = decode_straight(frames, dsp);
    } catch (const std::exception& e) {
      FAIL() << ivf() << " with the " << dsp.name << " DSP: " << e.what();
    }
    EXPECT_TRUE(same_frame_md5s(got.shown_md5s(), want)) << ivf() << " with the " << dsp.name << " DSP";
  }

  // xc-decode --frame-md5 with these options before the file.
  void check_tool(const std::vector<std::string>& options) {
    const auto want = expected();
    ASSERT_FALSE(want.empty()) << "no reference MD5s in " << ivf() << ".md5";
    std::vector<std::string> command = {tool_path("xc-decode"), "--frame-md5"};
    command.insert(command.end(), options.begin(), options.end());
    command.push_back(ivf());
    const ProcessResult run = run_process(command);
    ASSERT_TRUE(run.exited) << "xc-decode killed by signal " << run.signal << " on " << ivf();
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.err, "");
    std::vector<std::string> got;
    std::istringstream lines(run.out);
    for (std::string line; std::getline(lines, line);) got.push_back(line);
    EXPECT_TRUE(same_frame_md5s(got, want)) << "xc-decode --frame-md5 " << ivf();
  }
};

TEST_P(Conformance, BestDsp) { check_in_process(vp8::dsp::best_dsp()); }

TEST_P(Conformance, ScalarDsp) { check_in_process(vp8::dsp::scalar_dsp()); }

// Every SIMD level the CPU has below the best one (which BestDsp runs): each level's table mixes its
// own kernels with lower levels' ones, so every table is a decoder of its own.
TEST_P(Conformance, LowerInstructionSets) {
  for (int level = int(vp8::dsp::Isa::kSse2); level <= int(vp8::dsp::Isa::kAvx2); ++level) {
    const vp8::dsp::Dsp* dsp = vp8::dsp::dsp_for(vp8::dsp::Isa(level));
    if (dsp != nullptr && dsp != &vp8::dsp::best_dsp()) check_in_process(*dsp);
  }
}

// Macroblock rows on 2 and 3 threads: the same MD5s, and after every frame (hidden ones too) the same
// state, references included, as on one thread.
TEST_P(Conformance, Threads) {
  const auto want = expected();
  ASSERT_FALSE(want.empty()) << "no reference MD5s in " << ivf() << ".md5";
  const auto frames = read_frames(ivf());
  const StraightDecode one = decode_straight(frames);
  for (int n : {2, 3}) {
    util::ThreadPool threads(n);
    StraightDecode got;
    try {
      got = decode_straight(frames, vp8::dsp::best_dsp(), &threads);
    } catch (const std::exception& e) {
      FAIL() << ivf() << " on " << n << " threads: " << e.what();
    }
    EXPECT_TRUE(same_frame_md5s(got.shown_md5s(), want)) << ivf() << " on " << n << " threads";
    ASSERT_EQ(got.states.size(), one.states.size());
    for (size_t i = 0; i < one.states.size(); ++i) {
      EXPECT_TRUE(got.states[i] == one.states[i]) << ivf() << " on " << n << " threads, state " << i;
    }
  }
}

TEST_P(Conformance, XcDecodeTool) { check_tool({}); }

TEST_P(Conformance, XcDecodeToolThreads) { check_tool({"-t", "3"}); }

INSTANTIATE_TEST_SUITE_P(Vectors, Conformance, ::testing::ValuesIn(vector_names()), vector_param_name);
// Without the vectors there are no parameters; FolderHoldsAll61WithTheirMd5Files reports that.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Conformance);

}  // namespace
}  // namespace xc::test
