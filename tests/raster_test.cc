// Tests of Raster's layout in its one block of memory: planes apart, borders included, deep copies.
#include "vp8/raster.hh"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <utility>

namespace xc::vp8 {
namespace {

TEST(Raster, StartsZeroedFromEitherSource) {
  for (auto source : {util::PageBuffer::Source::kHeap, util::PageBuffer::Source::kMapped}) {
    const Raster r(100, 50, source);
    for (int p = 0; p < 3; ++p) {
      const Plane& plane = r.plane(p);
      for (int y = -plane.border(); y < plane.height() + plane.border(); ++y) {
        const uint8_t* row = plane.row(y) - plane.border();
        EXPECT_TRUE(std::all_of(row, row + plane.stride(), [](uint8_t v) { return v == 0; }))
            << p << " " << y;
      }
    }
  }
}

TEST(Raster, CopiesAreDeepMovesKeepTheBlockAndPlanesDoNotOverlap) {
  Raster r(1920, 1080, util::PageBuffer::Source::kMapped);
  // Fill each plane (borders included) with its own value: no plane may overwrite another's.
  for (int p = 0; p < 3; ++p) {
    Plane& plane = r.plane(p);
    for (int y = -plane.border(); y < plane.height() + plane.border(); ++y) {
      std::fill_n(plane.row(y) - plane.border(), plane.stride(), uint8_t(p + 1));
    }
  }
  for (int p = 0; p < 3; ++p) {
    const Plane& plane = r.plane(p);
    EXPECT_EQ(*plane.at(-plane.border(), -plane.border()), p + 1);
    EXPECT_EQ(*plane.at(plane.width() + plane.border() - 1, plane.height() + plane.border() - 1),
              p + 1);
  }
  Raster copy(r);
  EXPECT_TRUE(copy.same_pixels(r));
  *copy.y().at(5, 5) = 200;
  EXPECT_EQ(*r.y().at(5, 5), 1);
  EXPECT_FALSE(copy.same_pixels(r));
  Raster assigned(16, 16);
  assigned = r;
  EXPECT_TRUE(assigned.same_pixels(r));
  EXPECT_EQ(assigned.display_width(), 1920);
  const uint8_t* where = r.u().at(0, 0);
  Raster moved(std::move(r));
  EXPECT_EQ(moved.u().at(0, 0), where);
  EXPECT_EQ(*moved.v().at(0, 0), 3);
}

TEST(RasterPool, ReusesWhatOnlyItHoldsAndMakesRastersFromItsSource) {
  for (auto source : {util::PageBuffer::Source::kHeap, util::PageBuffer::Source::kMapped}) {
    RasterPool pool(source);
    std::shared_ptr<Raster> a = pool.acquire(64, 48);
    const Raster* first = a.get();
    std::shared_ptr<Raster> b = pool.acquire(64, 48);
    EXPECT_NE(b.get(), first);
    EXPECT_EQ(pool.size(), 2u);
    a.reset();
    EXPECT_EQ(pool.acquire(64, 48).get(), first);
    EXPECT_EQ(pool.size(), 2u);
    // A free raster of another size is dropped for a new one.
    b.reset();
    std::shared_ptr<Raster> c = pool.acquire(32, 32);
    EXPECT_EQ(c->display_width(), 32);
    EXPECT_EQ(pool.size(), 1u);
  }
}

}  // namespace
}  // namespace xc::vp8
