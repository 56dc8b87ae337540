// Bad input: the tools (xc-decode, xc-dump) fail cleanly on broken IVF files (§9.1, §9.5 sizes),
// broken .state files and unusable paths, and decode_frame throws only util::Error on corrupt frames.
//
// Broken inputs are made from conformance vectors in a temporary folder, so without the vectors these
// tests skip (or fail when CI=true).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <typeinfo>
#include <vector>

#include "util/errors.hh"
#include "util/thread_pool.hh"
#include "util_test_support.hh"
#include "vector_test_support.hh"
#include "vp8/state_io.hh"

namespace xc::test {
namespace {

// The main source of broken streams: one key frame, then inter frames, one token partition.
constexpr const char* kVector = "vp80-00-comprehensive-001";
// A stream with several token partitions (§9.5).
constexpr const char* kPartitionedVector = "vp80-04-partitions-1405";

constexpr size_t kIvfHeaderSize = 32, kFrameHeaderSize = 12;

void store_le(std::vector<uint8_t>& bytes, size_t offset, uint64_t value, int size) {
  for (int i = 0; i < size; ++i) bytes.at(offset + i) = uint8_t(value >> (8 * i));
}

// An IVF taken apart by hand (the reader under test is not used to build its own inputs).
struct IvfParts {
  std::vector<uint8_t> header;
  std::vector<std::vector<uint8_t>> frames;

  static IvfParts of(const std::vector<uint8_t>& file) {
    IvfParts parts;
    parts.header.assign(file.begin(), file.begin() + kIvfHeaderSize);
    for (size_t pos = kIvfHeaderSize; pos + kFrameHeaderSize <= file.size();) {
      const size_t size = file[pos] | (file[pos + 1] << 8) | (file[pos + 2] << 16) | (size_t(file[pos + 3]) << 24);
      pos += kFrameHeaderSize;
      parts.frames.emplace_back(file.begin() + ptrdiff_t(pos), file.begin() + ptrdiff_t(pos + size));
      pos += size;
    }
    return parts;
  }

  std::vector<uint8_t> bytes() const {
    std::vector<uint8_t> out = header;
    for (size_t i = 0; i < frames.size(); ++i) {
      const size_t at = out.size();
      out.resize(at + kFrameHeaderSize, 0);
      store_le(out, at, frames[i].size(), 4);
      store_le(out, at + 4, i, 8);
      out.insert(out.end(), frames[i].begin(), frames[i].end());
    }
    return out;
  }

  size_t frame_header_offset(size_t index) const {
    size_t offset = kIvfHeaderSize;
    for (size_t i = 0; i < index; ++i) offset += kFrameHeaderSize + frames[i].size();
    return offset;
  }
};

// §9.1: the first partition's size is bits 5..23 of the 3-byte frame tag.
void set_first_partition_size(std::vector<uint8_t>& frame, uint32_t size) {
  const uint32_t tag = (frame[0] | (frame[1] << 8) | (frame[2] << 16)) & 0x1f;
  store_le(frame, 0, tag | (size << 5), 3);
}

uint32_t first_partition_size(const std::vector<uint8_t>& frame) {
  return (frame[0] | (frame[1] << 8) | (frame[2] << 16)) >> 5;
}

bool is_key_frame(const std::vector<uint8_t>& frame) { return (frame[0] & 1) == 0; }

// Where the token partition size table starts (§9.5): after the tag (and the key-frame start code
// and size) and the first partition.
size_t partition_table_offset(const std::vector<uint8_t>& frame) {
  return (is_key_frame(frame) ? 10 : 3) + first_partition_size(frame);
}

// A broken input for the tools: the files to write and which of them the error must name.
struct BadCase {
  std::string name;
  std::vector<uint8_t> ivf;
  std::optional<std::vector<uint8_t>> state;  // passed with -S when present
  enum class Offender { kInput, kState, kOutput } offender = Offender::kInput;
  // Instead of writing the IVF or state, use a path that does not exist.
  bool missing_input = false, missing_state = false;
  // Put the outputs in a folder that does not exist, or whose "folder" is a regular file.
  enum class OutputFolder { kUsable, kMissing, kIsAFile } output_folder = OutputFolder::kUsable;
};

// A broken IVF, named by the error.
BadCase broken_ivf(std::string name, std::vector<uint8_t> ivf) {
  BadCase c;
  c.name = std::move(name);
  c.ivf = std::move(ivf);
  return c;
}

class ToolsRejectBadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    XC_REQUIRE_VECTORS();
    original_ = read_raw(vector_path(kVector));
    parts_ = IvfParts::of(original_);
    ASSERT_GT(parts_.frames.size(), 8u);
    ASSERT_TRUE(is_key_frame(parts_.frames[0]));
    ASSERT_FALSE(is_key_frame(parts_.frames[5]));
  }

