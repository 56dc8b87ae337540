// Tests of scripts/graph_plan.py, the wall-time prediction behind excamera-encode --plan: the list-scheduling
// simulation on a small graph worked out by hand, and its predictions against measured make -j1 and make -j2
// runs of the ExCamera graph whose tools are stand-ins that sleep a known time.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "tool_test_support.hh"
#include "util_test_support.hh"

namespace {

namespace fs = std::filesystem;
using xc::test::run_command;
using xc::test::shell_quote;

// Runs `code` in Python with scripts/ importable; returns its standard output.
std::string python(const std::string& code, const std::string& scratch) {
  const std::string driver = "import sys\nsys.path.insert(0, sys.argv[1])\nimport graph_plan\n" + code;
  const auto r = run_command("python3 -B -c " + shell_quote(driver) + " " +
                                 shell_quote(xc::test::source_path("scripts")),
                             scratch, true);
  EXPECT_EQ(r.exit_code, 0) << r.errors;
  return r.output;
}

// all needs d, e and f; d needs b and c, b and c need a, e needs c. Times a 1, b 2, c 3, d 1, e 5, f 4.
// make's walk reaches them in the order a b c d e f. One worker: 16 s. Two: a and f start at 0, b at 1, c at
// 3 (f holds the other worker until 4, b ends at 3), d and e at 6: 11 s. Three: b and c both start at 1, d
// and e at 4: 9 s, as with unlimited workers, where the critical path a->c->e sets it.
constexpr const char* kSmallGraph = R"(
makefile = """XC_RUN ?=
.PHONY: all clean
all: d e f

a:
\t$(XC_RUN) $(XC_BIN)tool a
b: a
\t$(XC_RUN) $(XC_BIN)tool b
c: a
\t$(XC_RUN) $(XC_BIN)tool c
d: b c
\t$(XC_RUN) $(XC_BIN)tool d
e: c
\t$(XC_RUN) $(XC_BIN)tool e
f:
\t$(XC_RUN) $(XC_BIN)tool f
"""
times = {"a": 1, "b": 2, "c": 3, "d": 1, "e": 5, "f": 4}
log = "".join("{} 100 {} 0\n".format(t, 100 + s) for t, s in times.items()) + "e 0 50 1\n"
predictions, (length, path), work, count = graph_plan.plan(makefile, log, [1, 2, 3, graph_plan.UNLIMITED])
print(count, work, " ".join("{}:{:g}".format(n, s) for n, s in predictions), length, " ".join(n for n, _ in path))
predictions, (length, _), _, _ = graph_plan.plan(makefile, log, [1], overhead=0.5)
print(predictions[0][1], length)
try:
    graph_plan.plan(makefile, log.replace("f 100 104 0", "f 100 104 2"), [1])
except ValueError as e:
    print(e)
)";

TEST(GraphPlan, SmallGraphByHand) {
  xc::test::TempDir dir;
  const std::string out = python(kSmallGraph, dir.path());
  std::istringstream lines(out);
  std::string line;
  ASSERT_TRUE(std::getline(lines, line)) << out;
  // A failed run of e (status 1) is not its time; the successful one is.
  EXPECT_EQ(line, "6 16.0 1:16 2:11 3:9 0:9 9.0 a c e");
  ASSERT_TRUE(std::getline(lines, line)) << out;
  EXPECT_EQ(line, "19.0 10.5") << "0.5 s more per rule";
  ASSERT_TRUE(std::getline(lines, line)) << out;
  EXPECT_EQ(line, "no measured time for 1 of 6 rules (first: f)");
}

// A stand-in for the four tools: sleeps a time set per tool, then writes its outputs.
constexpr const char* kSleepingTool = R"(#!/bin/sh
tool=${0##*/}
case $tool in
  vpxenc) sleep 1 ;;
  xc-enc) sleep 0.8 ;;
  *) sleep 0.3 ;;
esac
prev= outs=
case $tool in
  xc-terminate-chunk|xc-dump) outs=$2 ;;
  *) for a in "$@"; do case $prev in -o|-O) outs="$outs $a" ;; esac; prev=$a; done ;;
esac
for f in $outs; do echo "$tool" >"$f"; done
)";

// Runs the graph of 4 chunks in one batch in dir/NAME with make -jJOBS, every rule timed by
// scripts/time-rule as excamera-encode does; returns make's wall time in seconds.
double run_graph(const xc::test::TempDir& dir, const std::string& name, int jobs) {
  const std::string work = dir.file(name);
  fs::create_directory(work);
  EXPECT_EQ(run_command("python3 " + shell_quote(xc::test::source_path("gen_makefile.py")) + " 0 3 4 22 >" +
                        shell_quote(work + "/excamera.mk"))
                .exit_code,
            0);
  for (int i = 0; i < 4; ++i) {
    char chunk[32];
    std::snprintf(chunk, sizeof chunk, "/%08d.y4m", i);
    xc::test::write_raw(work + chunk, "YUV4MPEG2 W16 H16\n");
  }
  const std::string run = "sh " + shell_quote(xc::test::source_path("scripts/time-rule")) + " " +
                          shell_quote(work + "/rules.log") + " $@";
  const auto began = std::chrono::steady_clock::now();
  const auto r = run_command("cd " + shell_quote(work) + " && make -s -j" + std::to_string(jobs) +
                                 " -f excamera.mk XC_BIN=" + shell_quote(dir.file("bin") + "/") + " XC_RUN=" +
                                 shell_quote(run),
                             dir.path(), true);
  EXPECT_EQ(r.exit_code, 0) << r.errors;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
}

