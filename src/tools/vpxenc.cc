// vpxenc: encodes a Y4M clip to VP8 in IVF through libvpx, taking vpxenc's flags with their meaning
// (the command itself, and what it matches of Debian's vpxenc, is in vpxenc/vpxenc_command.cc).
#include <fmt/format.h>

#include <exception>

#include "util/errors.hh"
#include "vpxenc/vpxenc_command.hh"

int main(int argc, char** argv) {
  try {
    return xc::tools::vpxenc_command(argc, argv);
  } catch (const xc::util::UsageError& e) {
    fmt::print(stderr, "vpxenc: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "vpxenc: {}\n", e.what());
    return 1;
  }
}