  // The vector with one frame changed by `edit`.
  std::vector<uint8_t> with_frame(size_t index, const std::function<void(std::vector<uint8_t>&)>& edit) const {
    IvfParts p = parts_;
    edit(p.frames.at(index));
    return p.bytes();
  }

  // The vector from frame `first` on, and the state a straight decode has before that frame.
  std::pair<std::vector<uint8_t>, std::vector<uint8_t>> continuation(size_t first) const {
    IvfParts p = parts_;
    vp8::DecoderState state;
    for (size_t i = 0; i < first; ++i) state = vp8::decode_frame(state, p.frames[i]).state;
    p.frames.erase(p.frames.begin(), p.frames.begin() + ptrdiff_t(first));
    return {p.bytes(), vp8::serialize_state(state)};
  }

  // Runs both tools on `c` and checks the failure: a non-zero exit (no signal), exactly one line on
  // stderr, "TOOL: " first and the offending path in it, and no file left behind in any folder.
  void expect_clean_failure(const BadCase& c) {
    for (const std::string tool : {"xc-decode", "xc-dump"}) {
      SCOPED_TRACE(tool + " on " + c.name);
      const TempDir in, out;
      const std::string ivf = in.file(c.missing_input ? "missing.ivf" : "input.ivf");
      if (!c.missing_input) write_raw(ivf, c.ivf);
      std::string state;
      if (c.state || c.missing_state) {
        state = in.file(c.missing_state ? "missing.state" : "input.state");
        if (!c.missing_state) write_raw(state, *c.state);
      }
      std::string folder = out.path();
      if (c.output_folder == BadCase::OutputFolder::kMissing) folder = out.file("missing");
      if (c.output_folder == BadCase::OutputFolder::kIsAFile) {
        write_raw(in.file("plain-file"), std::string("not a folder"));
        folder = in.file("plain-file");
      }
      const std::vector<std::string> in_before = in.entries();

      std::vector<std::string> args = {tool_path(tool)};
      std::string output;  // the file the tool would create
      if (tool == "xc-decode") {
        output = folder + "/out.y4m";
        args.insert(args.end(), {"--frame-md5", "-o", output, "-O", folder + "/out.state", ivf});
      } else {
        output = folder + "/out.state";
        args.insert(args.end(), {ivf, output});
      }
      if (!state.empty()) args.insert(args.end(), {"-S", state});

      const ProcessResult run = run_process(args);
      EXPECT_TRUE(run.exited) << "killed by signal " << run.signal << "; stderr: " << run.err;
      EXPECT_NE(run.exit_code, 0);
      EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << "stderr: " << run.err;
      EXPECT_TRUE(!run.err.empty() && run.err.back() == '\n') << "stderr: " << run.err;
      EXPECT_EQ(run.err.rfind(tool + ": ", 0), 0u) << "stderr: " << run.err;
      const std::string& offender = c.offender == BadCase::Offender::kInput   ? ivf
                                    : c.offender == BadCase::Offender::kState ? state
                                                                              : output;
      EXPECT_NE(run.err.find(offender), std::string::npos) << "stderr does not name " << offender << ": " << run.err;
      EXPECT_EQ(out.entries(), std::vector<std::string>{}) << "left in the output folder";
      EXPECT_EQ(in.entries(), in_before) << "left in the input folder";
    }
  }

  std::vector<uint8_t> original_;
  IvfParts parts_;
};

TEST_F(ToolsRejectBadInput, TruncatedIvfHeader) {
  expect_clean_failure(broken_ivf("truncated IVF header", {original_.begin(), original_.begin() + 20}));
}

TEST_F(ToolsRejectBadInput, EmptyFile) { expect_clean_failure(broken_ivf("empty file", {})); }

