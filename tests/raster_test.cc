// Tests of Raster's layout in its one block of memory: planes apart, borders included, deep copies.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <utility>

#include "vp8/raster.hh"

namespace xc::vp8 {
namespace {

TEST(Raster, StartsZeroed) {
  const Raster r(100, 50);
  for (int p = 0; p < 3; ++p) {
    const Plane& plane = r.plane(p);
    for (int y = -plane.border(); y < plane.height() + plane.border(); ++y) {
      const uint8_t* row = plane.row(y) - plane.border();
      EXPECT_TRUE(std::all_of(row, row + plane.stride(), [](uint8_t v) { return v == 0; })) << p << " " << y;
    }
  }
}

TEST(Raster, CopiesAreDeepMovesKeepTheBlockAndPlanesDoNotOverlap) {
  Raster r(1920, 1080);
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
    EXPECT_EQ(*plane.at(plane.width() + plane.border() - 1, plane.height() + plane.border() - 1), p + 1);
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

}  // namespace
}  // namespace xc::vp8
