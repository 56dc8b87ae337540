// Tests of scripts/excamera-encode --engine=slurm on the one-node cluster of scripts/slurm-local (started and
// stopped around these tests by the ctest fixture tests/slurm-cluster): the same bytes as --engine=make, every
// rule a job step in the cluster's own records, runs whose steps are cancelled or interrupted resume to the
// same bytes with no truncated target, and bad settings end with one clear line.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "process_test_support.hh"
#include "tool_test_support.hh"
#include "util_test_support.hh"

namespace {

namespace fs = std::filesystem;
using xc::test::read_text;
using xc::test::run_command;
using xc::test::shell_quote;

std::string encode_command(const std::string& output, const std::string& extra) {
  return "python3 " + shell_quote(xc::test::source_path("scripts/excamera-encode")) + " " +
         shell_quote(xc::test::source_path("data/sample.y4m")) + " -o " + shell_quote(output) + " --bin " +
         shell_quote(xc::test::tool_dir()) + " --keep " + extra;
}

// The generated files of a kept work folder (chunks' encodes and states), by name.
std::map<std::string, std::string> targets_in(const std::string& work) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::directory_iterator(work)) {
    const std::string name = e.path().filename().string();
    if (name.ends_with(".ivf") || name.ends_with(".state")) files[name] = read_text(e.path().string());
  }
  return files;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The Slurm job a run used, from its "Slurm job N: ..." line; empty when none.
std::string job_of(const std::string& errors) {
  std::smatch m;
  return std::regex_search(errors, m, std::regex("Slurm job ([0-9]+)")) ? m[1].str() : std::string();
}

// Steps of this test's runs still known to the controller.
std::string our_steps() {
  return run_command("squeue -h -s -o '%i %j' | grep ' excamera-encode-' || true").output;
}

class SlurmEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* dir = std::getenv("XC_SLURM_DIR");
    const std::string why =
        dir == nullptr ? "XC_SLURM_DIR is not set (run through ctest, whose fixture starts the cluster)"
        : run_command("bash " + shell_quote(xc::test::source_path("scripts/slurm-local")) + " status --dir " +
                      shell_quote(dir) + " >/dev/null 2>&1")
                    .exit_code != 0
            ? "the one-node cluster in " + std::string(dir) + " is not running (scripts/slurm-local start needs root, "
              "slurm-wlm and munge)"
            : "";
    if (!why.empty()) {
      if (xc::test::on_ci()) FAIL() << why << "; CI=true requires these tests";
      GTEST_SKIP() << why;
    }
    cluster_ = dir;
    // Slurm's commands, here and in the scripts, find the cluster through its configuration file.
    ::setenv("SLURM_CONF", (cluster_ + "/slurm.conf").c_str(), 1);
  }

  // The sample through --engine=make: the reference output and work files.
  void make_reference() {
    const std::string output = scratch_.file("make.ivf");
    const auto r = run_command(encode_command(output, "-j 2") + " 2>/dev/null");
    ASSERT_EQ(r.exit_code, 0);
    reference_ = read_text(output);
    reference_targets_ = targets_in(output + ".xc-work");
    ASSERT_FALSE(reference_.empty());
    ASSERT_GT(reference_targets_.size(), 20u);
  }

  // Every target present in `work` has the reference's bytes (none truncated); returns how many there are.
  size_t expect_targets_complete(const std::string& work, const std::string& when) {
    const auto present = targets_in(work);
    for (const auto& [name, bytes] : present) {
      const auto it = reference_targets_.find(name);
      if (it == reference_targets_.end()) {
        ADD_FAILURE() << when << ": unexpected file " << name;
      } else {
        EXPECT_TRUE(bytes == it->second) << when << ": " << name << " differs from --engine=make's ("
                                         << bytes.size() << " bytes, want " << it->second.size() << ")";
      }
    }
    return present.size();
  }

  std::string cluster_;
  xc::test::TempDir scratch_;
  std::string reference_;
  std::map<std::string, std::string> reference_targets_;
};

