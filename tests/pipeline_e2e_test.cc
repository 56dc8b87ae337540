// End-to-end tests of the ExCamera pipeline on a real-motion clip: gen_makefile.py's Makefile under make -j2
// (output played by libvpx, quality near the vpxenc chunks'), every rule run alone as a gg thunk would run it,
// determinism, a killed and resumed make, and scripts/excamera-encode (RFC 6386 streams throughout).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sha2.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "libvpx_helpers.hh"
#include "process_test_support.hh"
#include "tool_test_support.hh"
#include "util/ivf.hh"
#include "util/y4m.hh"
#include "util_test_support.hh"
#include "vp8/decoder.hh"
#include "vp8/picture.hh"
#include "vp8/state_io.hh"

namespace {

namespace fs = std::filesystem;
using xc::test::kill_group;
using xc::test::run_command;
using xc::test::shell_quote;
using xc::test::spawn_group;
using xc::test::wait_until;

// The clip: 16 chunks of 6 frames at 128x80, one batch, cq-level 22.
constexpr int kChunks = 16;
constexpr int kFramesPerChunk = 6;
constexpr int kFrames = kChunks * kFramesPerChunk;
constexpr int kCq = 22;
// A zooming, panning Mandelbrot texture averaged with testsrc2 (moving shapes, a scrolling bar, a running
// clock): global sub-pixel motion, local motion and text, all deterministic.
constexpr const char* kClipFilter =
    "mandelbrot=s=256x160:r=24:start_scale=0.3:end_scale=0.1,"
    "crop=128:80:x='64+40*sin(t)':y='40+30*cos(1.3*t)'[m];"
    "testsrc2=s=128x80:r=24[t];[m][t]blend=all_mode=average,format=yuv420p";

std::string chunk_name(int chunk, const char* suffix) {
  char name[32];
  std::snprintf(name, sizeof name, "%08d%s", chunk, suffix);
  return name;
}

std::string read_file(const std::string& path) { return xc::test::read_text(path); }

// ---------------------------------------------------------------------------------------------
// The generated Makefile's file rules, read the way a gg front end reads them.

struct MakeRule {
  std::vector<std::string> targets;
  std::vector<std::string> prerequisites;
  std::string tool;                    // the recipe's program, without $(XC_BIN)
  std::vector<std::string> arguments;  // the rest of the recipe, one word each
};

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

// Rules are "targets: prerequisites" or "targets &: prerequisites" followed by one tab-indented command
// "$(XC_RUN) $(XC_BIN)tool arguments" (the launcher hook is empty here, as it is under gg); all, clean and
// special targets have no such command and are left out.
std::vector<MakeRule> file_rules(const std::string& makefile) {
  std::vector<MakeRule> rules;
  std::istringstream in(makefile);
  MakeRule pending;
  bool have_pending = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with('\t')) {
      const auto command = words(line);
      const std::string hook = "$(XC_RUN)", prefix = "$(XC_BIN)";
      if (have_pending && command.size() >= 2 && command[0] == hook && command[1].starts_with(prefix)) {
        pending.tool = command[1].substr(prefix.size());
        pending.arguments.assign(command.begin() + 2, command.end());
        rules.push_back(pending);
      }
      have_pending = false;
      continue;
    }
    const size_t colon = line.find(':');
    if (line.starts_with('#') || colon == std::string::npos || line.find('=') != std::string::npos) continue;
    std::string head = line.substr(0, colon);
    if (head.ends_with('&')) head.pop_back();
    pending = {words(head), words(line.substr(colon + 1)), {}, {}};
    have_pending = true;
  }
  return rules;
}

// ---------------------------------------------------------------------------------------------
// Numbers out of xc-quality's JSON (one object; "frames" holds per-frame objects, "average" the means).

double json_number_after(const std::string& json, const std::string& key, size_t from) {
  const std::string quoted = "\"" + key + "\": ";
  const size_t at = json.find(quoted, from);
  if (at == std::string::npos) throw std::runtime_error("no \"" + key + "\" in: " + json.substr(0, 200));
  return std::strtod(json.c_str() + at + quoted.size(), nullptr);
}