TEST_F(ToolsRejectBadInput, BadMagic) {
  auto bytes = original_;
  bytes[3] = 'X';
  expect_clean_failure(broken_ivf("bad magic", bytes));
}

TEST_F(ToolsRejectBadInput, FrameLargerThanTheFile) {
  auto bytes = original_;
  const size_t last = parts_.frames.size() - 1;
  store_le(bytes, parts_.frame_header_offset(last), parts_.frames[last].size() + 1, 4);
  expect_clean_failure(broken_ivf("last frame one byte larger than the file", bytes));
  bytes = original_;
  store_le(bytes, parts_.frame_header_offset(3), 0xfffffff0u, 4);
  expect_clean_failure(broken_ivf("frame size field near 4 GiB", bytes));
}

TEST_F(ToolsRejectBadInput, TruncatedFrameHeader) {
  const size_t cut = parts_.frame_header_offset(5) + 6;
  expect_clean_failure(broken_ivf("file ends inside a frame header", {original_.begin(), original_.begin() + ptrdiff_t(cut)}));
}

TEST_F(ToolsRejectBadInput, FirstPartitionSizeLargerThanTheFrame) {
  for (size_t index : {size_t(0), size_t(5)}) {
    expect_clean_failure(broken_ivf("first partition size too large in frame " + std::to_string(index), with_frame(index, [](auto& f) { set_first_partition_size(f, uint32_t(f.size())); })));
  }
  expect_clean_failure(broken_ivf("largest first partition size in frame 5", with_frame(5, [](auto& f) { set_first_partition_size(f, 0x7ffff); })));
  expect_clean_failure(broken_ivf("first partition size 0 in frame 5", with_frame(5, [](auto& f) { set_first_partition_size(f, 0); })));
}

TEST_F(ToolsRejectBadInput, TokenPartitionSizes) {
  const auto bytes = read_raw(vector_path(kPartitionedVector));
  IvfParts parted = IvfParts::of(bytes);
  // Find a frame after the first with several partitions.
  const auto straight = decode_straight(parted.frames);
  size_t index = 0;
  for (size_t i = 1; i < parted.frames.size() && index == 0; ++i) {
    if (vp8::parse_frame(straight.states[i], parted.frames[i]).header.num_partitions() > 1) index = i;
  }
  ASSERT_NE(index, 0u) << kPartitionedVector << " has no inter frame with several token partitions";
  const size_t table = partition_table_offset(parted.frames[index]);

  IvfParts cut = parted;  // the size table runs out: the frame ends two bytes into it
  cut.frames[index].resize(table + 2);
  expect_clean_failure(broken_ivf("partition size table cut short", cut.bytes()));

  IvfParts large = parted;  // the first token partition claims more than the frame holds
  store_le(large.frames[index], table, 0xffffff, 3);
  expect_clean_failure(broken_ivf("token partition larger than the data", large.bytes()));

  IvfParts empty = parted;  // an empty token partition (libvpx refuses these too)
  store_le(empty.frames[index], table, 0, 3);
  expect_clean_failure(broken_ivf("empty token partition", empty.bytes()));

  IvfParts single = parts_;  // one partition, and nothing after the first partition
  single.frames[5].resize(partition_table_offset(single.frames[5]));
  expect_clean_failure(broken_ivf("no token partition data", single.bytes()));
}

TEST_F(ToolsRejectBadInput, ZeroSizeFrames) {
  expect_clean_failure(broken_ivf("zero-size first frame", with_frame(0, [](auto& f) { f.clear(); })));
  expect_clean_failure(broken_ivf("zero-size frame 5", with_frame(5, [](auto& f) { f.clear(); })));
}

TEST_F(ToolsRejectBadInput, InterFrameFirst) {
  IvfParts p = parts_;
  p.frames.erase(p.frames.begin());
  expect_clean_failure(broken_ivf("key frame dropped", p.bytes()));
}

TEST_F(ToolsRejectBadInput, NonexistentInput) {
  BadCase c;
  c.name = "nonexistent input";
  c.missing_input = true;
  expect_clean_failure(c);
}

