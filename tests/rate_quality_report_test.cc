// Tests of scripts/bdrate.py (the Bjontegaard rate difference: cubic fits of log rate against quality,
// integrated over the shared quality interval) and of scripts/rate-quality-report on a short clip.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cctype>
#include <filesystem>
#include <map>
#include <vector>
#include <sstream>
#include <string>

#include "tool_test_support.hh"
#include "util/y4m.hh"
#include "util_test_support.hh"

namespace {

namespace fs = std::filesystem;
using xc::test::run_command;
using xc::test::shell_quote;

// Evaluates a Python expression with `bdrate` (from scripts/) and `math` imported; returns what it prints.
std::string bdrate_eval(const std::string& expression) {
  const std::string program = "import math, sys; sys.path.insert(0, sys.argv[1]); import bdrate; print(" +
                              expression + ")";
  const auto r = run_command("python3 -c " + shell_quote(program) + " " +
                             shell_quote(xc::test::source_path("scripts")));
  EXPECT_EQ(r.exit_code, 0) << expression;
  return r.output;
}

double bdrate_number(const std::string& expression) {
  const std::string out = bdrate_eval(expression);
  EXPECT_NE(out, "None\n") << expression;
  return std::stod(out);
}

class BdRate : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!xc::test::have_program("python3")) {
      if (xc::test::on_ci()) FAIL() << "python3 is missing, and CI=true requires this test";
      GTEST_SKIP() << "python3 is missing";
    }
  }
};

// Four points with log(rate) a cubic in quality, so that the fit is exact; `expression` sees them as A.
std::string on_anchor(const std::string& expression) {
  return "(lambda A: " + expression +
         ")([(math.exp(5 + 0.2*q - 0.01*(q-32)**2 + 0.002*(q-32)**3), q) for q in (28, 31, 34, 37)])";
}

TEST_F(BdRate, SameCurveScaledIsThatRatio) {
  EXPECT_NEAR(bdrate_number(on_anchor("bdrate.bd_rate(A, [(1.1 * r, q) for r, q in A])")), 10.0, 1e-9);
  EXPECT_NEAR(bdrate_number(on_anchor("bdrate.bd_rate(A, A)")), 0.0, 1e-9);
  EXPECT_NEAR(bdrate_number(on_anchor("bdrate.bd_rate(A, [(0.8 * r, q) for r, q in A])")), -20.0, 1e-9);
}

// log r = 5 + 0.2 q against the same line one dB lower in quality: exactly exp(-0.2) times the rate wherever
// the curves overlap, whatever points sample them (six here, so the fit is a true least-squares one).
TEST_F(BdRate, QualityShiftOfALine) {
  const std::string line = "[(math.exp(5 + 0.2*q), q) for q in (20, 22.5, 25, 27, 30, 33)]";
  const std::string shifted = "[(math.exp(5 + 0.2*(q+1)), q) for q in (21, 23, 26, 28.5, 31, 34)]";
  EXPECT_NEAR(bdrate_number("bdrate.bd_rate(" + line + ", " + shifted + ")"), (std::exp(0.2) - 1) * 100, 1e-9);
  EXPECT_NEAR(bdrate_number("bdrate.bd_rate(" + shifted + ", " + line + ")"), (std::exp(-0.2) - 1) * 100, 1e-9);
  // The same line sampled elsewhere and further: no difference, measured over the shared 20-33 dB only.
  const std::string longer = "[(math.exp(5 + 0.2*q), q) for q in (21, 24, 29, 33, 36, 40)]";
  EXPECT_EQ(bdrate_eval("bdrate.overlap(" + line + ", " + longer + ")"), "(21, 33)\n");
  EXPECT_NEAR(bdrate_number("bdrate.bd_rate(" + line + ", " + longer + ")"), 0.0, 1e-9);
}

TEST_F(BdRate, NoAnswerWithoutOverlapOrEnoughPoints) {
  EXPECT_EQ(bdrate_eval("bdrate.bd_rate([(1, 1), (2, 2), (3, 3), (4, 4)], [(1, 5), (2, 6), (3, 7), (4, 8)])"),
            "None\n");
  EXPECT_EQ(bdrate_eval("bdrate.bd_rate([(1, 1), (2, 2), (3, 3)], [(1, 1), (2, 2), (3, 3)])"), "None\n");
  EXPECT_EQ(bdrate_eval("bdrate.bd_rate([(1, 1), (2, 2), (3, 2), (4, 1)], [(1, 1), (2, 2), (3, 3), (4, 4)])"),
            "None\n")
      << "two distinct qualities cannot determine a cubic";
}

