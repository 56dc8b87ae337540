// libFuzzer harness: Y4M reading. What reads must write back (Y4mWriter) and read again to the same
// header and pictures; everything else must be refused with util::InvalidBitstream or
// util::Unsupported.
#include <cstdint>
#include <span>
#include <string>

#include "fuzz_support.hh"
#include "util/y4m.hh"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xc;
  std::string path;
  try {
    const util::Y4mReader in(fuzz::input_file({data, size}, ".y4m"));
    const size_t frames = std::min(in.frame_count(), fuzz::kMaxFrames);
    if (long(in.header().width) * in.header().height > fuzz::kMaxArea * 16) return 0;
    path = in.path() + ".out.y4m";
    util::Y4mWriter out(path, in.header());
    for (size_t i = 0; i < frames; ++i) out.write(in.frame(i));
    out.finish();
    const util::Y4mReader again(path);
    if (!(again.header() == in.header())) fuzz::fail("the header changes in a write and read");
    if (again.frame_count() != frames) fuzz::fail("the frame count changes in a write and read");
    for (size_t i = 0; i < frames; ++i) {
      const auto a = in.frame_bytes(i), b = again.frame_bytes(i);
      if (!std::equal(a.begin(), a.end(), b.begin(), b.end())) fuzz::fail("frame changes in a write and read");
    }
  } catch (const util::InvalidBitstream&) {
  } catch (const util::Unsupported&) {
  }
  return 0;
}
