// Expected-state tags: a continuation stream is accepted only from the state it was made for.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "util/errors.hh"
#include "util/ivf.hh"
#include "test_vectors.hh"
#include "vp8/decoder.hh"
#include "vp8/stream_check.hh"

namespace {

namespace fs = std::filesystem;

fs::path vector_path(const char* name) {
  return xc::test::vectors_dir() / name;
}

class StreamCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    XC_REQUIRE_VECTORS();
    src_ = vector_path("vp80-00-comprehensive-001.ivf");
    ASSERT_TRUE(fs::exists(src_)) << src_ << " is missing from the vectors";
    dir_ = fs::temp_directory_path() / ("xc_stream_check_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Writes frames [1, n) of the vector with the given tag; returns the path and the state after frame 0.
  std::string continuation(uint32_t tag, xc::vp8::DecoderState& after_first) {
    const xc::util::IvfReader in(src_.string());
    after_first = xc::vp8::decode_frame({}, in.frame(0).data).state;
    xc::util::IvfHeader h = in.header();
    h.expected_state_tag = tag;
    const std::string out = (dir_ / ("tail_" + std::to_string(tag) + ".ivf")).string();
    xc::util::IvfWriter w(out, h);
    for (size_t i = 1; i < in.frame_count(); ++i) w.append(in.frame(i).pts, in.frame(i).data);
    w.finish();
    return out;
  }

  fs::path src_, dir_;
};

TEST_F(StreamCheck, AcceptsTheTaggedStateAndRefusesOthers) {
  xc::vp8::DecoderState s1;
  continuation(0, s1);
  const uint32_t tag = xc::vp8::expected_state_tag(s1);
  ASSERT_NE(tag, 0u);
  xc::vp8::DecoderState unused;
  const xc::util::IvfReader tagged(continuation(tag, unused));
  EXPECT_NO_THROW(xc::vp8::check_stream_state(tagged, s1, "s1.state"));
  try {
    xc::vp8::check_stream_state(tagged, xc::vp8::DecoderState{}, "fresh.state");
    FAIL() << "a fresh state was accepted";
  } catch (const xc::util::StateMismatch& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(tagged.path()), std::string::npos) << msg;
    EXPECT_NE(msg.find("fresh.state"), std::string::npos) << msg;
  }
}

TEST_F(StreamCheck, UntaggedAndKeyFrameStreamsAreAccepted) {
  xc::vp8::DecoderState s1;
  const xc::util::IvfReader untagged(continuation(0, s1));
  EXPECT_NO_THROW(xc::vp8::check_stream_state(untagged, xc::vp8::DecoderState{}, "x"));
  const xc::util::IvfReader whole(src_.string());  // starts with a key frame: any state is fine
  EXPECT_NO_THROW(xc::vp8::check_stream_state(whole, s1, "s1.state"));
}

// Standard players ignore the tag: vpxdec and ffmpeg decode a tagged file exactly like the untagged one.
std::string command_output(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = pclose(p);
  if (status != 0) out = "command failed: " + command;
  return out;
}

TEST_F(StreamCheck, PlayersIgnoreTheTag) {
  const bool have = std::system("command -v vpxdec >/dev/null && command -v ffmpeg >/dev/null") == 0;
  if (!have) {
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") FAIL() << "vpxdec and ffmpeg are required on CI";
    GTEST_SKIP() << "vpxdec or ffmpeg is missing";
  }
  const xc::util::IvfReader in(src_.string());
  xc::util::IvfHeader h = in.header();
  h.expected_state_tag = 0xdeadbeef;
  const std::string tagged = (dir_ / "tagged.ivf").string();
  {
    xc::util::IvfWriter w(tagged, h);
    for (size_t i = 0; i < in.frame_count(); ++i) w.append(in.frame(i).pts, in.frame(i).data);
    w.finish();
  }
  ASSERT_EQ(xc::util::IvfReader(tagged).header().expected_state_tag, 0xdeadbeefu);
  for (const std::string& cmd : {std::string("vpxdec --i420 --md5 "), std::string("ffmpeg -nostdin -v error -f ivf -i ")}) {
    const std::string tail = cmd[0] == 'f' ? " -f framemd5 - | grep -v '^#'" : "";
    const std::string original = command_output(cmd + src_.string() + tail);
    const std::string with_tag = command_output(cmd + tagged + tail);
    EXPECT_FALSE(original.empty()) << cmd;
    EXPECT_EQ(original.rfind("command failed", 0), std::string::npos) << original;
    EXPECT_EQ(original, with_tag) << cmd;
  }
}

}  // namespace