std::vector<double> predict(const xc::test::TempDir& dir, const std::string& name) {
  const auto r = run_command("python3 " + shell_quote(xc::test::source_path("scripts/graph_plan.py")) + " " +
                                 shell_quote(dir.file(name)) + " --workers 1,2,unlimited",
                             dir.path(), true);
  EXPECT_EQ(r.exit_code, 0) << r.errors;
  std::vector<double> seconds;
  std::istringstream in(r.output);
  for (std::string line; std::getline(in, line);) {
    const size_t colon = line.find("worker");
    if (colon != std::string::npos && line.find(": ") != std::string::npos && !line.starts_with("critical")) {
      seconds.push_back(std::stod(line.substr(line.find(": ") + 2)));
    }
  }
  EXPECT_EQ(seconds.size(), 3u) << r.output;
  std::printf("[ plan ] %s", r.output.c_str());
  return seconds;
}

// The prediction from the -j1 run's rule times must come close to what make -j1 and make -j2 took. Each rule
// sleeps 0.3-1 s. What the simulation cannot see is make's own cost per rule outside the timed command
// (forking the shell and time-rule's first date: milliseconds on an idle machine, up to 0.1 s on a loaded
// one, and more at -j2 when two rules start at once), so the tolerance is 10 % plus 0.1 s per rule a worker
// runs.
TEST(GraphPlan, PredictsMeasuredMakeRuns) {
  if (!xc::test::have_program("make")) {
    if (xc::test::on_ci()) FAIL() << "make is missing, and CI=true requires this test";
    GTEST_SKIP() << "make is missing";
  }
  xc::test::TempDir dir;
  fs::create_directory(dir.file("bin"));
  xc::test::write_raw(dir.file("bin/tool"), kSleepingTool);
  fs::permissions(dir.file("bin/tool"), fs::perms::owner_all);
  for (const char* name : {"vpxenc", "xc-terminate-chunk", "xc-dump", "xc-enc"}) {
    fs::create_symlink("tool", dir.file(std::string("bin/") + name));
  }
  const double serial = run_graph(dir, "j1", 1);
  const double parallel = run_graph(dir, "j2", 2);
  const auto predicted = predict(dir, "j1");
  ASSERT_EQ(predicted.size(), 3u);
  // 4 chunks: 4 vpxenc (1 s), 7 terminate/dump (0.3 s), 5 xc-enc (0.8 s); 16 rules, 10.1 s of sleep.
  EXPECT_NEAR(predicted[0], 10.1, 1.6) << "the rule times themselves";
  std::printf("[ plan ] make -j1 took %.2f s, predicted %.2f s (%+.1f %%); make -j2 took %.2f s, predicted %.2f s "
              "(%+.1f %%)\n",
              serial, predicted[0], 100 * (predicted[0] / serial - 1), parallel, predicted[1],
              100 * (predicted[1] / parallel - 1));
  EXPECT_NEAR(predicted[0], serial, 0.1 * serial + 16 * 0.1);
  EXPECT_NEAR(predicted[1], parallel, 0.1 * parallel + 10 * 0.1);
  EXPECT_LT(predicted[1], predicted[0] * 0.75) << "two workers must help";
  EXPECT_LE(predicted[2], predicted[1]);
}

// excamera-encode --plan prints the plan after the encode, from the rule times of the run: one worker takes
// the summed work, more workers never take longer, and the critical path is named.
TEST(GraphPlan, EncodeScriptPrintsThePlan) {
  xc::test::TempDir dir;
  const auto r = run_command("python3 " + shell_quote(xc::test::source_path("scripts/excamera-encode")) + " " +
                                 shell_quote(xc::test::source_path("data/sample.y4m")) + " -o " +
                                 shell_quote(dir.file("out.ivf")) + " -j 1 --bin " + shell_quote(xc::test::tool_dir()) +
                                 " --plan 1,2,unlimited 2>/dev/null",
                             dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::printf("[ plan ] %s", r.output.c_str());
  std::vector<double> seconds;
  double work = -1;
  std::istringstream in(r.output);
  for (std::string line; std::getline(in, line);) {
    if (line.find(" s of measured work") != std::string::npos) {
      EXPECT_NE(line.find("plan: 26 rules, "), std::string::npos) << line;
      work = std::stod(line.substr(line.find("rules, ") + 7));
    }
    if (line.find("worker") != std::string::npos && line.find(": ") != std::string::npos) {
      seconds.push_back(std::stod(line.substr(line.rfind(": ") + 2)));
    }
  }
  ASSERT_EQ(seconds.size(), 3u) << r.output;
  // Equal but for the printing: the work is rounded to 0.1 s, the plan to 0.01 s.
  EXPECT_NEAR(seconds[0], work, 0.05 + 0.005 + 1e-9) << "one worker runs all the work";
  EXPECT_LE(seconds[1], seconds[0]);
  EXPECT_LE(seconds[2], seconds[1]);
  EXPECT_NE(r.output.find("plan: critical path "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("00000005.ivf"), std::string::npos) << "the last chunk ends the critical path";
  EXPECT_NE(r.output.find("with 1 rule at a time"), std::string::npos) << r.output;
}

}  // namespace
