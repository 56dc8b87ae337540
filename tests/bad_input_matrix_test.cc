// The bad-input matrix: every tool, on every file it reads (IVF, Y4M, .state), damaged in the usual
// ways (empty, cut at each header boundary, wrong magic, absurd sizes, flipped bytes, a directory, a
// FIFO, a missing or unreadable file), with every output it writes made impossible (missing folder,
// a file where the folder should be, a read-only folder, a directory in the output's place), and with
// bad command-line values. Each run must end by itself (no signal, no hang) with exit 1 (2 for a
// command-line error), one line on stderr "TOOL: ..." naming the offending file or option, no file
// left in the output folder and nothing added to the input folder, within the memory cap of the
// README ("Bad input"): 64 MiB plus 128 bytes per pixel of the picture size the inputs declare
// (pictures stored raw, as in Y4M and .state files, count only as far as the file's bytes hold them).
//
// The inputs are made from data/sample.ivf and data/sample.y4m (160x96); each tool command line is
// one test, so ctest runs them in parallel.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tool_test_support.hh"
#include "util/hash.hh"
#include "util_test_support.hh"
#include "vector_test_support.hh"
#include "vp8/decoder.hh"
#include "vp8/state_io.hh"

#if defined(__SANITIZE_ADDRESS__)
#define XC_MATRIX_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XC_MATRIX_SANITIZED 1
#endif
#endif

