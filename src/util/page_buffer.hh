// A zeroed block of memory for picture-sized buffers, mapped directly from the system: pages come
// zeroed (no memset), and a block of 1.5 MB or more is aligned to and rounded up to 2 MB and backed
// by transparent huge pages where the system offers them (`madvise` or `always`). A decoder's frame
// buffers are touched in full right after they are made; with 4 KB pages a 1080p frame is some 850
// page faults (several microseconds each, over ten on a virtual machine), with 2 MB pages two.
// Elsewhere the advice is ignored and the block is an ordinary mapping. Under AddressSanitizer
// blocks come from the heap instead, so that the sanitizer still sees reads and writes past them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

namespace xc::util {

class PageBuffer {
 public:
  PageBuffer() = default;
  // `bytes` zero bytes; throws std::bad_alloc when the system refuses them.
  explicit PageBuffer(size_t bytes);
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

  void swap(PageBuffer& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(mapped_, other.mapped_);
  }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;  // length of the mapping at data_ (0: from the heap, or empty)
};

}  // namespace xc::util