TEST_F(ToolsRejectBadInput, BrokenStateFiles) {
  auto [ivf, state] = continuation(4);
  BadCase base = broken_ivf("", ivf);
  base.offender = BadCase::Offender::kState;

  BadCase truncated = base;
  truncated.name = "truncated state";
  truncated.state = std::vector<uint8_t>(state.begin(), state.begin() + ptrdiff_t(state.size() / 2));
  expect_clean_failure(truncated);

  BadCase flipped = base;
  flipped.name = "state with a flipped byte";
  flipped.state = state;
  (*flipped.state)[state.size() / 3] ^= 0x04;
  expect_clean_failure(flipped);

  BadCase empty = base;
  empty.name = "empty state";
  empty.state = std::vector<uint8_t>{};
  expect_clean_failure(empty);

  BadCase missing = base;
  missing.name = "nonexistent state";
  missing.missing_state = true;
  expect_clean_failure(missing);
}

TEST_F(ToolsRejectBadInput, UnwritableOutputFolder) {
  BadCase missing = broken_ivf("output folder does not exist", original_);
  missing.offender = BadCase::Offender::kOutput;
  missing.output_folder = BadCase::OutputFolder::kMissing;
  expect_clean_failure(missing);
  BadCase file = broken_ivf("output folder is a regular file", original_);
  file.offender = BadCase::Offender::kOutput;
  file.output_folder = BadCase::OutputFolder::kIsAFile;
  expect_clean_failure(file);
}

// A read-only folder stops only users other than root, so as root the tools run as "nobody".
TEST_F(ToolsRejectBadInput, ReadOnlyOutputFolder) {
  const TempDir in, out;
  write_raw(in.file("input.ivf"), original_);
  std::vector<std::string> prefix;
  if (geteuid() == 0) {
    ASSERT_EQ(access("/usr/bin/setpriv", X_OK), 0) << "root needs setpriv (util-linux) to drop privileges";
    prefix = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
    ASSERT_EQ(chmod(in.path().c_str(), 0755), 0);
    ASSERT_EQ(chmod(in.file("input.ivf").c_str(), 0644), 0);
  }
  ASSERT_EQ(chmod(out.path().c_str(), 0555), 0);
  for (const std::string tool : {"xc-decode", "xc-dump"}) {
    const std::string target = out.file(tool == "xc-decode" ? "out.y4m" : "out.state");
    std::vector<std::string> args = prefix;
    if (tool == "xc-decode") {
      for (const auto& a : {tool_path(tool), std::string("-o"), target, in.file("input.ivf")}) args.push_back(a);
    } else {
      for (const auto& a : {tool_path(tool), in.file("input.ivf"), target}) args.push_back(a);
    }
    const ProcessResult run = run_process(args);
    EXPECT_TRUE(run.exited) << tool;
    EXPECT_NE(run.exit_code, 0) << tool;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << tool << ": " << run.err;
    EXPECT_EQ(run.err.rfind(tool + ": " + target, 0), 0u) << run.err;
  }
  EXPECT_EQ(out.entries(), std::vector<std::string>{});
  chmod(out.path().c_str(), 0755);
}

// The good inputs pass, so the failures above are the broken bytes' doing.
TEST_F(ToolsRejectBadInput, TheUnbrokenInputsSucceed) {
  const TempDir in, out;
  write_raw(in.file("input.ivf"), original_);
  auto [ivf, state] = continuation(4);
  write_raw(in.file("rest.ivf"), ivf);
  write_raw(in.file("rest.state"), state);
  const std::vector<std::vector<std::string>> runs = {
      {tool_path("xc-decode"), "--frame-md5", "-o", out.file("a.y4m"), "-O", out.file("a.state"), in.file("input.ivf")},
      {tool_path("xc-dump"), in.file("input.ivf"), out.file("b.state")},
      {tool_path("xc-decode"), "-S", in.file("rest.state"), "-o", out.file("c.y4m"), in.file("rest.ivf")},
      {tool_path("xc-dump"), "-S", in.file("rest.state"), in.file("rest.ivf"), out.file("d.state")},
  };
  for (const auto& args : runs) {
    const ProcessResult run = run_process(args);
    EXPECT_TRUE(run.exited && run.exit_code == 0) << args[0] << ": " << run.err;
    EXPECT_EQ(run.err, "");
  }
  EXPECT_EQ(out.entries(), (std::vector<std::string>{"a.state", "a.y4m", "b.state", "c.y4m", "d.state"}));
}