TEST_F(SlurmEngine, SameBytesAsMakeWithEveryRuleAJobStep) {
  ASSERT_NO_FATAL_FAILURE(make_reference());
  const std::string output = scratch_.file("slurm.ivf"), work = output + ".xc-work";
  const auto r = run_command(encode_command(output, "--engine=slurm --slurm-args='--ntasks=2'"), scratch_.path(),
                             true);
  ASSERT_EQ(r.exit_code, 0) << r.errors;
  std::printf("[ slurm ] %s", r.output.c_str());
  EXPECT_TRUE(read_text(output) == reference_) << "--engine=slurm wrote other bytes than --engine=make";
  EXPECT_EQ(targets_in(work), reference_targets_) << "the work files differ";
  EXPECT_NE(r.errors.find(": 2 CPUs on 1 node"), std::string::npos) << r.errors;

  // The cluster's own records: slurmd launched one step per rule (plus the work-folder check), and the job
  // ended (its record in the job completion log).
  const std::string job = job_of(r.errors);
  ASSERT_FALSE(job.empty()) << r.errors;
  const auto rules = lines_of(read_text(work + "/rules.log"));
  EXPECT_EQ(rules.size(), 26u) << "the sample's graph has 26 needed rules";
  for (const std::string& line : rules) EXPECT_TRUE(line.ends_with(" 0")) << "a rule failed: " << line;
  const std::string slurmd_log = read_text(cluster_ + "/slurmd.log");
  const std::regex launch("launch task StepId=" + job + "\\.([0-9]+) ");
  size_t steps = 0;
  for (auto it = std::sregex_iterator(slurmd_log.begin(), slurmd_log.end(), launch); it != std::sregex_iterator();
       ++it) {
    ++steps;
  }
  EXPECT_EQ(steps, rules.size() + 1) << "slurmd's log should show one step per rule and one check step";
  const std::string jobs = read_text(cluster_ + "/jobcomp.log");
  EXPECT_NE(jobs.find("JobId=" + job + " "), std::string::npos) << jobs;
  EXPECT_NE(jobs.find("Name=excamera-encode "), std::string::npos) << jobs;
  EXPECT_EQ(our_steps(), "") << "steps left behind";
  EXPECT_EQ(run_command("squeue -h -j " + job + " 2>/dev/null").output, "") << "the allocation was not released";

  // Inside an allocation (salloc runs the script with SLURM_JOB_ID set), the script uses it and leaves it.
  const std::string inside = scratch_.file("inside.ivf");
  const auto in_job = run_command("salloc --quiet --ntasks=2 " + encode_command(inside, "--engine=slurm"),
                                  scratch_.path(), true);
  ASSERT_EQ(in_job.exit_code, 0) << in_job.errors;
  EXPECT_NE(in_job.errors.find("(the current allocation): 2 CPUs"), std::string::npos) << in_job.errors;
  EXPECT_TRUE(read_text(inside) == reference_) << "inside an allocation";
}