// The report on the sample's first 12 frames (two chunks), at four cq-levels: the table, both rate
// differences, the data and gnuplot files, and the PNG when gnuplot is there.
TEST(RateQualityReport, ShortClip) {
  for (const char* program : {"python3", "make", "ffmpeg"}) {
    if (!xc::test::have_program(program)) {
      if (xc::test::on_ci()) FAIL() << program << " is missing, and CI=true requires this test";
      GTEST_SKIP() << program << " is missing";
    }
  }
  xc::test::TempDir dir;
  const std::string sample = xc::test::read_text(xc::test::source_path("data/sample.y4m"));
  const xc::util::Y4mReader y4m(xc::test::source_path("data/sample.y4m"));
  const size_t frame = 6 + y4m.frame_bytes(0).size();  // "FRAME\n" and the picture
  const size_t header = sample.find('\n') + 1;
  xc::test::write_raw(dir.file("short.y4m"), sample.substr(0, header + 12 * frame));

  const std::string prefix = dir.file("report");
  const std::string results = dir.file("results.md");
  // The results file already holds another script's section, which the report must keep.
  xc::test::write_raw(results, "# Compression results\n\n<!-- begin excamera-figures -->\nfigures kept\n"
                               "<!-- end excamera-figures -->\n");
  const auto r = run_command("python3 " + shell_quote(xc::test::source_path("scripts/rate-quality-report")) + " " +
                                 shell_quote(dir.file("short.y4m")) + " --cq 14,22,30,38 -j 2 --bin " +
                                 shell_quote(xc::test::tool_dir()) + " -o " + shell_quote(prefix) +
                                 " --frames 10 --results " + shell_quote(results),
                             dir.path(), true);
  ASSERT_EQ(r.exit_code, 0) << r.errors;
  std::printf("%s", r.output.c_str());
  // Table rows "| cq | bytes | ...", and byte-account rows "| cq | label | position bytes ... |": the
  // ExCamera row's positions add up to the ExCamera bytes of the same cq-level.
  auto cells = [](const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string cell; std::getline(in, cell, '|');) {
      cell.erase(0, cell.find_first_not_of(' '));
      cell.erase(cell.find_last_not_of(' ') + 1);
      out.push_back(cell);
    }
    return out;
  };
  std::map<int, long> table_bytes, account_bytes;
  int differences = 0, account_rows = 0;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("Bjontegaard rate difference") && line.find(" %") != std::string::npos) ++differences;
    if (!line.starts_with("| ")) continue;
    const auto c = cells(line);
    if (c.size() < 4 || c[1].empty() || !std::isdigit(static_cast<unsigned char>(c[1][0]))) continue;
    const int cq = std::stoi(c[1]);
    if (std::isdigit(static_cast<unsigned char>(c[2][0]))) {
      table_bytes[cq] = std::stol(c[2]);
    } else {
      ++account_rows;
      if (c[2] == "ExCamera") {
        long sum = 0;
        for (size_t i = 3; i < c.size(); ++i) sum += std::stol(c[i]);
        account_bytes[cq] = sum;
      }
    }
  }
  EXPECT_EQ(table_bytes.size(), 4u) << r.output;
  EXPECT_EQ(account_rows, 12) << r.output;
  EXPECT_EQ(account_bytes, table_bytes) << r.output;
  EXPECT_EQ(differences, 2) << r.output;
  // 10 of the 12 frames: 2 chunks of 6 and 4.
  EXPECT_NE(r.output.find("10 frames, 6 frames per chunk"), std::string::npos) << r.output;
  const std::string written = xc::test::read_text(results);
  EXPECT_NE(written.find("at commit "), std::string::npos) << written;
  EXPECT_NE(written.find("--frames 10"), std::string::npos) << written;
  EXPECT_NE(written.find("| 38 | ExCamera |"), std::string::npos) << written;
  const size_t own = written.find("<!-- begin rate-quality-report -->"),
               other = written.find("<!-- begin excamera-figures -->\nfigures kept\n<!-- end excamera-figures -->");
  ASSERT_NE(own, std::string::npos) << written;
  ASSERT_NE(other, std::string::npos) << written;
  EXPECT_LT(own, other) << written;
  EXPECT_NE(written.find("<!-- end rate-quality-report -->"), std::string::npos) << written;
  std::istringstream data(xc::test::read_text(prefix + ".dat"));
  int points = 0;
  for (std::string line; std::getline(data, line);) points += !line.empty() && line[0] != '#';
  EXPECT_EQ(points, 4);
  EXPECT_TRUE(fs::exists(prefix + ".gp"));
  if (xc::test::have_program("gnuplot")) {
    EXPECT_EQ(xc::test::read_text(prefix + ".png").substr(0, 8), "\x89PNG\r\n\x1a\n");
  } else {
    EXPECT_NE(r.output.find("gnuplot is not installed"), std::string::npos) << r.output;
  }
}