namespace xc::test {
namespace {

using Bytes = std::vector<uint8_t>;

// The memory cap documented in the README.
constexpr uint64_t kCapBase = 64ull << 20, kCapPerPixel = 128;
constexpr uint64_t kSamplePixels = 160 * 96;
constexpr uint64_t kLargestPixels = 16383ull * 16383;
// Frames of the sample per clip: few, so that the runs that succeed stay cheap.
constexpr size_t kClipFrames = 3;
constexpr size_t kIvfHeader = 32, kIvfFrameHeader = 12;

// Under the sanitizers every run costs about 0.1 s of start-up and leak checking, so the runs that reach
// no parsing code are left out there: paths that are not readable files and impossible outputs fail in
// the same system calls as in the normal build, where they are all checked.
#ifdef XC_MATRIX_SANITIZED
constexpr bool kSanitized = true;
constexpr auto kTimeout = std::chrono::seconds(120);
#else
constexpr bool kSanitized = false;
constexpr auto kTimeout = std::chrono::seconds(30);
#endif

enum class Kind { kIvf, kY4m, kState };

void store_le(Bytes& b, size_t at, uint64_t value, int size) {
  for (int i = 0; i < size; ++i) b.at(at + size_t(i)) = uint8_t(value >> (8 * i));
}
uint32_t load_le32(const Bytes& b, size_t at) {
  return b.at(at) | (b.at(at + 1) << 8) | (b.at(at + 2) << 16) | (uint32_t(b.at(at + 3)) << 24);
}
Bytes prefix(const Bytes& b, size_t n) { return {b.begin(), b.begin() + ptrdiff_t(std::min(n, b.size()))}; }

// ---- Good inputs ----------------------------------------------------------------------------------

// IVF made by hand from frames (the reader under test is not used to build its own inputs).
Bytes make_ivf(const Bytes& sample_header, const std::vector<Bytes>& frames) {
  Bytes out(sample_header.begin(), sample_header.begin() + kIvfHeader);
  store_le(out, 24, frames.size(), 4);
  for (size_t i = 0; i < frames.size(); ++i) {
    const size_t at = out.size();
    out.resize(at + kIvfFrameHeader, 0);
    store_le(out, at, frames[i].size(), 4);
    store_le(out, at + 4, i, 8);
    out.insert(out.end(), frames[i].begin(), frames[i].end());
  }
  return out;
}

struct Inputs {
  std::map<std::string, std::pair<Kind, Bytes>> files;
  const Bytes& bytes(const std::string& name) const { return files.at(name).second; }
};

// clip.ivf: the sample's first frames (key frame first); rest.ivf: the next ones (inter frames),
// which decode from mid.state (= prev.state), the state after clip.ivf; clip.y4m, dist.y4m and
// rest.y4m: the matching pictures.
const Inputs& inputs() {
  static const Inputs made = [] {
    Inputs in;
    const Bytes ivf = read_raw(source_path("data/sample.ivf"));
    const Bytes y4m = read_raw(source_path("data/sample.y4m"));
    std::vector<Bytes> frames;
    for (size_t pos = kIvfHeader; pos + kIvfFrameHeader <= ivf.size() && frames.size() < 2 * kClipFrames;) {
      const size_t size = load_le32(ivf, pos);
      pos += kIvfFrameHeader;
      frames.emplace_back(ivf.begin() + ptrdiff_t(pos), ivf.begin() + ptrdiff_t(pos + size));
      pos += size;
    }
    if (frames.size() != 2 * kClipFrames) throw std::runtime_error("data/sample.ivf is too short");
    vp8::DecoderState state;
    for (size_t i = 0; i < 2 * kClipFrames; ++i) {
      vp8::DecodedFrame d = vp8::decode_frame(state, frames[i]);
      if (!d.shown) throw std::runtime_error("data/sample.ivf has a hidden frame among its first frames");
      state = std::move(d.state);
      if (i + 1 == kClipFrames) {
        in.files["mid.state"] = {Kind::kState, vp8::serialize_state(state)};
        in.files["prev.state"] = in.files["mid.state"];
      }
    }
    const std::vector<Bytes> first(frames.begin(), frames.begin() + kClipFrames);
    const std::vector<Bytes> next(frames.begin() + kClipFrames, frames.end());
    in.files["clip.ivf"] = {Kind::kIvf, make_ivf(ivf, first)};
    in.files["rest.ivf"] = {Kind::kIvf, make_ivf(ivf, next)};

    const size_t header = size_t(std::find(y4m.begin(), y4m.end(), '\n') - y4m.begin()) + 1;
    const size_t frame = 6 + 160 * 96 * 3 / 2;  // "FRAME\n" and the planes
    auto pictures = [&](size_t from, size_t count) {
      Bytes out(y4m.begin(), y4m.begin() + ptrdiff_t(header));
      const auto at = y4m.begin() + ptrdiff_t(header + from * frame);
      out.insert(out.end(), at, at + ptrdiff_t(count * frame));
      return out;
    };
    in.files["clip.y4m"] = {Kind::kY4m, pictures(0, kClipFrames)};
    in.files["dist.y4m"] = in.files["clip.y4m"];
    in.files["rest.y4m"] = {Kind::kY4m, pictures(kClipFrames, kClipFrames)};
    return in;
  }();
  return made;
}

// ---- Damages --------------------------------------------------------------------------------------

// One way to break an input: other bytes, or something that is not a readable regular file.
struct Damage {
  std::string name;
  enum class Type { kBytes, kMissing, kDirectory, kFifo, kUnreadable } type = Type::kBytes;
  Bytes bytes;
  uint64_t cap_pixels = kSamplePixels;  // the picture area the memory cap allows for this input
};

Damage bytes_damage(std::string name, Bytes bytes, uint64_t cap_pixels = kSamplePixels) {
  return {std::move(name), Damage::Type::kBytes, std::move(bytes), cap_pixels};
}

std::vector<Damage> path_damages() {
  return {{"missing file", Damage::Type::kMissing, {}},
          {"a directory", Damage::Type::kDirectory, {}},
          {"a FIFO with no writer", Damage::Type::kFifo, {}},
          {"unreadable (mode 000)", Damage::Type::kUnreadable, {}}};
}

// Offsets of each frame header in an IVF.
std::vector<size_t> ivf_frame_offsets(const Bytes& ivf) {
  std::vector<size_t> at;
  for (size_t pos = kIvfHeader; pos + kIvfFrameHeader <= ivf.size(); pos += kIvfFrameHeader + load_le32(ivf, pos)) {
    at.push_back(pos);
  }
  return at;
}

std::vector<Damage> ivf_damages(const Bytes& good) {
  const std::vector<size_t> frames = ivf_frame_offsets(good);
  const size_t f0 = frames[0] + kIvfFrameHeader, f1 = frames[1];
  const bool key_first = (good[f0] & 1) == 0;
  const uint32_t size0 = load_le32(good, frames[0]);
  std::vector<Damage> d = {
      bytes_damage("empty", {}),
      bytes_damage("cut inside the magic", prefix(good, 3)),
      bytes_damage("cut inside the file header", prefix(good, 16)),
      bytes_damage("cut one byte short of the file header", prefix(good, kIvfHeader - 1)),
      bytes_damage("file header only (no frames)", prefix(good, kIvfHeader)),
      bytes_damage("cut inside frame 0's header", prefix(good, frames[0] + 6)),
      bytes_damage("frame 0's header only", prefix(good, f0)),
      bytes_damage("cut inside frame 0's tag", prefix(good, f0 + 2)),
      bytes_damage("cut inside frame 0's key-frame start code or size", prefix(good, f0 + 7)),
      bytes_damage("cut inside frame 0's first partition", prefix(good, f0 + 16)),
      bytes_damage("cut inside frame 1's header", prefix(good, f1 + 5)),
      bytes_damage("last byte missing", prefix(good, good.size() - 1)),
  };
  Bytes b = good;
  b[3] = 'X';
  d.push_back(bytes_damage("wrong magic", b));
  b = good;
  store_le(b, 6, 64, 2);
  d.push_back(bytes_damage("header size 64", b));
  b = good;
  b[10] = '9';
  d.push_back(bytes_damage("codec VP90", b));
  b = good;
  store_le(b, frames[0], 0xffffffffu, 4);
  d.push_back(bytes_damage("frame 0 claims 4 GiB", b));
  b = good;
  store_le(b, frames[1], 0x7ffffff0u, 4);
  d.push_back(bytes_damage("frame 1 claims 2 GiB", b));
  b = good;
  store_le(b, frames[0], size0 + 1, 4);
  d.push_back(bytes_damage("frame 0 claims one byte more than it has", b));
  b = good;
  store_le(b, f0, (good[f0] & 0x1f) | (size0 << 5), 3);  // §9.1: first partition size in bits 5..23
  d.push_back(bytes_damage("frame 0's first partition larger than the frame", b));
  if (key_first) {
    b = good;
    b[f0 + 4] ^= 0x01;  // §9.1: start code 9d 01 2a
    d.push_back(bytes_damage("frame 0's start code flipped", b));
    b = good;
    store_le(b, f0 + 6, 16383, 2);
    store_le(b, f0 + 8, 16383, 2);
    d.push_back(bytes_damage("frame 0 declares 16383x16383", b, kLargestPixels));
    b = good;
    store_le(b, f0 + 6, 0, 2);
    d.push_back(bytes_damage("frame 0 declares width 0", b));
    b = good;
    b[f0] |= 1;
    d.push_back(bytes_damage("frame 0 flipped from key to inter frame", b));
  }
  for (Damage& p : path_damages()) d.push_back(std::move(p));
  return d;
}

std::vector<Damage> y4m_damages(const Bytes& good) {
  const std::string text(good.begin(), good.end());
  const size_t header = text.find('\n') + 1;
  const size_t frame = 6 + 160 * 96 * 3 / 2;
  auto with_header = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    const size_t at = t.find(from);
    if (at == std::string::npos || at > header) throw std::runtime_error("sample Y4M header lacks " + from);
    t.replace(at, from.size(), to);
    return Bytes(t.begin(), t.end());
  };
  std::vector<Damage> d = {
      bytes_damage("empty", {}),
      bytes_damage("cut inside the signature", prefix(good, 4)),
      bytes_damage("header line without its end", prefix(good, header - 1)),
      bytes_damage("header only (no frames)", prefix(good, header)),
      bytes_damage("cut inside frame 0's FRAME", prefix(good, header + 3)),
      bytes_damage("frame 0's FRAME line only", prefix(good, header + 6)),
      bytes_damage("cut inside frame 0's pictures", prefix(good, header + frame / 2)),
      bytes_damage("cut inside frame 1's FRAME", prefix(good, header + frame + 2)),
      bytes_damage("last byte missing", prefix(good, good.size() - 1)),
      bytes_damage("wrong signature", with_header("YUV4MPEG2", "YUV4MPEG3")),
      bytes_damage("W16383 H16383", with_header("W160 H96", "W16383 H16383")),
      bytes_damage("W0", with_header("W160", "W0")),
      bytes_damage("W99999", with_header("W160", "W99999")),
      bytes_damage("H-5", with_header("H96", "H-5")),
      bytes_damage("colour space C444", with_header("C420jpeg", "C444")),
      bytes_damage("F0:0", with_header("F24:1", "F0:0")),
  };
  Bytes b = good;
  b[header + frame + 4] = 'X';  // FRAME -> FRAMX
  d.push_back(bytes_damage("frame 1's FRAME flipped", b));
  for (Damage& p : path_damages()) d.push_back(std::move(p));
  return d;
}

// A state with its checksum recomputed, so the loader gets past it.
Bytes rechecksummed(Bytes b) {
  const size_t content = b.size() - 8;
  store_le(b, content, util::hash64(std::span(b.data(), content)), 8);
  return b;
}

std::vector<Damage> state_damages(const Bytes& good) {
  std::vector<Damage> d = {
      bytes_damage("empty", {}),
      bytes_damage("cut inside the magic", prefix(good, 4)),
      bytes_damage("magic only", prefix(good, 8)),
      bytes_damage("cut after the version", prefix(good, 12)),
      bytes_damage("cut after the size", prefix(good, 16)),
      bytes_damage("cut inside the probabilities", prefix(good, 100)),
      bytes_damage("cut in half", prefix(good, good.size() / 2)),
      bytes_damage("last byte missing", prefix(good, good.size() - 1)),
  };
  Bytes b = good;
  b.push_back(0);
  d.push_back(bytes_damage("one byte too many", b));
  b = good;
  b[0] = 'Y';
  d.push_back(bytes_damage("wrong magic", b));
  b = good;
  store_le(b, 8, 2, 4);
  d.push_back(bytes_damage("version 2", b));
  b = good;
  b[good.size() / 3] ^= 0x10;
  d.push_back(bytes_damage("a flipped byte", b));
  b = good;
  store_le(b, 12, 16383, 2);
  store_le(b, 14, 16383, 2);
  d.push_back(bytes_damage("16383x16383 (checksum wrong)", b));
  d.push_back(bytes_damage("16383x16383 (checksum right)", rechecksummed(b)));
  b = good;
  store_le(b, 12, 0xffff, 2);
  d.push_back(bytes_damage("65535x96 (checksum right)", rechecksummed(b)));
  b = good;
  store_le(b, 12, 0, 2);
  store_le(b, 14, 0, 2);
  d.push_back(bytes_damage("0x0 with references (checksum right)", rechecksummed(b)));
  for (Damage& p : path_damages()) d.push_back(std::move(p));
  return d;
}

std::vector<Damage> damages(Kind kind, const Bytes& good) {
  switch (kind) {
    case Kind::kIvf: return ivf_damages(good);
    case Kind::kY4m: return y4m_damages(good);
    case Kind::kState: return state_damages(good);
  }
  return {};
}

// ---- Running a tool ------------------------------------------------------------------------------

struct Outcome {
  bool timed_out = false;
  bool exited = false;
  int exit_code = -1;
  int signal = 0;
  std::string err;
};

// Runs args (args[0] is the executable) with no standard input, standard output discarded and
// standard error captured to `err_path`; in builds without sanitizers the address space is limited to
// `memory_cap` bytes (AddressSanitizer reserves terabytes of address space for its shadow memory, so
// there the limit cannot be applied). Kills it after kTimeout.
Outcome run_limited(const std::vector<std::string>& args, uint64_t memory_cap, const std::string& err_path) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  Outcome o;
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (!kSanitized) {
      const rlimit limit{memory_cap, memory_cap};
      if (::setrlimit(RLIMIT_AS, &limit) != 0) ::_exit(126);
    }
    const int in = ::open("/dev/null", O_RDONLY), out = ::open("/dev/null", O_WRONLY);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  if (pid < 0) {
    o.err = "fork failed";
    return o;
  }
  // A watchdog kills the child after kTimeout. The child is waited for without being reaped first
  // (WNOWAIT), so that its pid cannot be reused before the watchdog has stopped.
  std::mutex mutex;
  std::condition_variable ended;
  bool finished = false;
  std::thread watchdog([&] {
    std::unique_lock lock(mutex);
    if (!ended.wait_for(lock, kTimeout, [&] { return finished; })) {
      o.timed_out = true;
      ::kill(pid, SIGKILL);
    }
  });
  siginfo_t info{};
  while (::waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
  }
  {
    const std::lock_guard lock(mutex);
    finished = true;
  }
  ended.notify_one();
  watchdog.join();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  o.exited = WIFEXITED(status);
  o.exit_code = o.exited ? WEXITSTATUS(status) : -1;
  o.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  o.err = read_text(err_path);
  return o;
}

