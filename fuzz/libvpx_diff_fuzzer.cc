// libFuzzer harness: the decoder against libvpx's (in process) on a whole stream, through
// compare_stream_with_libvpx (tests/libvpx_compare.hh). Where libvpx decodes a frame cleanly, our
// decoder must decode it too, to the same shown picture and the same three references; the first
// frame libvpx refuses, flags as corrupt or has no defined result for ends the comparison (what our
// decoder does with it is documented in tests/libvpx_damaged_test.cc). A divergence aborts.
#include <cstdint>
#include <span>

#include "fuzz_support.hh"
#include "libvpx_compare.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xc;
  const auto frames = fuzz::read_stream({data, size});
  if (frames.empty()) return 0;
  const test::StreamComparison c = test::compare_stream_with_libvpx(fuzz::spans(frames));
  if (c.diverged()) fuzz::fail("differs from libvpx: " + c.detail);
  return 0;
}