double average_of(const std::string& json, const std::string& key) {
  const size_t average = json.find("\"average\"");
  if (average == std::string::npos) throw std::runtime_error("no average in: " + json.substr(0, 200));
  return json_number_after(json, key, average);
}

std::vector<double> per_frame(const std::string& json, const std::string& key) {
  std::vector<double> out;
  for (size_t at = json.find("{\"frame\": "); at != std::string::npos; at = json.find("{\"frame\": ", at + 1)) {
    out.push_back(json_number_after(json, key, at));
  }
  return out;
}

double ssim_db(double ssim) { return -10.0 * std::log10(1.0 - ssim); }

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

size_t count_matching(const std::string& dir, const std::function<bool(const std::string&)>& match) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += match(e.path().filename().string());
  return n;
}

std::string sha256_hex(const std::string& bytes) {
  char hex[SHA256_DIGEST_STRING_LENGTH];
  SHA256Data(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), hex);
  return hex;
}

// ---------------------------------------------------------------------------------------------
// The fixture: the clip, its chunks, the Makefile and one reference make -j2 run, made once per process by the
// first test that needs them (ctest runs each test in a process of its own).

class Pipeline : public ::testing::Test {
 protected:
  struct Shared {
    xc::test::TempDir root;
    std::string clip;       // the whole clip (Y4M)
    std::string chunks;     // folder of NNNNNNNN.y4m
    std::string makefile;   // gen_makefile.py 0 15 16 22
    std::vector<MakeRule> rules;
    std::string reference;  // folder of the reference make -j2 run
    std::map<std::string, std::string> reference_files;  // every target it made, by name
  };

  static void SetUpTestSuite() { skip_reason_ = missing_programs(); }
  static void TearDownTestSuite() { shared_.reset(); }

  void SetUp() override {
    if (!skip_reason_.empty()) {
      if (xc::test::on_ci()) FAIL() << skip_reason_ << ", and CI=true requires this test";
      GTEST_SKIP() << skip_reason_;
    }
  }

  // The clip, its chunks and the Makefile, made by the first test that needs them.
  static void need_clip() {
    if (shared_) return;
    auto s = std::make_unique<Shared>();
    s->clip = s->root.file("clip.y4m");
    const auto made = run_command("ffmpeg -nostdin -v error -f lavfi -i " + shell_quote(kClipFilter) + " -frames:v " +
                                  std::to_string(kFrames) + " -f yuv4mpegpipe " + shell_quote(s->clip));
    ASSERT_EQ(made.exit_code, 0) << "ffmpeg could not make the clip";
    s->chunks = s->root.file("chunks");
    fs::create_directory(s->chunks);
    split_clip(s->clip, s->chunks);
    const auto generated = run_command("python3 " + shell_quote(xc::test::source_path("gen_makefile.py")) + " 0 " +
                                       std::to_string(kChunks - 1) + " 16 " + std::to_string(kCq));
    ASSERT_EQ(generated.exit_code, 0) << "gen_makefile.py failed";
    s->makefile = generated.output;
    s->rules = file_rules(s->makefile);
    shared_ = std::move(s);
  }

  // Besides, one uninterrupted make -j2 run, the reference for the others.
  static void need_reference() {
    ASSERT_NO_FATAL_FAILURE(need_clip());
    if (!shared_->reference_files.empty()) return;
    const std::string dir = shared_->root.file("reference");
    ASSERT_EQ(run_make(dir), "") << "the reference make -j2 run failed";
    shared_->reference = dir;
    shared_->reference_files = targets_in(dir);
  }

  static std::string missing_programs() {
    for (const char* program : {"ffmpeg", "make", "python3"}) {
      if (!xc::test::have_program(program)) return std::string(program) + " is missing";
    }
    const auto version = run_command("make --version");
    if (!version.output.starts_with("GNU Make")) return "make is not GNU make";
    return {};
  }

