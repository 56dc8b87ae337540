// Tuning of the process heap for tools that allocate and free picture-sized buffers frame after
// frame (rasters, coefficients, images). Only a matter of speed and memory, never of results: without
// glibc both do nothing, and populate_heap does nothing on a kernel without MADV_POPULATE_WRITE
// (before Linux 5.14).
#pragma once

#include <cstddef>

namespace xc::util {

// Keeps large blocks in the heap and freed memory in the process. By default glibc maps each block
// above 128 KB afresh and unmaps it on free, so every page of every frame's buffers faults in again;
// kept in the heap they are reused instead. Call once, at the start of main.
void keep_freed_memory();

// Grows the heap by about `bytes` (at most 30 MB) whose pages are mapped at once, as 2 MB pages
// where the system has transparent huge pages, then frees them for later allocations (after
// keep_freed_memory(), the heap keeps them). A short process that will use that much heap anyway
// gets its memory in one system call instead of one page fault per 4 KB: a fault costs several
// microseconds (over ten on a virtual machine), and a 720p rebase touches about 3500 pages.
// Asking for more than the process will use raises its peak memory by the difference.
void populate_heap(size_t bytes);

}  // namespace xc::util
