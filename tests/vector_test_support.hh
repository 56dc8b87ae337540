// Helpers shared by the conformance, state and bad-input tests: finding the conformance vectors and
// their .md5 files, decoding a vector straight through, and running a tool as a child process.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "util/ivf.hh"
#include "test_vectors.hh"
#include "util_test_support.hh"
#include "vp8/decoder.hh"
#include "vp8/picture.hh"

extern char** environ;

namespace xc::test {

inline constexpr size_t kConformanceVectorCount = 61;

// Names (without .ivf) of the vectors in the folder, sorted; empty when the folder is absent.
inline std::vector<std::string> vector_names() {
  std::vector<std::string> names;
  if (!have_vectors()) return names;
  for (const auto& entry : std::filesystem::directory_iterator(vectors_dir())) {
    if (entry.path().extension() == ".ivf") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

inline std::string vector_path(const std::string& name) { return (vectors_dir() / (name + ".ivf")).string(); }

// GoogleTest parameter names may hold only letters, digits and '_'.
inline std::string vector_param_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

// The first field of every line of a conformance .md5 file ("<md5>  <frame file name>").
inline std::vector<std::string> read_md5_file(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> sums;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string sum;
    if (fields >> sum) sums.push_back(sum);
  }
  return sums;
}

// Compares per-frame MD5 lists and names the first frame that differs.
inline ::testing::AssertionResult same_frame_md5s(const std::vector<std::string>& got,
                                                  const std::vector<std::string>& expected) {
  for (size_t i = 0; i < std::min(got.size(), expected.size()); ++i) {
    if (got[i] != expected[i]) {
      return ::testing::AssertionFailure() << "first differing shown frame is " << i << ": got " << got[i]
                                           << ", expected " << expected[i];
    }
  }
  if (got.size() != expected.size()) {
    return ::testing::AssertionFailure() << got.size() << " shown frames, expected " << expected.size();
  }
  return ::testing::AssertionSuccess();
}

// Every frame of an IVF copied into its own exactly sized buffer, so that an over-read of a frame is
// an over-read of a heap block (which AddressSanitizer reports).
inline std::vector<std::vector<uint8_t>> read_frames(const std::string& path) {
  const util::IvfReader ivf(path);
  std::vector<std::vector<uint8_t>> frames;
  for (const auto& f : ivf.frames()) frames.emplace_back(f.data.begin(), f.data.end());
  return frames;
}

// A straight decode: states[i] is the state before frame i (states[0] is a fresh decoder, states[n]
// the final state), md5s[i] the MD5 of frame i's picture if it is shown.
struct StraightDecode {
  std::vector<vp8::DecoderState> states;
  std::vector<std::optional<std::string>> md5s;

  std::vector<std::string> shown_md5s() const {
    std::vector<std::string> out;
    for (const auto& m : md5s)
      if (m) out.push_back(*m);
    return out;
  }
};

inline StraightDecode decode_straight(const std::vector<std::vector<uint8_t>>& frames,
                                      const vp8::dsp::Dsp& dsp = vp8::dsp::best_dsp(),
                                      util::ThreadPool* threads = nullptr) {
  StraightDecode d;
  d.states.emplace_back();
  for (const auto& frame : frames) {
    vp8::DecodedFrame out = vp8::decode_frame(d.states.back(), frame, dsp, nullptr, threads);
    d.md5s.push_back(out.shown ? std::optional(vp8::picture_md5(*out.picture)) : std::nullopt);
    d.states.push_back(std::move(out.state));
  }
  return d;
}

inline std::string tool_path(const std::string& name) {
  const char* dir = std::getenv("XC_BIN_DIR");
  return std::string(dir != nullptr && *dir != '\0' ? dir : XC_BIN_DIR) + "/" + name;
}

struct ProcessResult {
  bool exited = false;  // false: killed by a signal (or could not be started)
  int exit_code = -1;
  int signal = 0;
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `args` (args[0] is the executable) with stdin from /dev/null, capturing stdout and stderr
// through files in a private scratch folder (so the folders a test inspects stay untouched).
inline ProcessResult run_process(const std::vector<std::string>& args) {
  const TempDir scratch;
  const std::string out_path = scratch.file("stdout"), err_path = scratch.file("stderr");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ProcessResult result;
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    result.err = "cannot start " + args[0];
    return result;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return result;
  }
  result.exited = WIFEXITED(status);
  result.exit_code = result.exited ? WEXITSTATUS(status) : -1;
  result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  return result;
}

}  // namespace xc::test
