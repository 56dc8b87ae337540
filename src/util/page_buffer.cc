// Zeroed blocks from the heap or from their own mappings (see page_buffer.hh).
#include "util/page_buffer.hh"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace xc::util {

namespace {

constexpr size_t kSmallPage = size_t(4) << 10;
constexpr size_t kLargePage = size_t(2) << 20;
// From this size on a mapped block is rounded up to whole 2 MB pages: at most a third more memory
// for one fault per 2 MB instead of 512.
constexpr size_t kLargePagesFrom = size_t(3) << 19;

size_t round_up(size_t n, size_t unit) { return (n + unit - 1) / unit * unit; }

}  // namespace

PageBuffer::PageBuffer(size_t bytes, Source source) : size_(bytes), source_(source) {
  if (bytes == 0) return;
  if (source == Source::kHeap || !kMapsBlocks) {
    // calloc zeroes only what it reuses: a block it maps afresh is zero already.
    data_ = static_cast<uint8_t*>(std::calloc(bytes, 1));
    if (data_ == nullptr) throw std::bad_alloc();
    return;
  }
  const bool large = bytes >= kLargePagesFrom;
  const size_t length = round_up(bytes, large ? kLargePage : kSmallPage);
  // A large block is placed at a 2 MB boundary inside a mapping one large page longer, whose ends
  // are given back.
  const size_t slack = large ? kLargePage : 0;
  void* mapping =
      mmap(nullptr, length + slack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapping == MAP_FAILED) throw std::bad_alloc();
  auto* start = static_cast<uint8_t*>(mapping);
  if (large) {
    auto* aligned =
        reinterpret_cast<uint8_t*>(round_up(reinterpret_cast<uintptr_t>(start), kLargePage));
    if (aligned > start) munmap(start, size_t(aligned - start));
    if (const size_t tail = size_t(start + length + slack - (aligned + length)); tail > 0) {
      munmap(aligned + length, tail);
    }
    start = aligned;
#ifdef MADV_HUGEPAGE
    (void)madvise(start, length, MADV_HUGEPAGE);  // refused or ignored where there are none
#endif
  }
  data_ = start;
  mapped_ = length;
}

PageBuffer::PageBuffer(const PageBuffer& other) : PageBuffer(other.size_, other.source_) {
  if (size_ > 0) std::memcpy(data_, other.data_, size_);
}

PageBuffer& PageBuffer::operator=(const PageBuffer& other) {
  if (this != &other) {
    PageBuffer copy(other);
    swap(copy);
  }
  return *this;
}

PageBuffer::~PageBuffer() {
  if (data_ == nullptr) return;
  if (mapped_ > 0) {
    munmap(data_, mapped_);
  } else {
    std::free(data_);
  }
}

}  // namespace xc::util