  // Writes the clip's frames as NNNNNNNN.y4m chunks of kFramesPerChunk frames, each with the clip's header.
  static void split_clip(const std::string& clip, const std::string& dir) {
    const xc::util::Y4mReader y4m(clip);
    const std::string text = read_file(clip);
    const std::string header = text.substr(0, text.find('\n') + 1);
    for (size_t chunk = 0; chunk * kFramesPerChunk < y4m.frame_count(); ++chunk) {
      std::string out = header;
      for (size_t i = chunk * kFramesPerChunk; i < std::min(y4m.frame_count(), (chunk + 1) * kFramesPerChunk); ++i) {
        const auto bytes = y4m.frame_bytes(i);
        out += "FRAME\n";
        out.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      }
      xc::test::write_raw(dir + "/" + chunk_name(int(chunk), ".y4m"), out);
    }
  }

  // A fresh folder holding the chunks and the Makefile.
  static void prepare(const std::string& dir) {
    fs::create_directory(dir);
    for (int i = 0; i < kChunks; ++i) fs::copy_file(shared_->chunks + "/" + chunk_name(i, ".y4m"), dir + "/" + chunk_name(i, ".y4m"));
    xc::test::write_raw(dir + "/excamera.mk", shared_->makefile);
  }

  static std::string make_command() {
    return "make -j2 -f excamera.mk XC_BIN=" + shell_quote(xc::test::tool_dir() + "/") + " >>make.log 2>&1";
  }

  // Prepares `dir` and runs make -j2 there; returns an error (with make's log) or nothing.
  static std::string run_make(const std::string& dir) {
    prepare(dir);
    const auto r = run_command("cd " + shell_quote(dir) + " && " + make_command());
    if (r.exit_code != 0) return "exit " + std::to_string(r.exit_code) + ":\n" + read_file(dir + "/make.log");
    return {};
  }

  // The contents of every rule's target present in `dir`, by name.
  static std::map<std::string, std::string> targets_in(const std::string& dir) {
    std::map<std::string, std::string> out;
    for (const MakeRule& rule : shared_->rules) {
      for (const std::string& target : rule.targets) {
        if (fs::exists(dir + "/" + target)) out[target] = read_file(dir + "/" + target);
      }
    }
    return out;
  }

  static std::vector<std::string> final_chunks(const std::string& dir) {
    std::vector<std::string> out;
    for (int i = 0; i < kChunks; ++i) out.push_back(dir + "/" + chunk_name(i, ".ivf"));
    return out;
  }

  // Joins the final chunks of `dir` into `output` with xc-concat.
  static void concat(const std::string& dir, const std::string& output) {
    std::string command = shell_quote(xc::test::tool("xc-concat")) + " " + shell_quote(output);
    for (const std::string& chunk : final_chunks(dir)) command.append(" ").append(shell_quote(chunk));
    const auto r = run_command(command);
    ASSERT_EQ(r.exit_code, 0) << command;
  }

  static std::string quality_json(const std::string& reference, const std::string& distorted) {
    const auto r = run_command(shell_quote(xc::test::tool("xc-quality")) + " --json " + shell_quote(reference) + " " +
                               shell_quote(distorted));
    EXPECT_EQ(r.exit_code, 0) << "xc-quality " << reference << " " << distorted;
    return r.output;
  }

