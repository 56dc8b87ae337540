// Conformance (RFC 6386 §20 test vectors): every vector decodes to the per-frame MD5s of its .md5
// file, with the best DSP table, with the scalar one, and through the xc-decode tool.
#include <gtest/gtest.h>

#include <string>
#include <vector>

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
};

TEST_P(Conformance, BestDsp) { check_in_process(vp8::dsp::best_dsp()); }

TEST_P(Conformance, ScalarDsp) { check_in_process(vp8::dsp::scalar_dsp()); }

TEST_P(Conformance, XcDecodeTool) {
  const auto want = expected();
  ASSERT_FALSE(want.empty()) << "no reference MD5s in " << ivf() << ".md5";
  const ProcessResult run = run_process({tool_path("xc-decode"), "--frame-md5", ivf()});
  ASSERT_TRUE(run.exited) << "xc-decode killed by signal " << run.signal << " on " << ivf();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  std::vector<std::string> got;
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) got.push_back(line);
  EXPECT_TRUE(same_frame_md5s(got, want)) << "xc-decode --frame-md5 " << ivf();
}

INSTANTIATE_TEST_SUITE_P(Vectors, Conformance, ::testing::ValuesIn(vector_names()), vector_param_name);
// Without the vectors there are no parameters; FolderHoldsAll61WithTheirMd5Files reports that.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Conformance);

}  // namespace
}  // namespace xc::test
