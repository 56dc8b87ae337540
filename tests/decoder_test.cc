// parse_frame + reconstruct_frame must give exactly what decode_frame gives, on every conformance vector.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "util/ivf.hh"
#include "vp8/decoder.hh"
#include "test_vectors.hh"
#include "vp8/picture.hh"

namespace {

TEST(Decoder, ParseThenReconstructEqualsDecode) {
  XC_REQUIRE_VECTORS();
  const auto dir = xc::test::vectors_dir();
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".ivf") continue;
    ++files;
    const xc::util::IvfReader ivf(entry.path().string());
    xc::vp8::DecoderState a, b;
    for (size_t i = 0; i < ivf.frame_count(); ++i) {
      const auto straight = xc::vp8::decode_frame(a, ivf.frame(i).data);
      const auto parsed = xc::vp8::parse_frame(b, ivf.frame(i).data);
      const auto rebuilt = xc::vp8::reconstruct_frame(b, parsed);
      ASSERT_EQ(xc::vp8::picture_md5(*straight.picture), xc::vp8::picture_md5(*rebuilt.picture))
          << entry.path() << " frame " << i;
      ASSERT_TRUE(straight.state == rebuilt.state) << entry.path() << " frame " << i;
      ASSERT_EQ(straight.state.hash(), rebuilt.state.hash());
      a = straight.state;
      b = rebuilt.state;
    }
  }
  EXPECT_EQ(files, 61);
}

}  // namespace
