// A zeroed block of memory for picture-sized buffers, from one of two sources:
//  - the heap (calloc): what a process that keeps its freed memory, or populates its heap ahead
//    (heap.hh), reuses without new page faults;
//  - its own mapping: pages come zeroed from the system, and a block of 1.5 MB or more is aligned
//    to and rounded up to 2 MB and backed by transparent huge pages where the system offers them
//    (`madvise` or `always`). For buffers that are made once and reused, such as a decoder's frame
//    buffers, which are touched in full right after they are made: with 4 KB pages a 1080p frame
//    is some 850 page faults (several microseconds each, over ten on a virtual machine), with 2 MB
//    pages two. Elsewhere the advice is ignored and the block is an ordinary mapping. Under
//    AddressSanitizer such blocks come from the heap too, so the sanitizer still sees accesses
//    past them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#if defined(__SANITIZE_ADDRESS__)
#define XC_PAGE_BUFFER_ONLY_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XC_PAGE_BUFFER_ONLY_HEAP 1
#endif
#endif

namespace xc::util {

class PageBuffer {
 public:
  enum class Source { kHeap, kMapped };
#ifdef XC_PAGE_BUFFER_ONLY_HEAP
  static constexpr bool kMapsBlocks = false;  // AddressSanitizer: kMapped blocks come from the heap
#else
  static constexpr bool kMapsBlocks = true;
#endif

  PageBuffer() = default;
  // `bytes` zero bytes; throws std::bad_alloc when they cannot be had.
  explicit PageBuffer(size_t bytes, Source source = Source::kHeap);
  // A copy has the same bytes from the same source.
  PageBuffer(const PageBuffer& other);
  PageBuffer& operator=(const PageBuffer& other);
  PageBuffer(PageBuffer&& other) noexcept { swap(other); }
  PageBuffer& operator=(PageBuffer&& other) noexcept {
    PageBuffer moved(std::move(other));
    swap(moved);
    return *this;
  }
  ~PageBuffer();

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  Source source() const { return source_; }
  // Whether the block has its own mapping (kMapped, and kMapsBlocks).
  bool mapped() const { return mapped_ > 0; }

  void swap(PageBuffer& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(mapped_, other.mapped_);
    std::swap(source_, other.source_);
  }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;  // length of the mapping at data_ (0: from the heap, or empty)
  Source source_ = Source::kHeap;
};

}  // namespace xc::util