// excamera-figures on two chunks of the sample: the figures are printed and written to the results file's
// excamera-figures section, after the rate-quality-report section already there, which is kept.
TEST(ExcameraFigures, WritesItsSectionBesideTheReport) {
  for (const char* program : {"python3", "ffmpeg"}) {
    if (!xc::test::have_program(program)) {
      if (xc::test::on_ci()) FAIL() << program << " is missing, and CI=true requires this test";
      GTEST_SKIP() << program << " is missing";
    }
  }
  xc::test::TempDir dir;
  const std::string results = dir.file("results.md");
  xc::test::write_raw(results, "<!-- begin rate-quality-report -->\ntables kept\n<!-- end rate-quality-report -->\n");
  const auto r = run_command("python3 " + shell_quote(xc::test::source_path("scripts/excamera-figures")) +
                                 " --clip " + shell_quote(xc::test::source_path("data/sample.y4m")) +
                                 " --chunks 2 --cq 14,22,30,38 --jobs 2 --bin " + shell_quote(xc::test::tool_dir()) +
                                 " --results " + shell_quote(results),
                             dir.path(), true);
  ASSERT_EQ(r.exit_code, 0) << r.errors;
  EXPECT_NE(r.output.find("(c) Bjontegaard rate difference"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("summary: BD-rate"), std::string::npos) << r.output;
  const std::string written = xc::test::read_text(results);
  const size_t report = written.find("<!-- begin rate-quality-report -->\ntables kept\n<!-- end rate-quality-report -->"),
               figures = written.find("<!-- begin excamera-figures -->");
  ASSERT_NE(report, std::string::npos) << written;
  ASSERT_NE(figures, std::string::npos) << written;
  EXPECT_LT(report, figures) << written;
  EXPECT_NE(written.find("at commit "), std::string::npos) << written;
  EXPECT_NE(written.find("--chunks 2"), std::string::npos) << written;
  EXPECT_NE(written.find("### sample.y4m"), std::string::npos) << written;
  EXPECT_NE(written.find("(c) Bjontegaard rate difference", figures), std::string::npos) << written;
  EXPECT_NE(written.find("<!-- end excamera-figures -->"), std::string::npos) << written;
}

}  // namespace

// Bounds on the real clip's Bjontegaard rates (percent more bits than the whole-clip encode at equal
// quality), a little above what the encoder gives today (results/rate-quality.md has the full clips).
constexpr double kRealClipMaxBdSsim = 2.5;
constexpr double kRealClipMaxBdPsnr = -2.5;

// The ExCamera graph on real camera footage (the first 24 frames of opencv-doc's box.mp4, a 640x480
// webcam recording: four chunks) against one whole-clip vpxenc encode of the same frames: the
// Bjontegaard rates at equal SSIM and PSNR stay within bounds, and at every cq-level the SSIM is
// within 0.5 dB of the whole-clip encode's. Bytes and quality are deterministic, so these are bounds
// on what the encoder does, not timings. The clip's folder can be moved with XC_OPENCV_DOC.
TEST(RateQualityReport, RealClipAgainstWholeClipEncode) {
  const char* folder = std::getenv("XC_OPENCV_DOC");
  const std::string clip = std::string(folder ? folder : "/usr/share/doc/opencv-doc") + "/opencv4/html/box.mp4.gz";
  for (const char* program : {"python3", "make", "ffmpeg"}) {
    if (!xc::test::have_program(program)) {
      if (xc::test::on_ci()) FAIL() << program << " is missing, and CI=true requires this test";
      GTEST_SKIP() << program << " is missing";
    }
  }
  if (!fs::exists(clip)) {
    if (xc::test::on_ci()) FAIL() << clip << " is missing (Debian package opencv-doc), and CI=true requires it";
    GTEST_SKIP() << clip << " is missing: install Debian's opencv-doc (scripts/install-deps does)";
  }
  xc::test::TempDir dir;
  const std::string mp4 = dir.file("box.mp4");
  ASSERT_EQ(run_command("gzip -dc " + shell_quote(clip) + " > " + shell_quote(mp4)).exit_code, 0);
  const auto r = run_command("python3 " + shell_quote(xc::test::source_path("scripts/rate-quality-report")) + " " +
                                 shell_quote(mp4) + " --frames 24 --cq 14,22,30,38 -j 2 --bin " +
                                 shell_quote(xc::test::tool_dir()) + " -o " + shell_quote(dir.file("report")),
                             dir.path(), true);
  ASSERT_EQ(r.exit_code, 0) << r.errors;
  std::printf("%s", r.output.c_str());
  std::map<std::string, double> bd;
  int rows = 0;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) {
    for (const std::string quality : {"SSIM", "PSNR"}) {
      const std::string lead = "Bjontegaard rate difference, ExCamera against whole-clip vpxenc at equal " + quality +
                               ": **";
      if (line.starts_with(lead)) bd[quality] = std::stod(line.substr(lead.size()));
    }
    // Table rows end with the SSIM dB difference: "| ... | +0.12 |".
    if (line.starts_with("| ") && line.find(" | ExCamera") == std::string::npos && line.find('.') != std::string::npos) {
      const size_t end = line.rfind(" |"), start = line.rfind("| ", end - 1);
      const std::string cell = line.substr(start + 2, end - start - 2);
      if (cell.size() > 1 && (cell[0] == '+' || cell[0] == '-')) {
        ++rows;
        EXPECT_LE(std::abs(std::stod(cell)), 0.5) << line;
      }
    }
  }
  EXPECT_EQ(rows, 4) << r.output;
  ASSERT_EQ(bd.size(), 2u) << r.output;
  EXPECT_LE(bd["SSIM"], kRealClipMaxBdSsim) << r.output;
  EXPECT_LE(bd["PSNR"], kRealClipMaxBdPsnr) << r.output;
}