// ---- In-process: corrupt frames ------------------------------------------------------------------

// Random single-byte changes and truncations of frames of several vectors, each decoded from the state
// a straight decode has before that frame, from an exactly sized copy. decode_frame may succeed (many
// changes are still valid VP8) or throw util::Error; anything else (another exception, a crash, an
// AddressSanitizer report) fails. After a success the next frames are decoded from the result too,
// so that states made from corrupt frames (for example with another frame size) are exercised. Each
// decode is repeated on three threads, which must give the same state or the same error.
TEST(DecoderRejectsCorruptFrames, OnlyUtilErrors) {
  XC_REQUIRE_VECTORS();
  constexpr uint64_t kSeed = 0xbadc0ffee;
  constexpr int kCorruptionsPerVector = 80;
  std::mt19937_64 rng(kSeed);
  auto below = [&](uint64_t n) { return size_t(rng() % n); };
  int errors = 0, successes = 0;
  util::ThreadPool threads(3);
  for (const char* vector : {"vp80-00-comprehensive-001", "vp80-00-comprehensive-006", "vp80-01-intra-1411",
                             "vp80-02-inter-1418", "vp80-03-segmentation-1437", "vp80-04-partitions-1405"}) {
    const auto frames = read_frames(vector_path(vector));
    const auto straight = decode_straight(frames);
    for (int round = 0; round < kCorruptionsPerVector; ++round) {
      const size_t index = below(frames.size());
      std::vector<uint8_t> frame = frames[index];
      std::string change;
      switch (below(4)) {
        case 0: {  // any byte
          const size_t at = below(frame.size());
          frame[at] = uint8_t(rng());
          change = "byte " + std::to_string(at) + " set to " + std::to_string(frame[at]);
          break;
        }
        case 1: {  // a byte of the tag and the start of the first partition (the frame header)
          const size_t at = below(std::min<size_t>(frame.size(), 24));
          frame[at] ^= uint8_t(1 + below(255));
          change = "header byte " + std::to_string(at) + " changed to " + std::to_string(frame[at]);
          break;
        }
        case 2: {  // one bit
          const size_t at = below(frame.size());
          frame[at] ^= uint8_t(1 << below(8));
          change = "bit flipped in byte " + std::to_string(at);
          break;
        }
        default:  // truncation
          frame.resize(below(frame.size()));
          change = "truncated to " + std::to_string(frame.size()) + " bytes";
      }
      const std::string where = std::string(vector) + " frame " + std::to_string(index) + ", " + change +
                                " (seed " + std::to_string(kSeed) + ", round " + std::to_string(round) + ")";
      vp8::DecoderState state = straight.states[index];
      std::vector<uint8_t> input = std::move(frame);
      for (size_t next = index; next < std::min(frames.size(), index + 3); ++next) {
        if (next != index) input = frames[next];
        // On three threads: the same state, or the same error (a failing row stops the others).
        std::optional<vp8::DecoderState> threaded;
        std::string threaded_error;
        try {
          threaded = vp8::decode_frame(state, input, vp8::dsp::best_dsp(), nullptr, &threads).state;
        } catch (const util::Error& e) {
          threaded_error = e.what();
        } catch (const std::exception& e) {
          threaded_error = std::string("not a util::Error: ") + e.what();
        }
        try {
          state = vp8::decode_frame(state, input).state;
          ++successes;
          EXPECT_TRUE(threaded && *threaded == state) << where << ": frame " << next << " on three threads: "
                                                      << (threaded ? "another state" : threaded_error);
        } catch (const util::Error& e) {
          ++errors;
          EXPECT_EQ(threaded_error, e.what()) << where << ": frame " << next << " on three threads";
          break;
        } catch (const std::exception& e) {
          ADD_FAILURE() << where << ": decoding frame " << next << " threw " << typeid(e).name() << ": " << e.what();
          break;
        } catch (...) {
          ADD_FAILURE() << where << ": decoding frame " << next << " threw a non-standard exception";
          break;
        }
      }
    }
  }
  std::printf("corrupt frames: %d decodes threw util::Error, %d succeeded\n", errors, successes);
  EXPECT_GT(errors, 50) << "the corruptions should often be detected";
}

}  // namespace
}  // namespace xc::test