  // Every target file present in `dir` is whole: it equals the reference run's, and parses as an IVF or
  // loads as a state. Returns how many there are.
  static size_t expect_targets_complete(const std::string& dir, const std::string& when) {
    size_t present = 0;
    for (const auto& [name, bytes] : targets_in(dir)) {
      ++present;
      const std::string path = dir + "/" + name;
      EXPECT_TRUE(bytes == shared_->reference_files.at(name))
          << when << ": " << name << " (" << bytes.size() << " bytes) differs from the uninterrupted run's ("
          << shared_->reference_files.at(name).size() << " bytes)";
      try {
        if (name.ends_with(".ivf")) {
          const xc::util::IvfReader ivf(path);
          EXPECT_GT(ivf.frame_count(), 0u) << when << ": " << name;
        } else {
          xc::vp8::load_state(path);
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << when << ": " << name << " is not complete: " << e.what();
      }
    }
    return present;
  }

  static std::unique_ptr<Shared> shared_;
  static std::string skip_reason_;
};

std::unique_ptr<Pipeline::Shared> Pipeline::shared_;
std::string Pipeline::skip_reason_;

TEST_F(Pipeline, MakeOutputPlaysInLibvpxAndFollowsTheWholeClipEncode) {
  ASSERT_NO_FATAL_FAILURE(need_reference());
  const Shared& s = *shared_;
  ASSERT_EQ(s.rules.size(), size_t(3 * kChunks + (kChunks - 1) + (kChunks - 2)));
  const std::string output = s.root.file("pipeline.ivf");
  concat(s.reference, output);

  // libvpx and this toolkit's decoder show the same pictures, frame by frame, from a fresh decoder.
  const xc::util::IvfReader ivf(output);
  xc::test::VpxDecoder libvpx;
  xc::vp8::DecoderState state;
  int shown = 0;
  for (size_t i = 0; i < ivf.frame_count(); ++i) {
    const auto theirs = libvpx.decode(ivf.frame(i).data);
    const auto ours = xc::vp8::decode_frame(state, ivf.frame(i).data);
    state = ours.state;
    ASSERT_EQ(theirs.has_value(), ours.shown) << "frame " << i;
    if (!ours.shown) continue;
    const std::string difference = xc::test::first_difference(*theirs, xc::vp8::to_image(*ours.picture));
    ASSERT_EQ(difference, "") << "frame " << i << " (shown frame " << shown << "): libvpx vs ours";
    ++shown;
  }
  EXPECT_EQ(shown, kFrames);

  // Quality: the joined output against the clip, the vpxenc chunks each against its own frames.
  const std::string ours_json = quality_json(s.clip, output);
  const double ours_db = average_of(ours_json, "ssim_db");
  std::vector<double> vpxenc_ssim;
  uint64_t vpxenc_bytes = 0;
  for (int i = 0; i < kChunks; ++i) {
    const std::string chunk = s.reference + "/" + chunk_name(i, "-vpxenc.ivf");
    const auto frames = per_frame(quality_json(s.reference + "/" + chunk_name(i, ".y4m"), chunk), "ssim");
    EXPECT_EQ(frames.size(), size_t(kFramesPerChunk)) << chunk;
    vpxenc_ssim.insert(vpxenc_ssim.end(), frames.begin(), frames.end());
    vpxenc_bytes += fs::file_size(chunk);
  }
  ASSERT_EQ(vpxenc_ssim.size(), size_t(kFrames));
  double mean = 0;
  for (double v : vpxenc_ssim) mean += v / kFrames;
  const double vpxenc_db = ssim_db(mean);

  // The same frames as one vpxenc encode, with the Makefile's own vpxenc flags.
  const MakeRule& first = s.rules.front();
  ASSERT_EQ(first.tool, "vpxenc");
  std::string command = shell_quote(xc::test::tool("vpxenc"));
  const std::string whole = s.root.file("whole.ivf");
  for (const std::string& a : first.arguments) {
    command += " " + shell_quote(a == first.targets[0] ? whole : a == first.prerequisites[0] ? s.clip : a);
  }
  ASSERT_EQ(run_command(command + " 2>/dev/null").exit_code, 0) << command;
  const double whole_db = average_of(quality_json(s.clip, whole), "ssim_db");
  const auto ours_bytes = fs::file_size(output), whole_bytes = fs::file_size(whole);
  std::printf("[ pipeline ] %d frames of 128x80, cq-level %d, %d chunks of %d:\n", kFrames, kCq, kChunks,
              kFramesPerChunk);
  std::printf("[ pipeline ]   ExCamera (make -j2, xc-concat)  %7ju bytes  SSIM %.3f dB  PSNR %.2f dB\n",
              uintmax_t(ours_bytes), ours_db, average_of(ours_json, "psnr"));
  std::printf("[ pipeline ]   vpxenc chunks (key frames)      %7ju bytes  SSIM %.3f dB\n", uintmax_t(vpxenc_bytes),
              vpxenc_db);
  std::printf("[ pipeline ]   vpxenc whole clip               %7ju bytes  SSIM %.3f dB  (ExCamera/whole %.3f)\n",
              uintmax_t(whole_bytes), whole_db, double(ours_bytes) / double(whole_bytes));
  // The reference is the whole-clip encode (the vpxenc chunks restart from a near-lossless key frame
  // every few frames, a quality nobody asked for): at the same cq-level the output's quality follows
  // it, at a size not far above it (the real-clip Bjontegaard bounds are in rate_quality_report_test).
  EXPECT_NEAR(ours_db, whole_db, 0.5) << "at the same cq-level, the pipeline's SSIM must follow the whole-clip encode's";
  EXPECT_LT(double(ours_bytes), 1.2 * double(whole_bytes)) << "the pipeline's output is far larger than the whole-clip encode";
}

// Each rule as a gg worker runs its thunk: an empty folder holding only the declared prerequisites (read-only,
// named by the SHA-256 of their contents, no extension) and a hashed copy of the tool, run by absolute path
// with an empty environment; the outputs it names are collected afterwards.
TEST_F(Pipeline, EveryRuleRunsAloneLikeAGgThunk) {
  ASSERT_NO_FATAL_FAILURE(need_reference());
  const Shared& s = *shared_;
  const std::string gg = s.root.file("gg");
  fs::create_directory(gg);
  std::map<std::string, std::string> store;  // every file available so far, by its Makefile name
  for (int i = 0; i < kChunks; ++i) store[chunk_name(i, ".y4m")] = read_file(s.chunks + "/" + chunk_name(i, ".y4m"));
  std::map<std::string, std::pair<std::string, std::string>> tools;  // name -> (hash, bytes)

  struct Thunk {
    std::string dir, log;
    std::map<std::string, std::string> inputs;  // hashed name -> bytes
    std::string tool_hash;
    std::vector<std::string> argv;
  };
  std::vector<bool> done(s.rules.size(), false), started(s.rules.size(), false);
  std::map<pid_t, size_t> running;
  std::map<size_t, Thunk> thunks;
  size_t finished = 0;

  auto ready = [&](size_t r) {
    for (const std::string& p : s.rules[r].prerequisites) {
      if (!store.count(p)) return false;
    }
    return true;
  };
  auto launch = [&](size_t r) {
    const MakeRule& rule = s.rules[r];
    Thunk t;
    t.dir = gg + "/" + std::to_string(r);
    t.log = gg + "/" + std::to_string(r) + ".log";
    fs::create_directory(t.dir);
    std::map<std::string, std::string> renamed;
    for (const std::string& p : rule.prerequisites) {
      const std::string hash = sha256_hex(store.at(p));
      renamed[p] = hash;
      t.inputs[hash] = store.at(p);
      xc::test::write_raw(t.dir + "/" + hash, store.at(p));
      fs::permissions(t.dir + "/" + hash, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    }
    if (!tools.count(rule.tool)) {
      const std::string bytes = read_file(xc::test::tool(rule.tool));
      tools[rule.tool] = {sha256_hex(bytes), bytes};
    }
    t.tool_hash = tools[rule.tool].first;
    const std::string program = t.dir + "/" + t.tool_hash;
    xc::test::write_raw(program, tools[rule.tool].second);
    fs::permissions(program, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                 fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
    t.argv.push_back(program);
    std::set<std::string> named;
    for (const std::string& a : rule.arguments) {
      named.insert(a);
      t.argv.push_back(renamed.count(a) ? renamed[a] : a);
    }
    for (const std::string& name : rule.prerequisites) {
      EXPECT_TRUE(named.count(name)) << rule.targets[0] << ": the command does not name its prerequisite " << name;
    }
    for (const std::string& name : rule.targets) {
      EXPECT_TRUE(named.count(name)) << rule.targets[0] << ": the command does not name its target " << name;
    }
    std::vector<char*> argv;
    for (std::string& a : t.argv) argv.push_back(a.data());
    argv.push_back(nullptr);
    char* const envp[] = {nullptr};
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int in = ::open("/dev/null", O_RDONLY);
      const int out = ::open(t.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (in < 0 || out < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0 ||
          ::chdir(t.dir.c_str()) != 0) {
        ::_exit(126);
      }
      ::execve(argv[0], argv.data(), envp);
      ::_exit(127);
    }
    ASSERT_GT(pid, 0);
    running[pid] = r;
    started[r] = true;
    thunks[r] = std::move(t);
  };
  auto collect = [&](size_t r, int status) {
    const MakeRule& rule = s.rules[r];
    const Thunk& t = thunks[r];
    std::string command = rule.tool;
    for (const std::string& a : rule.arguments) command += " " + a;
    const bool succeeded = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    ASSERT_TRUE(succeeded) << command << " failed alone in " << t.dir << ":\n" << read_file(t.log);
    std::set<std::string> expected(rule.targets.begin(), rule.targets.end());
    for (const auto& [hash, bytes] : t.inputs) {
      expected.insert(hash);
      EXPECT_TRUE(read_file(t.dir + "/" + hash) == bytes) << command << " changed an input";
    }
    expected.insert(t.tool_hash);
    const auto present = files_in(t.dir);
    EXPECT_EQ(std::set<std::string>(present.begin(), present.end()), expected)
        << command << ": the folder must hold its inputs, the tool and exactly its outputs";
    for (const std::string& target : rule.targets) {
      ASSERT_TRUE(fs::exists(t.dir + "/" + target)) << command << " did not write " << target;
      store[target] = read_file(t.dir + "/" + target);  // what a worker uploads
    }
    fs::remove_all(t.dir);
    done[r] = true;
    ++finished;
  };

  // Two at a time, each as soon as its prerequisites exist: dependency order, as gg's scheduler runs them.
  while (finished < s.rules.size()) {
    for (size_t r = 0; r < s.rules.size() && running.size() < 2; ++r) {
      if (!started[r] && ready(r)) launch(r);
      if (HasFatalFailure()) return;
    }
    ASSERT_FALSE(running.empty()) << "some rules can never run: their prerequisites are made by no rule";
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    ASSERT_GT(pid, 0);
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const size_t r = it->second;
    running.erase(it);
    collect(r, status);
    if (HasFatalFailure()) {
      for (const auto& [other, _] : running) ::waitpid(other, &status, 0);
      return;
    }
  }

  // Everything make -j2 made is byte-identical; gg also ran the rule make does not need (the last -0 state).
  for (const auto& [name, bytes] : s.reference_files) {
    ASSERT_TRUE(store.count(name)) << name;
    EXPECT_TRUE(store.at(name) == bytes) << name << " differs between the gg-style run and make -j2";
  }
  for (int i = 0; i < kChunks; ++i) EXPECT_TRUE(s.reference_files.count(chunk_name(i, ".ivf"))) << i;
  EXPECT_EQ(store.size(), s.reference_files.size() + kChunks + 1);
}

TEST_F(Pipeline, TwoRunsInFreshFoldersAreByteIdentical) {
  ASSERT_NO_FATAL_FAILURE(need_reference());
  const Shared& s = *shared_;
  const std::string again = s.root.file("again");
  ASSERT_EQ(run_make(again), "");
  const auto files = targets_in(again);
  ASSERT_EQ(files.size(), s.reference_files.size());
  size_t states = 0;
  for (const auto& [name, bytes] : s.reference_files) {
    ASSERT_TRUE(files.count(name)) << name;
    EXPECT_TRUE(files.at(name) == bytes) << name << " differs between two runs";
    states += name.ends_with(".state");
  }
  EXPECT_EQ(states, size_t(kChunks - 1 + kChunks - 2))
      << "the -0 states of all chunks but the last, the -1 states of all but the first and the last";
  fs::remove_all(again);
}

// make -j2 killed (SIGKILL to make and every child) first during the first encodes, then during the rebase
// chain, and run again each time: no target is ever left truncated, and the end result is the same bytes.
TEST_F(Pipeline, KilledMakeResumesToTheSameBytes) {
  ASSERT_NO_FATAL_FAILURE(need_reference());
  const Shared& s = *shared_;
  const std::string dir = s.root.file("killed");
  prepare(dir);
  auto count = [&](const char* suffix) {
    return count_matching(dir, [&](const std::string& name) { return name.ends_with(suffix); });
  };
  const struct {
    const char* when;
    std::function<bool()> ready;
  } kills[] = {
      {"killed after three -0 states", [&] { return count("-0.state") >= 3; }},
      {"killed during the rebase chain", [&] { return count("-1.state") >= 3; }},
  };
  for (const auto& kill : kills) {
    const pid_t pid = spawn_group(make_command(), dir);
    ASSERT_GT(pid, 0);
    bool finished = false;
    int status = 0;
    const bool hit = wait_until(pid, kill.ready, finished, status);
    if (!hit) {
      if (!finished) kill_group(pid);
      FAIL() << kill.when << ": make " << (finished ? "finished first" : "never got there") << "\n"
             << read_file(dir + "/make.log");
    }
    kill_group(pid);
    const size_t present = expect_targets_complete(dir, kill.when);
    const size_t temporary =
        count_matching(dir, [](const std::string& name) { return name.find(".tmp") != std::string::npos; });
    std::printf("[ pipeline ] %s: %zu of %zu targets present and complete, %zu temporary files\n", kill.when, present,
                s.reference_files.size(), temporary);
    EXPECT_LT(present, s.reference_files.size()) << kill.when;
  }
  const auto r = run_command("cd " + shell_quote(dir) + " && " + make_command());
  ASSERT_EQ(r.exit_code, 0) << read_file(dir + "/make.log");
  EXPECT_EQ(expect_targets_complete(dir, "after the last run"), s.reference_files.size());
  fs::remove_all(dir);
}

// ---------------------------------------------------------------------------------------------
// scripts/excamera-encode.

std::string encode_command(const std::string& input, const std::string& output, const std::string& extra = "") {
  return "python3 " + shell_quote(xc::test::source_path("scripts/excamera-encode")) + " " + shell_quote(input) +
         " -o " + shell_quote(output) + " -j 2 --bin " + shell_quote(xc::test::tool_dir()) + extra;
}

void expect_summary(const std::string& output, const std::string& what) {
  for (const char* word : {" bytes", " kbit/s", "SSIM ", " dB", "PSNR "}) {
    EXPECT_NE(output.find(word), std::string::npos) << what << ": no '" << word << "' in: " << output;
  }
}

TEST_F(Pipeline, EncodeScriptOnTheSample) {
  const xc::test::TempDir scratch;
  const std::string dir = scratch.file("sample");
  fs::create_directory(dir);
  const std::string output = dir + "/sample.ivf";
  const std::string command = encode_command(xc::test::source_path("data/sample.y4m"), output);
  const auto first = run_command(command + " 2>/dev/null");
  ASSERT_EQ(first.exit_code, 0) << command;
  expect_summary(first.output, "sample");
  std::printf("[ pipeline ] %s", first.output.c_str());
  EXPECT_EQ(files_in(dir), std::vector<std::string>{"sample.ivf"}) << "the work folder must be gone";
  const std::string bytes = read_file(output);

  // The output plays in libvpx: 36 shown frames from a fresh decoder.
  const xc::util::IvfReader ivf(output);
  xc::test::VpxDecoder libvpx;
  int shown = 0;
  for (const auto& frame : ivf.frames()) shown += libvpx.decode(frame.data).has_value();
  EXPECT_EQ(shown, int(xc::util::Y4mReader(xc::test::source_path("data/sample.y4m")).frame_count()));

  const auto refused = run_command(command, dir, true);
  EXPECT_NE(refused.exit_code, 0) << "an existing output must be refused";
  EXPECT_NE(refused.errors.find("--overwrite"), std::string::npos) << refused.errors;
  EXPECT_TRUE(read_file(output) == bytes) << "a refused run must leave the output alone";
  EXPECT_EQ(files_in(dir), std::vector<std::string>{"sample.ivf"});

  const auto replaced = run_command(command + " --overwrite 2>/dev/null");
  ASSERT_EQ(replaced.exit_code, 0);
  EXPECT_TRUE(read_file(output) == bytes) << "the same encode twice must give the same bytes";
  fs::remove_all(dir);
}

// Killed with its whole process group mid-way (as a terminal's kill would), the script resumes on the next
// run and gives the very bytes of the reference make run joined by xc-concat.
TEST_F(Pipeline, EncodeScriptResumesAfterBeingKilled) {
  ASSERT_NO_FATAL_FAILURE(need_reference());
  const Shared& s = *shared_;
  const std::string dir = s.root.file("resume");
  fs::create_directory(dir);
  const std::string output = dir + "/clip.ivf", work = output + ".xc-work";
  const std::string command = encode_command(s.clip, output);
  const pid_t pid = spawn_group(command + " >first.log 2>&1", dir);
  ASSERT_GT(pid, 0);
  bool finished = false;
  int status = 0;
  const bool hit = wait_until(
      pid,
      [&] {
        return fs::exists(work) &&
               count_matching(work, [](const std::string& name) { return name.ends_with("-0.state"); }) >= 4;
      },
      finished, status);
  if (!hit && !finished) kill_group(pid);
  ASSERT_TRUE(hit) << (finished ? "the script finished first" : "no states appeared") << "\n"
                   << read_file(dir + "/first.log");
  kill_group(pid);
  EXPECT_FALSE(fs::exists(output));
  ASSERT_TRUE(fs::exists(work));
  const size_t kept = count_matching(work, [](const std::string& name) { return name.ends_with("vpxenc.ivf"); });

  const auto resumed = run_command(command + " 2>" + shell_quote(dir + "/second.log"));
  ASSERT_EQ(resumed.exit_code, 0) << read_file(dir + "/second.log");
  expect_summary(resumed.output, "resumed");
  std::printf("[ pipeline ] resumed with %zu vpxenc chunks kept: %s", kept, resumed.output.c_str());
  EXPECT_FALSE(fs::exists(work));
  const std::string joined = s.root.file("reference.ivf");
  concat(s.reference, joined);
  EXPECT_TRUE(read_file(output) == read_file(joined)) << "the resumed encode differs from make -j2 + xc-concat";
  fs::remove_all(dir);
}

// Any video ffmpeg reads: an MPEG-4 Part 2 file in MP4, encoded to WebM.
TEST_F(Pipeline, EncodeScriptReadsOtherFormatsAndWritesWebm) {
  const xc::test::TempDir scratch;
  const std::string dir = scratch.file("mp4");
  fs::create_directory(dir);
  const std::string input = dir + "/input.mp4", output = dir + "/out.webm";
  ASSERT_EQ(run_command("ffmpeg -nostdin -v error -i " + shell_quote(xc::test::source_path("data/sample.y4m")) +
                        " -c:v mpeg4 -q:v 3 " + shell_quote(input))
                .exit_code,
            0);
  const auto r = run_command(encode_command(input, output, " --format=webm") + " 2>/dev/null");
  ASSERT_EQ(r.exit_code, 0);
  expect_summary(r.output, "mp4 to webm");
  std::printf("[ pipeline ] %s", r.output.c_str());
  EXPECT_EQ(files_in(dir), (std::vector<std::string>{"input.mp4", "out.webm"}));
  // ffmpeg reads the WebM back: a VP8 stream with every frame.
  const auto probe = run_command("ffprobe -v error -count_frames -select_streams v:0 -show_entries "
                                 "stream=codec_name,nb_read_frames -of csv=p=0 " + shell_quote(output));
  EXPECT_EQ(probe.output, "vp8,36\n");
  fs::remove_all(dir);
}

}  // namespace
