// Tests of util::PageBuffer, from both sources: zeroed contents at every size class, 2 MB alignment
// of large mapped blocks, copies that own their bytes (from the same source), moves that keep them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <utility>

#include "util/page_buffer.hh"

namespace xc::util {
namespace {

bool all_zero(const PageBuffer& b) {
  return std::all_of(b.data(), b.data() + b.size(), [](uint8_t v) { return v == 0; });
}

TEST(PageBuffer, EmptyHasNoBytes) {
  PageBuffer b;
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.data(), nullptr);
  PageBuffer c(0);
  EXPECT_EQ(c.size(), 0u);
  PageBuffer d(c);
  EXPECT_EQ(d.size(), 0u);
}

constexpr PageBuffer::Source kSources[] = {PageBuffer::Source::kHeap, PageBuffer::Source::kMapped};

TEST(PageBuffer, StartsZeroedAndWritableAtEverySize) {
  // Below a page, a few pages, just under and over the large-page size class, several large pages.
  for (PageBuffer::Source source : kSources) {
    for (size_t size :
         {size_t(1), size_t(4095), size_t(4097), size_t(100000), (size_t(3) << 19) - 1,
          size_t(3) << 19, (size_t(2) << 20) + 1, size_t(5000000)}) {
      SCOPED_TRACE(size);
      // Heap blocks are zeroed even where the heap hands back memory just freed and dirtied.
      {
        PageBuffer dirty(size, source);
        std::fill_n(dirty.data(), size, uint8_t(0xAB));
      }
      PageBuffer b(size, source);
      EXPECT_EQ(b.source(), source);
      ASSERT_EQ(b.size(), size);
      ASSERT_NE(b.data(), nullptr);
      EXPECT_TRUE(all_zero(b));
      b.data()[0] = 1;
      b.data()[size - 1] = 2;
      EXPECT_EQ(b.data()[0] + b.data()[size - 1], size == 1 ? 4 : 3);
    }
  }
}

// Mapped blocks start at 2 MB boundaries from 1.5 MB on, at page boundaries below; under
// AddressSanitizer they come from the heap instead, and heap blocks never have a mapping.
TEST(PageBuffer, MappedBlocksAreAlignedOrFromTheHeapUnderTheSanitizer) {
  for (size_t size : {size_t(3) << 19, size_t(5000000), size_t(100000)}) {
    SCOPED_TRACE(size);
    const PageBuffer b(size, PageBuffer::Source::kMapped);
    EXPECT_EQ(b.mapped(), PageBuffer::kMapsBlocks);
    if (b.mapped()) {
      const size_t unit = size >= (size_t(3) << 19) ? size_t(2) << 20 : 4096;
      EXPECT_EQ(reinterpret_cast<uintptr_t>(b.data()) % unit, 0u);
    }
    EXPECT_FALSE(PageBuffer(size, PageBuffer::Source::kHeap).mapped());
  }
}

TEST(PageBuffer, CopiesOwnTheirBytesAndMovesKeepThem) {
  for (PageBuffer::Source source : kSources) {
    PageBuffer a(3000000, source);
    for (size_t i = 0; i < a.size(); i += 997) a.data()[i] = uint8_t(i * 7 + 1);
    PageBuffer copy(a);
    EXPECT_EQ(copy.source(), source);
    ASSERT_NE(copy.data(), a.data());
    EXPECT_TRUE(std::equal(a.data(), a.data() + a.size(), copy.data()));
    copy.data()[0] = 99;
    EXPECT_NE(a.data()[0], 99);

    PageBuffer assigned(10);
    assigned = a;
    EXPECT_EQ(assigned.size(), a.size());
    EXPECT_TRUE(std::equal(a.data(), a.data() + a.size(), assigned.data()));

    const uint8_t* where = a.data();
    PageBuffer moved(std::move(a));
    EXPECT_EQ(moved.data(), where);
    EXPECT_EQ(a.size(), 0u);
    EXPECT_EQ(a.data(), nullptr);
    PageBuffer target(5);
    target = std::move(moved);
    EXPECT_EQ(target.data(), where);
    EXPECT_EQ(target.size(), 3000000u);
  }
}

}  // namespace
}  // namespace xc::util