// As root a mode of 000 or 0555 stops nobody, so the runs that need it run as user "nobody".
std::vector<std::string> as_nobody() {
  if (::geteuid() != 0) return {};
  return {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
}

// One command line of one tool. Words starting with '@' name an input (a file of inputs()), words
// starting with '%' an output; both are replaced by paths in the case's own folders.
struct Command {
  std::string label;  // test name
  std::string tool;
  std::vector<std::string> words;
};

// What a case changes: one input damaged, one output made impossible, or other command-line words.
struct Case {
  std::string name;
  std::string input;  // the damaged input ('@' word without '@'), or empty
  Damage damage;
  std::string output;  // the impossible output ('%' word without '%'), or empty
  enum class OutputProblem { kNone, kMissingFolder, kFolderIsAFile, kReadOnlyFolder, kIsADirectory } problem =
      OutputProblem::kNone;
  std::optional<std::vector<std::string>> words;  // replaces the command's words (usage errors)
  std::string offender;                           // for usage errors: what the message must name
};

void PrintTo(const Command& c, std::ostream* os) { *os << c.label; }

class Matrix : public ::testing::TestWithParam<Command> {
 protected:
  void TearDown() override {
    if (cases_ > 0) std::printf("%s: %d cases\n", GetParam().label.c_str(), cases_);
  }

  // Runs one case and checks the failure; `expect_code` 1 or 2.
  void check(const Case& c, int expect_code) {
    const Command& cmd = GetParam();
    ++cases_;
    SCOPED_TRACE(cmd.tool + ", " + c.name);
    const TempDir in, out, scratch;
    const std::vector<std::string> words = c.words.value_or(cmd.words);
    std::string offender = c.offender;
    uint64_t pixels = kSamplePixels;
    bool need_nobody = false;
    std::vector<std::string> args = {tool_path(cmd.tool)};
    for (const std::string& w : words) {
      if (w.empty() || (w[0] != '@' && w[0] != '%')) {
        args.push_back(w);
        continue;
      }
      const std::string name = w.substr(1);
      if (w[0] == '@') {
        const std::string path = in.file(name);
        args.push_back(path);
        if (exists(path)) continue;  // named twice
        if (name != c.input) {
          write_raw(path, inputs().bytes(name));
          continue;
        }
        offender = path;
        pixels = std::max(pixels, c.damage.cap_pixels);
        switch (c.damage.type) {
          case Damage::Type::kBytes: write_raw(path, c.damage.bytes); break;
          case Damage::Type::kMissing: break;
          case Damage::Type::kDirectory: std::filesystem::create_directory(path); break;
          case Damage::Type::kFifo: ASSERT_EQ(::mkfifo(path.c_str(), 0644), 0); break;
          case Damage::Type::kUnreadable:
            write_raw(path, inputs().bytes(name));
            ASSERT_EQ(::chmod(path.c_str(), 0), 0);
            need_nobody = true;
            break;
        }
        continue;
      }
      std::string path = out.file(name);
      if (name == c.output) {
        switch (c.problem) {
          case Case::OutputProblem::kMissingFolder: path = out.file("missing/" + name); break;
          case Case::OutputProblem::kFolderIsAFile:
            write_raw(scratch.file("plain"), std::string("a file"));
            path = scratch.file("plain/" + name);
            break;
          case Case::OutputProblem::kReadOnlyFolder: need_nobody = true; break;  // any output may be named
          case Case::OutputProblem::kIsADirectory: std::filesystem::create_directory(path); break;
          case Case::OutputProblem::kNone: break;
        }
        offender = c.problem == Case::OutputProblem::kReadOnlyFolder ? out.path() + "/" : path;
      }
      args.push_back(path);
    }
    if (need_nobody) {
      if (::geteuid() == 0) {
        ASSERT_EQ(::access("/usr/bin/setpriv", X_OK), 0) << "root needs setpriv (util-linux)";
      }
      for (const std::string& dir : {in.path(), scratch.path()}) ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);
      for (const std::string& name : in.entries()) {
        const bool unreadable = name == c.input && c.damage.type == Damage::Type::kUnreadable;
        ::chmod(in.file(name).c_str(), unreadable ? 0 : 0644);
      }
      ASSERT_EQ(::chmod(out.path().c_str(), c.problem == Case::OutputProblem::kReadOnlyFolder ? 0555 : 0777), 0);
      const std::vector<std::string> prefix = as_nobody();
      args.insert(args.begin(), prefix.begin(), prefix.end());
    }
    const std::vector<std::string> in_before = in.entries(), out_before = out.entries();
    uint64_t input_bytes = 0;
    for (const std::string& name : in_before) {
      std::error_code ignored;
      if (std::filesystem::is_regular_file(in.file(name), ignored)) {
        input_bytes += std::filesystem::file_size(in.file(name));
      }
    }
    const uint64_t cap = kCapBase + kCapPerPixel * pixels + input_bytes;

    const Outcome o = run_limited(args, cap, scratch.file("stderr"));
    ::chmod(out.path().c_str(), 0755);
    std::string command;
    for (const auto& a : args) command += " " + a;
    SCOPED_TRACE("command:" + command);
    EXPECT_FALSE(o.timed_out) << "still running after " << kTimeout.count() << " s";
    EXPECT_TRUE(o.exited) << "killed by signal " << o.signal << " (" << strsignal(o.signal) << "); stderr: " << o.err;
    EXPECT_EQ(o.exit_code, expect_code) << "stderr: " << o.err;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << "stderr: " << o.err;
    EXPECT_TRUE(!o.err.empty() && o.err.back() == '\n') << "stderr: " << o.err;
    EXPECT_EQ(o.err.rfind(cmd.tool + ": ", 0), 0u) << "stderr: " << o.err;
    const size_t named = o.err.find(offender);
    EXPECT_NE(named, std::string::npos) << "stderr does not name " << offender << ": " << o.err;
    EXPECT_EQ(o.err.find("bad_alloc"), std::string::npos) << "over the memory cap of " << (cap >> 20) << " MiB";
    if (named != std::string::npos) {
      EXPECT_GT(o.err.size(), named + offender.size() + 4) << "says nothing about the problem: " << o.err;
    }
    EXPECT_EQ(out.entries(), out_before) << "left in the output folder";
    EXPECT_EQ(in.entries(), in_before) << "left in the input folder";
  }

  // Runs the command on the good inputs; it must succeed and write exactly its outputs.
  void check_success() {
    const Command& cmd = GetParam();
    const TempDir in, out, scratch;
    std::vector<std::string> args = {tool_path(cmd.tool)}, outputs;
    for (const std::string& w : cmd.words) {
      if (!w.empty() && w[0] == '@') {
        args.push_back(in.file(w.substr(1)));
        if (!exists(args.back())) write_raw(args.back(), inputs().bytes(w.substr(1)));
      } else if (!w.empty() && w[0] == '%') {
        args.push_back(out.file(w.substr(1)));
        outputs.push_back(w.substr(1));
      } else {
        args.push_back(w);
      }
    }
    std::sort(outputs.begin(), outputs.end());
    const Outcome o = run_limited(args, kCapBase + kCapPerPixel * kSamplePixels, scratch.file("stderr"));
    EXPECT_TRUE(o.exited && o.exit_code == 0) << "the good inputs fail: " << o.err;
    EXPECT_EQ(o.err, "");
    EXPECT_EQ(out.entries(), outputs);
  }

  int cases_ = 0;
};

