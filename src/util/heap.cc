// Heap tuning (see heap.hh).
#include "util/heap.hh"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <utility>

#ifdef __GLIBC__
#include <malloc.h>
#include <sys/mman.h>
#endif

namespace xc::util {

void keep_freed_memory() {
#ifdef __GLIBC__
  // Blocks up to 32 MB (a few 1080p pictures' worth) from the heap; the heap shrinks only when 64 MB
  // at its top are free.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}

void populate_heap(size_t bytes) {
#if defined(__GLIBC__) && defined(MADV_POPULATE_WRITE)
  // Below the mmap threshold the block is carved from the top of the heap, and once freed it merges
  // back into it: the next allocations take their memory from the populated pages.
  bytes = std::min<size_t>(bytes, 30u << 20);  // below keep_freed_memory's mmap threshold
  if (bytes == 0) return;
  void* block = std::malloc(bytes);
  if (!block) return;
  // The whole pages (and whole 2 MB ranges) inside the block.
  auto inside = [&](uintptr_t unit) {
    const uintptr_t at = reinterpret_cast<uintptr_t>(block);
    return std::pair{(at + unit - 1) & ~(unit - 1), (at + bytes) & ~(unit - 1)};
  };
#ifdef MADV_HUGEPAGE
  // Large pages where the system offers them (transparent huge pages set to "madvise" or
  // "always"): a 2 MB page costs about what one small page does to map, and nothing more is
  // mapped than the block, which the process will use anyway. Elsewhere the advice is ignored.
  if (const auto [first, end] = inside(2u << 20); end > first) {
    (void)madvise(reinterpret_cast<void*>(first), end - first, MADV_HUGEPAGE);
  }
#endif
  // Older kernels refuse the advice (EINVAL): the pages then fault in one by one as before.
  if (const auto [first, end] = inside(4096); end > first) {
    (void)madvise(reinterpret_cast<void*>(first), end - first, MADV_POPULATE_WRITE);
  }
  std::free(block);
#else
  (void)bytes;
#endif
}

}  // namespace xc::util
