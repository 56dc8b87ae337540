// Tests of the MD5 and XXH64 wrappers against published values, and streaming against one-shot use.
#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "util/hash.hh"
#include "util_test_support.hh"

namespace xc::util {
namespace {

using test::as_bytes;

std::string md5_hex(std::string_view s) {
  Md5 md5;
  md5.update(as_bytes(s));
  return md5.hex_digest();
}

std::vector<uint8_t> random_bytes(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(size);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

// RFC 1321, appendix A.5 ("test suite").
TEST(Md5, MatchesRfc1321TestSuite) {
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_hex("a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(md5_hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(md5_hex("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(md5_hex("1234567890123456789012345678901234567890"
                    "1234567890123456789012345678901234567890"),
            "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(Md5, DigestBytesMatchHexAndRepeat) {
  Md5 md5;
  md5.update(as_bytes("abc"));
  const std::array<uint8_t, 16> expected = {0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0,
                                            0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72};
  EXPECT_EQ(md5.digest(), expected);
  EXPECT_EQ(md5.digest(), expected);  // asking again must not finalize twice
  EXPECT_EQ(md5.hex_digest(), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_THROW(md5.update(as_bytes("more")), std::logic_error);
}

TEST(Md5, StreamingInRandomPiecesEqualsOneShot) {
  const uint32_t seed = 314159;
  const std::vector<uint8_t> data = random_bytes(10000, seed);
  Md5 whole;
  whole.update(data);
  const std::string expected = whole.hex_digest();

  std::mt19937 rng(seed);
  for (int trial = 0; trial < 20; ++trial) {
    Md5 pieces;
    for (size_t pos = 0; pos < data.size();) {
      const size_t n = std::min<size_t>(rng() % 200, data.size() - pos);  // 0-byte pieces too
      pieces.update(data.data() + pos, n);
      pos += n;
    }
    EXPECT_EQ(pieces.hex_digest(), expected) << "trial " << trial << " seed " << seed;
  }
}

TEST(Hash64, MatchesPublishedXxh64Values) {
  EXPECT_EQ(hash64({}), 0xEF46DB3751D8E999ull);
  EXPECT_EQ(hash64(as_bytes("abc")), 0x44BC2CF5AD770999ull);
  Hash64 empty;
  EXPECT_EQ(empty.value(), 0xEF46DB3751D8E999ull);
}

TEST(Hash64, StreamingEqualsOneShotAndValueDoesNotFinish) {
  Hash64 h;
  h.update("ab", 2);
  EXPECT_EQ(h.value(), hash64(as_bytes("ab")));
  h.update("c", 1);  // value() above must have left the stream open
  EXPECT_EQ(h.value(), 0x44BC2CF5AD770999ull);

  const uint32_t seed = 271828;
  const std::vector<uint8_t> data = random_bytes(5000, seed);
  std::mt19937 rng(seed);
  Hash64 pieces;
  for (size_t pos = 0; pos < data.size();) {
    const size_t n = std::min<size_t>(rng() % 100, data.size() - pos);
    pieces.update(std::span(data).subspan(pos, n));
    pos += n;
  }
  EXPECT_EQ(pieces.value(), hash64(data)) << "seed " << seed;
  std::vector<uint8_t> changed = data;
  changed[2500] ^= 1;
  EXPECT_NE(hash64(changed), hash64(data));
}

}  // namespace
}  // namespace xc::util
