// parse_frame + reconstruct_frame, and decoding into reused frame buffers, must give exactly what
// decode_frame gives, on every conformance vector.
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
  xc::vp8::RasterPool pool;  // shared by all vectors, so the frame size changes between them
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".ivf") continue;
    ++files;
    const xc::util::IvfReader ivf(entry.path().string());
    xc::vp8::DecoderState a, b, c;
    for (size_t i = 0; i < ivf.frame_count(); ++i) {
      const auto straight = xc::vp8::decode_frame(a, ivf.frame(i).data);
      const auto parsed = xc::vp8::parse_frame(b, ivf.frame(i).data);
      const auto rebuilt = xc::vp8::reconstruct_frame(b, parsed);
      ASSERT_EQ(xc::vp8::picture_md5(*straight.picture), xc::vp8::picture_md5(*rebuilt.picture))
          << entry.path() << " frame " << i;
      ASSERT_TRUE(straight.state == rebuilt.state) << entry.path() << " frame " << i;
      ASSERT_EQ(straight.state.hash(), rebuilt.state.hash());
      // Reused buffers still hold older frames' pixels, borders included; none of them may show.
      const auto pooled = xc::vp8::decode_frame(c, ivf.frame(i).data, xc::vp8::dsp::best_dsp(), &pool);
      ASSERT_EQ(xc::vp8::picture_md5(*straight.picture), xc::vp8::picture_md5(*pooled.picture))
          << entry.path() << " frame " << i << " (pooled)";
      ASSERT_TRUE(straight.state == pooled.state) << entry.path() << " frame " << i << " (pooled)";
      a = straight.state;
      b = rebuilt.state;
      c = pooled.state;
    }
    // The three references and the frame being decoded, at most.
    EXPECT_LE(pool.size(), 4u) << entry.path();
  }
  EXPECT_EQ(files, 61);
}

TEST(RasterPool, HandsOutOnlyFreeRastersOfTheRightSize) {
  xc::vp8::RasterPool pool;
  auto a = pool.acquire(32, 16);
  auto b = pool.acquire(32, 16);
  EXPECT_NE(a, b);  // a is still held
  const xc::vp8::Raster* first = a.get();
  a.reset();
  EXPECT_EQ(pool.acquire(32, 16).get(), first);  // freed, so reused
  const xc::vp8::RasterRef frozen = b;            // a const reference also holds it
  b.reset();
  auto c = pool.acquire(32, 16);
  EXPECT_NE(c.get(), frozen.get());
  c.reset();
  auto d = pool.acquire(48, 16);  // another size: a new one, the free 32x16 ones are dropped
  EXPECT_EQ(d->display_width(), 48);
  EXPECT_EQ(pool.size(), 2u);     // d and the held frozen one
}

}  // namespace