// First a step is cancelled under the running script (scancel), then the script is interrupted as Ctrl-C
// would (SIGINT to its process group); each time the run stops with a non-zero exit, leaves only complete
// targets and no steps, and the same command then resumes to the bytes of --engine=make.
TEST_F(SlurmEngine, CancelledAndInterruptedRunsResume) {
  ASSERT_NO_FATAL_FAILURE(make_reference());
  const std::string output = scratch_.file("resumed.ivf"), work = output + ".xc-work";
  // One rule at a time, and tools that first wait half a second, so that the run is still going and a
  // step is still running when scancel reaches it (the sample's rules alone take a few milliseconds).
  const std::string slow_bin = scratch_.file("slow-bin");
  fs::create_directories(slow_bin);
  for (const char* tool : {"vpxenc", "xc-terminate-chunk", "xc-dump", "xc-enc", "xc-concat", "xc-quality"}) {
    const std::string wrapper = slow_bin + "/" + tool;
    xc::test::write_raw(wrapper, "#!/bin/sh\nsleep 0.5\nexec " + shell_quote(xc::test::tool(tool)) + " \"$@\"\n");
    fs::permissions(wrapper, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  }
  const std::string command =
      encode_command(output, "--engine=slurm --slurm-args='--ntasks=1' --bin " + shell_quote(slow_bin));

  // Waits until the run logged at `log` has a rule's step running (not the check step before them) and has
  // made a few targets; returns that step's id.
  const auto running_step = [&](pid_t pid, const std::string& log, std::string& step) {
    bool finished = false;
    int status = 0;
    const bool hit = xc::test::wait_until(
        pid,
        [&] {
          if (read_text(scratch_.file(log)).find("Slurm job ") == std::string::npos) return false;
          const std::string steps = our_steps();
          if (steps.empty() || targets_in(work).size() < 6) return false;
          step = steps.substr(0, steps.find(' '));
          return true;
        },
        finished, status);
    return hit;
  };

  // exec: the script leads the process group and its exit status is the one seen here.
  const pid_t first = xc::test::spawn_group("exec " + command + " >first.log 2>&1", scratch_.path());
  ASSERT_GT(first, 0);
  std::string step;
  if (!running_step(first, "first.log", step)) {
    xc::test::kill_group(first);
    FAIL() << "no step of the run was seen running:\n" << read_text(scratch_.file("first.log"));
  }
  // A rule takes a fraction of a second here, so the step may end before scancel reaches it: cancel the
  // run's current step until the run stops.
  int status = 0;
  bool stopped = false;
  for (int i = 0; i < 300 && !stopped; ++i) {
    const std::string steps = our_steps();
    if (!steps.empty()) run_command("scancel " + steps.substr(0, steps.find(' ')) + " 2>/dev/null");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stopped = ::waitpid(first, &status, WNOHANG) == first;
  }
  if (!stopped) {
    xc::test::kill_group(first);
    FAIL() << "the run did not stop after its steps were cancelled:\n" << read_text(scratch_.file("first.log"));
  }
  const std::string first_log = read_text(scratch_.file("first.log"));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << "exit after a cancelled step:\n" << first_log;
  EXPECT_NE(first_log.find("run again to resume"), std::string::npos) << first_log;
  EXPECT_FALSE(fs::exists(output));
  const size_t after_cancel = expect_targets_complete(work, "after scancel");
  EXPECT_LT(after_cancel, reference_targets_.size());
  EXPECT_EQ(our_steps(), "");

  const pid_t second = xc::test::spawn_group("exec " + command + " >second.log 2>&1", scratch_.path());
  ASSERT_GT(second, 0);
  if (!running_step(second, "second.log", step)) {
    xc::test::kill_group(second);
    FAIL() << "the resumed run showed no running step:\n" << read_text(scratch_.file("second.log"));
  }
  ::kill(-second, SIGINT);
  ASSERT_EQ(::waitpid(second, &status, 0), second);
  const std::string second_log = read_text(scratch_.file("second.log"));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << "exit after Ctrl-C:\n" << second_log;
  EXPECT_NE(second_log.find("interrupted; run the same command again to resume"), std::string::npos) << second_log;
  const std::string job = job_of(second_log);
  ASSERT_FALSE(job.empty()) << second_log;
  // The allocation this run asked for is gone with its steps (cancellation takes a moment to finish).
  for (int i = 0; i < 50 && (our_steps() != "" || run_command("squeue -h -j " + job + " 2>/dev/null").output != "");
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(our_steps(), "") << "steps left running after Ctrl-C";
  EXPECT_EQ(run_command("squeue -h -j " + job + " 2>/dev/null").output, "") << "allocation left after Ctrl-C";
  const size_t after_interrupt = expect_targets_complete(work, "after Ctrl-C");
  EXPECT_GE(after_interrupt, after_cancel);

  const auto last = run_command(command, scratch_.path(), true);
  ASSERT_EQ(last.exit_code, 0) << last.errors;
  EXPECT_TRUE(read_text(output) == reference_) << "the resumed run's output differs from --engine=make's";
  EXPECT_EQ(targets_in(work), reference_targets_);
  std::printf("[ slurm ] %zu targets after scancel, %zu after Ctrl-C, %zu at the end\n", after_cancel,
              after_interrupt, reference_targets_.size());
}

// A bad setting gives exactly one line on standard error, naming the problem, and exit 1.
void expect_one_line(const xc::test::CommandResult& r, const std::string& needle, const std::string& what) {
  EXPECT_EQ(r.exit_code, 1) << what << ":\n" << r.errors;
  const auto lines = lines_of(r.errors);
  EXPECT_EQ(lines.size(), 1u) << what << ":\n" << r.errors;
  EXPECT_TRUE(r.errors.starts_with("excamera-encode: ")) << what << ":\n" << r.errors;
  EXPECT_NE(r.errors.find(needle), std::string::npos) << what << ": no '" << needle << "' in:\n" << r.errors;
}

TEST_F(SlurmEngine, BadSettingsGiveOneClearLine) {
  const std::string output = scratch_.file("bad.ivf");
  // No Slurm clients on PATH.
  expect_one_line(run_command("PATH=/nonexistent " + encode_command(output, "--engine=slurm").replace(0, 7, "/usr/bin/python3"),
                              scratch_.path(), true),
                  "srun", "no Slurm");
  // A request the cluster can never grant (it has one node), and a partition it does not have.
  expect_one_line(run_command(encode_command(output, "--engine=slurm --slurm-args='--nodes=5'"), scratch_.path(), true),
                  "can never start", "five nodes");
  expect_one_line(
      run_command(encode_command(output, "--engine=slurm --slurm-args='--partition=nosuch'"), scratch_.path(), true),
      "no Slurm allocation", "no such partition");
  EXPECT_EQ(run_command("squeue -h").output, "") << "a refused request left a job behind";

  // A tool that cannot run on the nodes (here: its program loader is missing, as a dynamically linked tool's
  // libraries can be) is found by the check step, before any rule runs.
  const std::string bin = scratch_.file("bin");
  fs::create_directory(bin);
  for (const char* tool : {"vpxenc", "xc-terminate-chunk", "xc-dump", "xc-concat", "xc-quality"}) {
    fs::create_symlink(xc::test::tool(tool), bin + "/" + tool);
  }
  xc::test::write_raw(bin + "/xc-enc", "#!/nonexistent/loader\n");
  fs::permissions(bin + "/xc-enc", fs::perms::owner_all);
  const auto broken = run_command(encode_command(output, "--engine=slurm --work " + shell_quote(scratch_.file("w"))) +
                                      " --bin " + shell_quote(bin),
                                  scratch_.path(), true);
  expect_one_line(broken, "xc-enc cannot run on", "a tool that does not run");
  EXPECT_NE(broken.errors.find("static build"), std::string::npos) << broken.errors;

  // A work folder the job steps do not see: a private tmpfs mounted over it in the script's own mount
  // namespace, as a folder on a disk the nodes do not share would be.
  const std::string hidden = scratch_.file("private");
  fs::create_directory(hidden);
  const auto unshare = run_command("unshare -m true 2>/dev/null");
  if (unshare.exit_code != 0) {
    if (xc::test::on_ci()) FAIL() << "unshare -m failed; CI=true requires the unshared-folder check";
    GTEST_SKIP() << "unshare -m is not permitted here: the unshared-work-folder case is not checked";
  }
  const auto r = run_command("unshare -m sh -c " +
                                 shell_quote("mount -t tmpfs none " + shell_quote(hidden) + " && exec " +
                                             encode_command(hidden + "/out.ivf", "--engine=slurm")),
                             scratch_.path(), true);
  expect_one_line(r, "not writable on", "unshared work folder");
  EXPECT_NE(r.errors.find(hidden + "/out.ivf.xc-work"), std::string::npos) << r.errors;
  EXPECT_EQ(run_command("squeue -h").output, "") << "the failed check left its allocation behind";
}

// scripts/slurm-local refuses with one line when it cannot start a cluster: not root, or Slurm missing.
TEST(SlurmLocal, RefusesWithoutRootOrPackages) {
  xc::test::TempDir dir;
  const std::string script = "bash " + shell_quote(xc::test::source_path("scripts/slurm-local"));
  const std::string cluster = " --dir " + shell_quote(dir.file("cluster"));
  const bool root = ::geteuid() == 0;
  if (root && !xc::test::have_program("setpriv")) {
    if (xc::test::on_ci()) FAIL() << "setpriv is missing, and CI=true requires this test";
    GTEST_SKIP() << "setpriv is missing (util-linux): cannot run slurm-local as another user";
  }
  const auto unprivileged = run_command(
      (root ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "") + script + " start" + cluster,
      dir.path(), true);
  EXPECT_EQ(unprivileged.exit_code, 1) << unprivileged.errors;
  EXPECT_EQ(lines_of(unprivileged.errors).size(), 1u) << unprivileged.errors;
  EXPECT_NE(unprivileged.errors.find("slurm-local: needs root"), std::string::npos) << unprivileged.errors;
  if (!root) GTEST_SKIP() << "not root: the missing-package case needs root to get past the first check";
  // A PATH with only what the script needs before it looks for Slurm.
  const std::string bin = dir.file("bin");
  fs::create_directory(bin);
  for (const char* tool : {"id", "nproc"}) {
    std::string path = run_command(std::string("command -v ") + tool).output;
    while (!path.empty() && path.back() == '\n') path.pop_back();
    fs::create_symlink(path, bin + "/" + tool);
  }
  const auto missing = run_command("PATH=" + shell_quote(bin) + " /bin/" + script + " start" + cluster, dir.path(),
                                   true);
  EXPECT_EQ(missing.exit_code, 1) << missing.errors;
  EXPECT_EQ(lines_of(missing.errors).size(), 1u) << missing.errors;
  EXPECT_NE(missing.errors.find("missing munged"), std::string::npos) << missing.errors;
  EXPECT_NE(missing.errors.find("scripts/install-deps"), std::string::npos) << missing.errors;
  EXPECT_FALSE(fs::exists(dir.file("cluster"))) << "a refused start must leave nothing";
}

}  // namespace
