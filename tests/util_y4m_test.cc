// Tests of the Y4M reader and writer: header round trips, odd sizes, rejections, and ffmpeg's
// output.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/errors.hh"
#include "util/y4m.hh"
#include "util_test_support.hh"

namespace xc::util {
namespace {

using test::read_raw;
using test::TempDir;
using test::throws_exactly;
using test::write_raw;

// A Y4M file as text: the header line, then `frames` frames of `frame_bytes` bytes each, frame i
// filled with the byte 'a' + i so that misplaced offsets show.
std::string y4m_text(const std::string& header_line, int frames, size_t frame_bytes) {
  std::string out = header_line + "\n";
  for (int i = 0; i < frames; ++i) out += "FRAME\n" + std::string(frame_bytes, char('a' + i));
  return out;
}

std::string first_line(const std::string& path) {
  const std::vector<uint8_t> bytes = read_raw(path);
  std::string text(bytes.begin(), bytes.end());
  return text.substr(0, text.find('\n'));
}

Image random_image(int width, int height, std::mt19937& rng) {
  Image image(width, height);
  for (auto* plane : {&image.y, &image.u, &image.v}) {
    for (auto& b : *plane) b = static_cast<uint8_t>(rng());
  }
  return image;
}

template <typename E>
::testing::AssertionResult rejects(const std::string& text, const std::vector<std::string>& parts) {
  return test::reader_rejects<E, Y4mReader>(text, parts);
}

TEST(Y4m, RoundTripsOddSizeWithEveryHeaderField) {
  TempDir dir;
  const std::string path = dir.file("odd.y4m");
  Y4mHeader header;
  header.width = 33;
  header.height = 17;
  header.fps_num = 25;
  header.fps_den = 1;
  header.par_num = 1;
  header.par_den = 1;
  header.interlace = 't';
  header.colorspace = "420mpeg2";
  header.extra = {"COLORRANGE=FULL", "foo"};

  const uint32_t seed = 7;
  std::mt19937 rng(seed);
  std::vector<Image> images;
  for (int i = 0; i < 3; ++i) images.push_back(random_image(33, 17, rng));
  {
    Y4mWriter writer(path, header);
    for (const Image& image : images) writer.write(image);
    writer.finish();
  }
  EXPECT_EQ(first_line(path), "YUV4MPEG2 W33 H17 F25:1 It A1:1 C420mpeg2 XCOLORRANGE=FULL Xfoo");

  Y4mReader reader(path);
  EXPECT_EQ(reader.path(), path);
  EXPECT_EQ(reader.header(), header);
  ASSERT_EQ(reader.frame_count(), 3u);
  const size_t frame_size = 33 * 17 + 2 * 17 * 9;  // chroma is ceil(33/2) x ceil(17/2)
  EXPECT_EQ(reader.frame_bytes(0).size(), frame_size);
  for (size_t i = 0; i < images.size(); ++i) {
    const Image frame = reader.frame(i);
    EXPECT_EQ(frame.chroma_width(), 17);
    EXPECT_EQ(frame.chroma_height(), 9);
    EXPECT_EQ(frame, images[i]) << "frame " << i << " seed " << seed;
  }
  EXPECT_THROW(reader.frame(3), std::out_of_range);
}

TEST(Y4m, AbsentColourSpaceStaysAbsent) {
  TempDir dir;
  const std::string in = dir.file("in.y4m");
  write_raw(in, y4m_text("YUV4MPEG2 W4 H2 F30000:1001", 1, 4 * 2 + 2 * 2 * 1));
  Y4mReader reader(in);
  Y4mHeader expected;
  expected.width = 4;
  expected.height = 2;
  expected.fps_num = 30000;
  expected.fps_den = 1001;
  expected.colorspace = "";
  EXPECT_EQ(reader.header(), expected);
  EXPECT_EQ(reader.header().interlace, 'p');
  EXPECT_EQ(reader.header().par_num, 0);

  const std::string out = dir.file("out.y4m");
  {
    Y4mWriter writer(out, reader.header());
    writer.write(reader.frame(0));
    writer.finish();
  }
  EXPECT_EQ(first_line(out), "YUV4MPEG2 W4 H2 F30000:1001 Ip A0:0");
  Y4mReader again(out);
  EXPECT_EQ(again.header(), expected);
  EXPECT_EQ(again.frame(0), reader.frame(0));
}

TEST(Y4m, MissingFrameRateMeans30) {
  TempDir dir;
  const std::string path = dir.file("in.y4m");
  write_raw(path, y4m_text("YUV4MPEG2 W2 H2 C420", 2, 6));
  Y4mReader reader(path);
  EXPECT_EQ(reader.header().fps_num, 30);
  EXPECT_EQ(reader.header().fps_den, 1);
  EXPECT_EQ(reader.header().colorspace, "420");
  EXPECT_EQ(reader.frame_count(), 2u);
}

TEST(Y4m, AcceptsFrameParametersUnknownTagsAndEveryInterlaceMode) {
  TempDir dir;
  const std::string path = dir.file("in.y4m");
  const std::string text =
      "YUV4MPEG2 W2  H2 F1:1 Im A10:11 C420paldv Zunknown\n"
      "FRAME Ib XFRAMEPARAM=1\nabcdef"
      "FRAME\nghijkl";
  write_raw(path, text);
  Y4mReader reader(path);
  EXPECT_EQ(reader.header().interlace, 'm');
  EXPECT_EQ(reader.header().par_num, 10);
  EXPECT_EQ(reader.header().par_den, 11);
  ASSERT_EQ(reader.frame_count(), 2u);
  const Image first = reader.frame(0);
  EXPECT_EQ(first.y, (std::vector<uint8_t>{'a', 'b', 'c', 'd'}));
  EXPECT_EQ(first.u, (std::vector<uint8_t>{'e'}));
  EXPECT_EQ(first.v, (std::vector<uint8_t>{'f'}));
  EXPECT_EQ(reader.frame(1).y, (std::vector<uint8_t>{'g', 'h', 'i', 'j'}));
}

TEST(Y4m, HeaderOnlyFileHasNoFrames) {
  TempDir dir;
  const std::string path = dir.file("in.y4m");
  write_raw(path, "YUV4MPEG2 W16 H16\n");
  EXPECT_EQ(Y4mReader(path).frame_count(), 0u);
}

TEST(Y4mWriter, StridedPlanesWriteTheVisibleArea) {
  TempDir dir;
  const uint32_t seed = 99;
  std::mt19937 rng(seed);
  const Image image = random_image(5, 3, rng);
  // The same picture inside wider, bordered planes.
  const int y_stride = 16, c_stride = 8;
  std::vector<uint8_t> y(y_stride * 3, 0xEE), u(c_stride * 2, 0xEE), v(c_stride * 2, 0xEE);
  for (int r = 0; r < 3; ++r) std::copy_n(&image.y[r * 5], 5, &y[r * y_stride]);
  for (int r = 0; r < 2; ++r) {
    std::copy_n(&image.u[r * 3], 3, &u[r * c_stride]);
    std::copy_n(&image.v[r * 3], 3, &v[r * c_stride]);
  }
  Y4mHeader header;
  header.width = 5;
  header.height = 3;
  {
    Y4mWriter a(dir.file("packed.y4m"), header);
    a.write(image);
    a.finish();
    Y4mWriter b(dir.file("strided.y4m"), header);
    b.write(y.data(), y_stride, u.data(), c_stride, v.data(), c_stride);
    b.finish();
  }
  EXPECT_EQ(read_raw(dir.file("strided.y4m")), read_raw(dir.file("packed.y4m"))) << "seed " << seed;
  EXPECT_EQ(Y4mReader(dir.file("strided.y4m")).frame(0), image) << "seed " << seed;
}

TEST(Y4mWriter, NoFileWithoutFinish) {
  TempDir dir;
  {
    Y4mHeader header;
    header.width = 2;
    header.height = 2;
    Y4mWriter writer(dir.file("out.y4m"), header);
    writer.write(Image(2, 2));
  }
  EXPECT_TRUE(dir.entries().empty());
}

TEST(Y4mWriter, RefusesWhatTheReaderWouldReject) {
  TempDir dir;
  const std::string path = dir.file("out.y4m");
  auto refuses = [&](Y4mHeader header, const std::string& part) {
    return throws_exactly<std::invalid_argument>([&] { Y4mWriter w(path, header); },
                                                 {path + ": ", part});
  };
  Y4mHeader good;
  good.width = 4;
  good.height = 4;
  Y4mHeader h = good;
  h.width = 0;
  EXPECT_TRUE(refuses(h, "size 0x4"));
  h = good;
  h.height = 16384;
  EXPECT_TRUE(refuses(h, "size 4x16384"));
  h = good;
  h.fps_den = 0;
  EXPECT_TRUE(refuses(h, "F30:0"));
  h = good;
  h.colorspace = "444";
  EXPECT_TRUE(refuses(h, "C444"));
  h = good;
  h.interlace = 'x';
  EXPECT_TRUE(refuses(h, "interlace"));
  h = good;
  h.extra = {"two words"};
  EXPECT_TRUE(refuses(h, "X parameter"));
  EXPECT_TRUE(dir.entries().empty());

  Y4mWriter writer(path, good);
  EXPECT_TRUE(throws_exactly<std::invalid_argument>([&] { writer.write(Image(4, 2)); },
                                                    {path + ": ", "4x2", "4x4"}));
  EXPECT_TRUE(throws_exactly<std::invalid_argument>(
      [&] {
        std::vector<uint8_t> plane(16);
        writer.write(plane.data(), 3, plane.data(), 2, plane.data(), 2);
      },
      {path + ": ", "strides"}));
}

TEST(Y4mReader, RejectsOtherColourSpacesAsUnsupported) {
  for (std::string cs : {"422", "444", "420p10", "mono", "444alpha", "411"}) {
    EXPECT_TRUE(
        rejects<Unsupported>(y4m_text("YUV4MPEG2 W4 H4 F25:1 C" + cs, 1, 24),
                             {"colour space C" + cs + " is not supported; only 4:2:0 (C420*) is"}))
        << cs;
  }
  EXPECT_TRUE(rejects<Unsupported>(y4m_text("YUV4MPEG2 W4 H4 XYSCSS=444", 0, 0),
                                   {"colour space XYSCSS=444 is not supported"}));
}

TEST(Y4mReader, RejectsBadSignature) {
  for (std::string text : {"", "RIFF1234", "YUV4MPEG W4 H4\n", "YUV4MPEG2X W4 H4\n"}) {
    EXPECT_TRUE(rejects<InvalidBitstream>(text, {"not a Y4M file (bad signature)"})) << text;
  }
  EXPECT_TRUE(rejects<InvalidBitstream>("YUV4MPEG2 W4 H4", {"truncated Y4M header"}));
}

TEST(Y4mReader, RejectsMissingOrAbsurdSizes) {
  EXPECT_TRUE(rejects<InvalidBitstream>("YUV4MPEG2 H4\n", {"lacks the width (W)"}));
  EXPECT_TRUE(rejects<InvalidBitstream>("YUV4MPEG2 W4\n", {"lacks the height (H)"}));
  for (std::string w : {"W0", "W16384", "W99999999999", "Wabc", "W-4", "W+4", "W"}) {
    EXPECT_TRUE(rejects<InvalidBitstream>("YUV4MPEG2 " + w + " H4\n",
                                          {"Y4M width " + w + " is not a number in 1..16383"}))
        << w;
  }
  EXPECT_TRUE(rejects<InvalidBitstream>("YUV4MPEG2 W4 H0\n", {"Y4M height H0"}));
}

TEST(Y4mReader, RejectsMalformedParameters) {
  for (std::string f : {"F0:0", "F30:0", "F0:1", "F30", "F:1", "Fx:y"}) {
    EXPECT_TRUE(rejects<InvalidBitstream>("YUV4MPEG2 W4 H4 " + f + "\n",
                                          {"bad Y4M frame rate parameter '" + f + "'"}))
        << f;
  }
  EXPECT_TRUE(rejects<InvalidBitstream>("YUV4MPEG2 W4 H4 Ix\n", {"interlace parameter 'Ix'"}));
  EXPECT_TRUE(rejects<InvalidBitstream>("YUV4MPEG2 W4 H4 Ipp\n", {"interlace parameter 'Ipp'"}));
  EXPECT_TRUE(rejects<InvalidBitstream>("YUV4MPEG2 W4 H4 A1\n", {"pixel aspect parameter 'A1'"}));
}

TEST(Y4mReader, RejectsTruncatedLastFrameNamingIt) {
  std::string text = y4m_text("YUV4MPEG2 W4 H4", 3, 24);
  text.pop_back();
  EXPECT_TRUE(rejects<InvalidBitstream>(text, {"frame 2 is truncated (23 of 24 bytes)"}));
  text = y4m_text("YUV4MPEG2 W4 H4", 2, 24) + "FRA";
  EXPECT_TRUE(rejects<InvalidBitstream>(text, {"frame 2 is truncated (FRAME line cut short)"}));
  text = y4m_text("YUV4MPEG2 W4 H4", 2, 24) + "FRAME Ip";
  EXPECT_TRUE(rejects<InvalidBitstream>(text, {"frame 2 is truncated (FRAME line cut short)"}));
}

TEST(Y4mReader, RejectsGarbageWhereAFrameShouldStart) {
  const std::string header = "YUV4MPEG2 W4 H4";
  const size_t second_frame = header.size() + 1 + 6 + 24;
  for (std::string junk : {"JUNK\n", "FRAMES\n", "frame\n", "XFRAME"}) {
    EXPECT_TRUE(rejects<InvalidBitstream>(
        y4m_text(header, 1, 24) + junk + std::string(24, 'x'),
        {"frame 1: expected FRAME at byte offset " + std::to_string(second_frame)}))
        << junk;
  }
}

TEST(Y4mReader, MissingFileIsIoError) {
  TempDir dir;
  const std::string path = dir.file("missing.y4m");
  EXPECT_TRUE(throws_exactly<IoError>([&] { Y4mReader r(path); }, {path + ": "}));
}

bool have_ffmpeg() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  for (size_t start = 0; start <= dirs.size();) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string candidate = dirs.substr(start, end - start) + "/ffmpeg";
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

TEST(Y4mReader, ParsesFfmpegOutput) {
  if (!have_ffmpeg()) GTEST_SKIP() << "ffmpeg is not on PATH; cannot produce a reference Y4M";
  TempDir dir;
  const std::string y4m = dir.file("out.y4m"), raw = dir.file("out.yuv");
  const std::string source =
      "ffmpeg -nostdin -v error -f lavfi -i testsrc=size=33x17:rate=25 -frames:v 3 "
      "-pix_fmt yuv420p ";
  ASSERT_EQ(std::system((source + "'" + y4m + "'").c_str()), 0);
  ASSERT_EQ(std::system((source + "-f rawvideo '" + raw + "'").c_str()), 0);

  Y4mReader reader(y4m);
  EXPECT_EQ(reader.header().width, 33);
  EXPECT_EQ(reader.header().height, 17);
  EXPECT_EQ(reader.header().fps_num, 25);
  EXPECT_EQ(reader.header().fps_den, 1);
  EXPECT_TRUE(reader.header().colorspace.starts_with("420")) << reader.header().colorspace;
  ASSERT_EQ(reader.frame_count(), 3u);
  const Image first = reader.frame(0);
  EXPECT_EQ(first.chroma_width(), 17);
  EXPECT_EQ(first.chroma_height(), 9);
  EXPECT_EQ(first.u.size(), 17u * 9u);

  // The same frames as raw planes: the reader must find the planes at exactly these bytes.
  std::vector<uint8_t> planes;
  for (size_t i = 0; i < reader.frame_count(); ++i) {
    const auto bytes = reader.frame_bytes(i);
    planes.insert(planes.end(), bytes.begin(), bytes.end());
  }
  EXPECT_EQ(planes, read_raw(raw));
}

}  // namespace
}  // namespace xc::util