const std::vector<Command> kCommands = {
    {"xc_decode", "xc-decode", {"--frame-md5", "-o", "%out.y4m", "-O", "%out.state", "@clip.ivf"}},
    {"xc_decode_from_state", "xc-decode", {"-S", "@mid.state", "-o", "%out.y4m", "@rest.ivf"}},
    {"xc_dump", "xc-dump", {"@clip.ivf", "%out.state"}},
    {"xc_dump_from_state", "xc-dump", {"-S", "@mid.state", "-f", "1", "@rest.ivf", "%out.state"}},
    {"xc_terminate_chunk", "xc-terminate-chunk", {"@clip.ivf", "%out.ivf"}},
    {"xc_concat", "xc-concat", {"%out.ivf", "@clip.ivf"}},
    {"xc_quality_ivf", "xc-quality", {"@clip.y4m", "@clip.ivf"}},
    {"xc_quality_y4m", "xc-quality", {"--json", "@clip.y4m", "@dist.y4m"}},
    {"xc_enc_primary", "xc-enc", {"-y", "40", "-o", "%out.ivf", "-O", "%out.state", "@clip.y4m"}},
    {"xc_enc_reencode", "xc-enc",
     {"-W", "-r", "-I", "@prev.state", "-p", "@clip.ivf", "-o", "%out.ivf", "-O", "%out.state", "@clip.y4m"}},
    {"xc_enc_rebase", "xc-enc",
     {"-W", "-r", "-I", "@prev.state", "-p", "@rest.ivf", "-S", "@mid.state", "-o", "%out.ivf", "-O", "%out.state",
      "@rest.y4m"}},
    {"vpxenc", "vpxenc", {"--codec=vp8", "-q", "--cpu-used=8", "-o", "%out.ivf", "@clip.y4m"}},
};

