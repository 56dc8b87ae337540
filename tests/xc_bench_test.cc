// xc-bench graph on a tiny clip: the table has a row for every rule of every chunk (and none for rules
// the graph does not have), the summary rows, and a critical path that is at least the longest rule
// and at most the sum of all rules; its printed chain adds up to it. Timing itself is never checked.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tool_test_support.hh"
#include "util/y4m.hh"
#include "util_test_support.hh"

namespace {

using xc::test::run_command;
using xc::test::shell_quote;
using xc::test::tool;

// A 64x48 clip with a square moving across a gradient, so that every chunk has motion to encode.
void write_clip(const std::string& path, int frames) {
  xc::util::Y4mHeader header;
  header.width = 64;
  header.height = 48;
  xc::util::Y4mWriter out(path, header);
  for (int f = 0; f < frames; ++f) {
    xc::util::Image image(64, 48);
    for (int y = 0; y < 48; ++y) {
      for (int x = 0; x < 64; ++x) {
        const bool square = x >= 3 * f % 48 && x < 3 * f % 48 + 12 && y >= 10 + f % 20 && y < 22 + f % 20;
        image.y[size_t(y) * 64 + x] = uint8_t(square ? 230 : 40 + 2 * x + y);
      }
    }
    for (size_t i = 0; i < image.u.size(); ++i) {
      image.u[i] = uint8_t(100 + i % 32);
      image.v[i] = uint8_t(150 - i % 24);
    }
    out.write(image);
  }
  out.finish();
}

struct Row {
  std::vector<std::string> fields;  // clip, size, frames, measure, xc ms, reference, ref ms, ratios
  double xc_ms() const { return std::stod(fields.at(4)); }
  double ref_ms() const { return std::stod(fields.at(6)); }
};

// Splits each line of the table on runs of two or more spaces.
std::map<std::string, Row> parse_table(const std::string& output, std::vector<std::string>& others) {
  std::map<std::string, Row> rows;
  std::istringstream lines(output);
  const std::regex gap(" {2,}");
  bool header = true;
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields(std::sregex_token_iterator(line.begin(), line.end(), gap, -1),
                                    std::sregex_token_iterator());
    if (header) {
      EXPECT_EQ(fields.size(), 8u) << line;
      EXPECT_EQ(fields.at(3), "measure") << line;
      header = false;
    } else if (fields.size() == 8) {
      EXPECT_TRUE(rows.emplace(fields[3], Row{fields}).second) << "two rows for " << fields[3];
    } else {
      others.push_back(line);
    }
  }
  return rows;
}

// Whether rule `a` ("STAGE CHUNK") reads an output of rule `b`, as gen_makefile.py's rules do.
bool needs(const std::string& a, const std::string& b) {
  const size_t sa = a.rfind(' '), sb = b.rfind(' ');
  const std::string stage = a.substr(0, sa), input = b.substr(0, sb);
  const int c = std::stoi(a.substr(sa + 1)), d = std::stoi(b.substr(sb + 1));
  if (stage == "terminate") return input == "vpxenc" && d == c;
  if (stage == "dump") return input == "terminate" && d == c;
  if (stage == "re-encode") return (input == "terminate" && d == c) || (input == "dump" && d == c - 1);
  if (stage == "rebase") {
    return (input == "re-encode" && d == c) || (input == "dump" && d == c - 1) ||
           (input == (c - 1 == 1 ? "re-encode" : "rebase") && d == c - 1);
  }
  return false;
}

TEST(XcBenchGraph, TableHasEveryRuleAndAConsistentCriticalPath) {
  const xc::test::TempDir dir;
  const std::string clip = dir.file("tiny.y4m");
  write_clip(clip, 26);  // four chunks of 6 frames; the last 2 frames are left out
  const auto r = run_command(tool("xc-bench") + " graph --runs 1 " + shell_quote(clip));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<std::string> others;
  const std::map<std::string, Row> rows = parse_table(r.output, others);

  const std::map<std::string, int> first_chunk = {{"terminate", 0}, {"dump", 0}, {"re-encode", 1}, {"rebase", 2}};
  double longest = 0, sum = 0;
  for (int c = 0; c < 4; ++c) {
    for (const auto& [stage, first] : first_chunk) {
      const std::string measure = "chunk " + std::to_string(c) + " " + stage;
      ASSERT_EQ(rows.count(measure), size_t(c >= first)) << measure << "\n" << r.output;
      if (c < first) continue;
      const Row& row = rows.at(measure);
      EXPECT_EQ(row.fields[0], "tiny.y4m");
      EXPECT_EQ(row.fields[1], "64x48");
      EXPECT_EQ(row.fields[2], "6");
      EXPECT_EQ(row.fields[5], "vpxenc chunk " + std::to_string(c));
      // One run: min, median and max of the ratio are that run's ratio, within the rounding of the
      // printed times (0.1 ms) and ratios (0.01).
      const double low = (row.xc_ms() - 0.05) / (row.ref_ms() + 0.05) - 0.005;
      const double high = (row.xc_ms() + 0.05) / (row.ref_ms() - 0.05) + 0.005;
      std::smatch m;
      ASSERT_TRUE(std::regex_match(row.fields[7], m, std::regex(R"(([0-9.]+) / ([0-9.]+) / ([0-9.]+))")))
          << row.fields[7];
      for (int i = 1; i <= 3; ++i) {
        EXPECT_GE(std::stod(m[i]), low) << measure;
        EXPECT_LE(std::stod(m[i]), high) << measure;
      }
      longest = std::max({longest, row.xc_ms(), row.ref_ms()});
      sum += row.xc_ms();
    }
    sum += rows.at("chunk " + std::to_string(c) + " terminate").ref_ms();  // the chunk's vpxenc
  }
  for (const auto& [stage, first] : first_chunk) EXPECT_EQ(rows.count(stage + " (every chunk)"), 1u) << stage;

  for (const char* name : {"longest rule", "all rules", "critical path, 4 chunks"}) {
    ASSERT_EQ(rows.count(name), 1u) << name << "\n" << r.output;
    EXPECT_EQ(rows.at(name).fields[2], "24");
    EXPECT_EQ(rows.at(name).fields[5], "vpxenc whole clip");
  }
  const double path = rows.at("critical path, 4 chunks").xc_ms();
  // The printed figures are rounded to 0.1 ms; each sum below adds up to 20 of them.
  const double rounding = 1.0;
  EXPECT_NEAR(rows.at("longest rule").xc_ms(), longest, 0.06);
  EXPECT_NEAR(rows.at("all rules").xc_ms(), sum, rounding);
  EXPECT_GE(path + 0.06, rows.at("longest rule").xc_ms());
  EXPECT_LE(path, rows.at("all rules").xc_ms() + 0.06);

  // The chain: it starts at a first-stage encode, each rule needs the one before it, and the rules'
  // times add up to the critical path.
  ASSERT_EQ(others.size(), 1u) << r.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_match(others[0], m, std::regex(R"(tiny\.y4m: critical path \(([0-9.]+) ms\): (.*))")))
      << others[0];
  EXPECT_NEAR(std::stod(m[1]), path, 0.06);
  const std::string chain = m[2];
  EXPECT_EQ(chain.rfind("vpxenc ", 0), 0u) << chain;
  double total = 0;
  std::string previous;
  std::istringstream links(std::regex_replace(chain, std::regex(" > "), "\n"));
  for (std::string link; std::getline(links, link);) {
    const size_t space = link.rfind(' ');
    const std::string stage = link.substr(0, space), chunk = link.substr(space + 1);
    if (!previous.empty()) {
      EXPECT_TRUE(needs(link, previous)) << link << " does not need " << previous;
    }
    previous = link;
    total += stage == "vpxenc" ? rows.at("chunk " + chunk + " terminate").ref_ms()
                               : rows.at("chunk " + chunk + " " + stage).xc_ms();
  }
  EXPECT_NEAR(total, path, rounding);
}

TEST(XcBenchGraph, RefusesAClipShorterThanOneChunk) {
  const xc::test::TempDir dir;
  const std::string clip = dir.file("short.y4m");
  write_clip(clip, 5);
  const auto r = run_command(tool("xc-bench") + " graph --runs 1 " + shell_quote(clip), dir.path(), true);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.errors.find(clip + ": 5 frames, fewer than one chunk of 6"), std::string::npos) << r.errors;
}

}  // namespace