// Bad command-line values, by command label: the words, and what the message must name.
const std::multimap<std::string, std::pair<std::vector<std::string>, std::string>> kUsage = {
    {"xc_decode", {{"--frame-md5", "--bogus", "@clip.ivf"}, "--bogus"}},
    {"xc_decode", {{"--frame-md5"}, "input"}},
    {"xc_decode", {{"-o", "%out.y4m", "@clip.ivf", "@rest.ivf"}, "rest.ivf"}},
    {"xc_decode", {{"-o", "", "@clip.ivf"}, "--output"}},
    {"xc_decode_from_state", {{"-S", "", "-o", "%out.y4m", "@rest.ivf"}, "--input-state"}},
    {"xc_dump", {{"@clip.ivf", ""}, "output"}},
    {"xc_dump", {{"", "%out.state"}, "input"}},
    {"xc_dump", {{"-f", "-1", "@clip.ivf", "%out.state"}, "-f"}},
    {"xc_dump", {{"-f", "abc", "@clip.ivf", "%out.state"}, "abc"}},
    {"xc_dump", {{"-f", "3", "@clip.ivf", "%out.state"}, "frame 3"}},
    {"xc_dump", {{"-f", "99999999999999999999", "@clip.ivf", "%out.state"}, "requested"}},
    {"xc_dump", {{"@clip.ivf"}, "output"}},
    {"xc_terminate_chunk", {{"@clip.ivf", "%out.ivf", "extra"}, "extra"}},
    {"xc_terminate_chunk", {{"@clip.ivf", ""}, "output"}},
    {"xc_concat", {{"--format=mkv", "%out.ivf", "@clip.ivf"}, "mkv"}},
    {"xc_concat", {{"%out.ivf"}, "chunks"}},
    {"xc_concat", {{"@clip.ivf", "@clip.ivf"}, "clip.ivf"}},
    {"xc_concat", {{"", "@clip.ivf"}, "output"}},
    {"xc_quality_ivf", {{"@clip.y4m"}, "distorted"}},
    {"xc_quality_ivf", {{"@clip.y4m", ""}, "distorted"}},
    {"xc_enc_primary", {{"-y", "128", "-o", "%out.ivf", "@clip.y4m"}, "128"}},
    {"xc_enc_primary", {{"-y", "ten", "-o", "%out.ivf", "@clip.y4m"}, "ten"}},
    {"xc_enc_primary", {{"-s", "1.5", "-o", "%out.ivf", "@clip.y4m"}, "1.5"}},
    {"xc_enc_primary", {{"-o", "%out.ivf", "@clip.y4m"}, "-y"}},
    {"xc_enc_primary", {{"-y", "40", "-i", "mkv", "-o", "%out.ivf", "@clip.y4m"}, "mkv"}},
    {"xc_enc_primary", {{"-y", "40", "@clip.y4m"}, "--output"}},
    {"xc_enc_primary", {{"-y", "40", "-o", "", "@clip.y4m"}, "--output"}},
    {"xc_enc_primary", {{"-y", "40", "-o", "%out.ivf", "-O", "", "@clip.y4m"}, "--output-state"}},
    {"xc_enc_reencode", {{"-W", "-r", "-p", "@clip.ivf", "-o", "%out.ivf", "@clip.y4m"}, "-I"}},
    {"xc_enc_reencode",
     {{"-W", "-r", "-w", "2", "-I", "@prev.state", "-p", "@clip.ivf", "-o", "%out.ivf", "@clip.y4m"}, "2"}},
    {"vpxenc", {{"--codec=vp8", "-q", "--cq-level=abc", "-o", "%out.ivf", "@clip.y4m"}, "abc"}},
    {"vpxenc", {{"--codec=vp8", "-q", "--bogus=1", "-o", "%out.ivf", "@clip.y4m"}, "--bogus"}},
    {"vpxenc", {{"--codec=vp9", "-q", "-o", "%out.ivf", "@clip.y4m"}, "vp9"}},
    {"vpxenc", {{"--codec=vp8", "-q", "--limit=-1", "-o", "%out.ivf", "@clip.y4m"}, "-1"}},
    {"vpxenc", {{"--codec=vp8", "-q", "-o", "", "@clip.y4m"}, "--output"}},
    {"vpxenc", {{"--codec=vp8", "-q", "-o", "%out.ivf", ""}, "input"}},
};

TEST_P(Matrix, GoodInputsSucceed) { check_success(); }

TEST_P(Matrix, DamagedInputs) {
  const Command& cmd = GetParam();
  std::vector<std::string> done;
  for (const std::string& w : cmd.words) {
    if (w.empty() || w[0] != '@' || std::find(done.begin(), done.end(), w) != done.end()) continue;
    done.push_back(w);
    const std::string name = w.substr(1);
    const auto& [kind, good] = inputs().files.at(name);
    for (const Damage& d : damages(kind, good)) {
      if (kSanitized && d.type != Damage::Type::kBytes) continue;  // see kSanitized
      Case c;
      c.name = name + ": " + d.name;
      c.input = name;
      c.damage = d;
      check(c, 1);
    }
  }
}

#ifndef XC_MATRIX_SANITIZED  // see kSanitized
TEST_P(Matrix, ImpossibleOutputs) {
  const Command& cmd = GetParam();
  for (const std::string& w : cmd.words) {
    if (w.empty() || w[0] != '%') continue;
    for (const auto& [problem, what] : std::vector<std::pair<Case::OutputProblem, std::string>>{
             {Case::OutputProblem::kMissingFolder, "folder missing"},
             {Case::OutputProblem::kFolderIsAFile, "folder is a file"},
             {Case::OutputProblem::kReadOnlyFolder, "folder read-only"},
             {Case::OutputProblem::kIsADirectory, "a directory in its place"}}) {
      Case c;
      c.name = w.substr(1) + ": " + what;
      c.output = w.substr(1);
      c.problem = problem;
      check(c, 1);
    }
  }
}
#endif

TEST_P(Matrix, BadCommandLines) {
  const Command& cmd = GetParam();
  const auto [first, last] = kUsage.equal_range(cmd.label);
  for (auto it = first; it != last; ++it) {
    Case c;
    for (const std::string& w : it->second.first) c.name += w + " ";
    c.words = it->second.first;
    c.offender = it->second.second;
    check(c, 2);
  }
}

INSTANTIATE_TEST_SUITE_P(Tools, Matrix, ::testing::ValuesIn(kCommands),
                         [](const ::testing::TestParamInfo<Command>& info) { return info.param.label; });

}  // namespace
}  // namespace xc::test
