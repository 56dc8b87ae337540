// The decoder state (§9.3-9.11) and its .state file (vp8/state_io.hh): saving and resuming at every
// frame of every conformance vector, the size of a key-frame state, a pinned hash, random states, and
// the rejection of damaged files.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <typeinfo>
#include <vector>

#include "util/errors.hh"
#include "util/hash.hh"
#include "util_test_support.hh"
#include "vector_test_support.hh"
#include "vp8/state_io.hh"

namespace xc::vp8 {
namespace {

using test::decode_straight;
using test::read_frames;
using test::StraightDecode;
using test::TempDir;
using test::vector_path;

// Every raster and segment map a state points to.
std::set<const void*> shared_parts(const DecoderState& s) {
  std::set<const void*> parts;
  for (const RasterRef* r : {&s.refs.last, &s.refs.golden, &s.refs.altref}) {
    if (*r) parts.insert(r->get());
  }
  if (s.segmentation.map) parts.insert(s.segmentation.map.get());
  return parts;
}

bool shares_parts_with(const DecoderState& a, const std::set<const void*>& parts) {
  for (const void* p : shared_parts(a)) {
    if (parts.count(p)) return true;
  }
  return false;
}

bool is_key_frame(const std::vector<uint8_t>& frame) { return !frame.empty() && (frame[0] & 1) == 0; }

size_t aligned_i420_size(const DecoderState& s) { return size_t(s.mb_cols()) * s.mb_rows() * 256 * 3 / 2; }

class StateSplit : public ::testing::TestWithParam<std::string> {};

// Saves the straight decode's state before every frame k (and after the last), loads it back and
// decodes frames k.. from the loaded copy: same pictures, same states.
//
// To stay fast, the resumed decode of split k stops at the first frame after which its state equals
// the straight one and no longer holds any raster or segment map that came from the file: from there
// both decoders hold equal values made by the decoder itself, so the rest is the computation the
// straight decode already performed. Streams whose golden or altref frame is never refreshed keep a
// loaded raster to the end and are decoded to the end.
TEST_P(StateSplit, ResumingFromEverySavedStateMatchesAStraightDecode) {
  const std::string path = vector_path(GetParam());
  const auto frames = read_frames(path);
  const StraightDecode straight = decode_straight(frames);
  const size_t n = frames.size();
  const std::string name = GetParam() + ".state";
  for (size_t k = 0; k <= n; ++k) {
    SCOPED_TRACE(::testing::Message() << path << ", state saved before frame " << k << " of " << n);
    const DecoderState& saved = straight.states[k];
    const std::vector<uint8_t> bytes = serialize_state(saved);
    const DecoderState loaded = deserialize_state(bytes, name);
    ASSERT_TRUE(loaded == saved);
    ASSERT_EQ(loaded.hash(), saved.hash());
    ASSERT_EQ(serialize_state(loaded), bytes);
    if (k > 0 && is_key_frame(frames[k - 1])) {
      // A key frame sets all three references to one raster, which the file stores once.
      EXPECT_LT(double(bytes.size()), 1.2 * double(aligned_i420_size(saved)) + 2048) << bytes.size() << " bytes";
    }

    const std::set<const void*> from_file = shared_parts(loaded);
    DecoderState state = loaded;
    size_t i = k;
    while (i < n) {
      DecodedFrame d = decode_frame(state, frames[i]);
      ASSERT_EQ(d.shown, straight.md5s[i].has_value()) << "frame " << i;
      if (d.shown) {
        ASSERT_EQ(picture_md5(*d.picture), *straight.md5s[i]) << "frame " << i;
      }
      state = std::move(d.state);
      ++i;
      ASSERT_TRUE(state == straight.states[i]) << "state after frame " << i - 1;
      if (!shares_parts_with(state, from_file)) break;
    }
    ASSERT_EQ(state.hash(), straight.states[i].hash()) << "state after frame " << i - 1;
  }
}

INSTANTIATE_TEST_SUITE_P(Vectors, StateSplit, ::testing::ValuesIn(test::vector_names()), test::vector_param_name);
// Without the vectors there are no parameters; StateFile.VectorsArePresent reports that.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(StateSplit);

TEST(StateFile, VectorsArePresent) {
  XC_REQUIRE_VECTORS();
  EXPECT_EQ(test::vector_names().size(), test::kConformanceVectorCount);
}

// save_state/load_state through a real file; the file after a key frame holds one raster.
TEST(StateFile, KeyFrameStateFileHoldsOneFrame) {
  XC_REQUIRE_VECTORS();
  for (const char* vector : {"vp80-00-comprehensive-001", "vp80-00-comprehensive-006", "vp80-00-comprehensive-008"}) {
    const auto frames = read_frames(vector_path(vector));
    const DecoderState state = decode_frame(DecoderState{}, frames.at(0)).state;
    ASSERT_TRUE(state.refs.last == state.refs.golden && state.refs.last == state.refs.altref);
    const TempDir dir;
    const std::string file = dir.file("key.state");
    save_state(state, file);
    const double frame_bytes = double(aligned_i420_size(state));
    const double size = double(std::filesystem::file_size(file));
    EXPECT_GT(size, frame_bytes) << vector;
    EXPECT_LT(size, 1.2 * frame_bytes + 2048) << vector;
    EXPECT_TRUE(load_state(file) == state) << vector;
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"key.state"}) << "save_state left a temporary file";
  }
}

// The hash is stored in files (it is the .state checksum and the IVF expected-state tag), so it must
// not change across builds, compilers or machines. This literal pins the .state format (version 1)
// and the hash function: if it changes, so must kStateFormatVersion.
TEST(StateFile, HashOfAKnownStateIsPinned) {
  XC_REQUIRE_VECTORS();
  const auto straight = decode_straight(read_frames(vector_path("vp80-00-comprehensive-001")));
  EXPECT_EQ(straight.states.back().hash(), 13137372497522905508ULL);
  EXPECT_EQ(DecoderState{}.hash(), 11761070094482348990ULL);
}

// Values a test changes in a state; each must make the state unequal, with a different hash.
TEST(StateFile, EveryFieldTakesPartInEqualityAndHash) {
  XC_REQUIRE_VECTORS();
  const auto straight = decode_straight(read_frames(vector_path("vp80-00-comprehensive-001")));
  const DecoderState base = straight.states.back();
  auto differ = [&](const char* what, auto change) {
    DecoderState other = base;
    change(other);
    EXPECT_FALSE(other == base) << what;
    EXPECT_NE(other.hash(), base.hash()) << what;
  };
  differ("coefficient probability", [](DecoderState& s) { s.probs.coeff_probs[3][7][2][10] ^= 1; });
  differ("y-mode probability", [](DecoderState& s) { s.probs.y_mode_probs[0] ^= 1; });
  differ("uv-mode probability", [](DecoderState& s) { s.probs.uv_mode_probs[2] ^= 1; });
  differ("MV probability", [](DecoderState& s) { s.probs.mv_probs[1][18] ^= 1; });
  differ("segment mode", [](DecoderState& s) { s.segmentation.absolute_values ^= true; });
  differ("segment quantizer", [](DecoderState& s) { s.segmentation.quantizer[3] = -5; });
  differ("segment filter level", [](DecoderState& s) { s.segmentation.loop_filter_level[1] = 7; });
  differ("segment map", [](DecoderState& s) {
    auto map = std::make_shared<std::vector<uint8_t>>(size_t(s.mb_cols()) * s.mb_rows(), 0);
    map->back() = 2;
    s.segmentation.map = std::move(map);
  });
  differ("ref delta", [](DecoderState& s) { s.lf_deltas.ref[2] = 9; });
  differ("mode delta", [](DecoderState& s) { s.lf_deltas.mode[3] = -9; });
  differ("scale", [](DecoderState& s) { s.vert_scale = 2; });
  differ("golden pixel", [&](DecoderState& s) {
    auto copy = std::make_shared<Raster>(*s.refs.golden);
    copy->u().row(copy->u().height() - 1)[copy->u().width() - 1] ^= 1;
    s.refs.golden = std::move(copy);
  });
  differ("altref raster", [&](DecoderState& s) {
    for (const DecoderState& earlier : straight.states) {
      if (earlier.refs.last && !same_raster(earlier.refs.last, s.refs.altref)) {
        s.refs.altref = earlier.refs.last;
        return;
      }
    }
    ADD_FAILURE() << "every frame of the vector equals its altref";
  });
}

// Random states: random probabilities, segmentation and deltas, references taken from decoded
// vectors in random combinations. Each must round-trip exactly.
TEST(StateFile, RandomStatesRoundTripExactly) {
  XC_REQUIRE_VECTORS();
  constexpr uint64_t kSeed = 0x5eed5a7e;
  SCOPED_TRACE(::testing::Message() << "seed " << std::hex << kSeed);
  std::mt19937_64 rng(kSeed);
  auto below = [&](uint64_t n) { return rng() % n; };
  auto in_range = [&](int lo, int hi) { return int(lo + int(below(uint64_t(hi - lo + 1)))); };

  // Decoded states of several sizes (odd, tiny, large), each with the rasters of every frame.
  std::vector<StraightDecode> sources;
  for (const char* vector : {"vp80-00-comprehensive-001", "vp80-00-comprehensive-006", "vp80-01-intra-1411",
                             "vp80-00-comprehensive-008"}) {
    sources.push_back(decode_straight(read_frames(vector_path(vector))));
  }

  for (int round = 0; round < 120; ++round) {
    SCOPED_TRACE(::testing::Message() << "round " << round);
    DecoderState s;
    for (auto& a : s.probs.coeff_probs)
      for (auto& b : a)
        for (auto& c : b)
          for (auto& p : c) p = uint8_t(rng());
    for (auto& p : s.probs.y_mode_probs) p = uint8_t(rng());
    for (auto& p : s.probs.uv_mode_probs) p = uint8_t(rng());
    for (auto& m : s.probs.mv_probs)
      for (auto& p : m) p = uint8_t(rng());
    s.segmentation.absolute_values = below(2);
    for (auto& v : s.segmentation.quantizer) v = int8_t(in_range(-127, 127));
    for (auto& v : s.segmentation.loop_filter_level) v = int8_t(in_range(-63, 63));
    for (auto& v : s.lf_deltas.ref) v = int8_t(in_range(-63, 63));
    for (auto& v : s.lf_deltas.mode) v = int8_t(in_range(-63, 63));

    // One round in eight keeps a state from before the first key frame (no size, no references).
    if (below(8) != 0) {
      // The large vector only now and then, to keep the test fast.
      const StraightDecode& src = sources[below(8) == 0 ? 3 : below(3)];
      const DecoderState& shape = src.states.back();
      s.width = shape.width;
      s.height = shape.height;
      s.horiz_scale = uint8_t(below(4));
      s.vert_scale = uint8_t(below(4));
      auto pick = [&] { return src.states[1 + below(src.states.size() - 1)].refs.last; };
      s.refs.last = pick();
      s.refs.golden = below(3) == 0 ? s.refs.last : pick();
      s.refs.altref = below(3) == 0 ? s.refs.golden : pick();
      const size_t mbs = size_t(s.mb_cols()) * s.mb_rows();
      switch (below(4)) {
        case 0:  // none
          break;
        case 1:  // all zeros: the same value as none, stored as none
          s.segmentation.map = std::make_shared<std::vector<uint8_t>>(mbs, 0);
          break;
        default: {
          auto map = std::make_shared<std::vector<uint8_t>>(mbs);
          for (auto& id : *map) id = uint8_t(below(4));
          s.segmentation.map = std::move(map);
        }
      }
    }

    const std::vector<uint8_t> bytes = serialize_state(s);
    const DecoderState loaded = deserialize_state(bytes, "random.state");
    ASSERT_TRUE(loaded == s);
    ASSERT_EQ(loaded.hash(), s.hash());
    ASSERT_EQ(serialize_state(loaded), bytes);
    ASSERT_EQ(util::hash64(std::span(bytes).first(bytes.size() - 8)), s.hash()) << "checksum is not hash()";
  }
}

// ---- Damaged files -------------------------------------------------------------------------------

constexpr const char* kName = "damaged/test.state";

// deserialize_state must throw exactly InvalidBitstream, with a message that starts with the name.
::testing::AssertionResult rejected(const std::vector<uint8_t>& bytes, const std::string& expected_part = "") {
  try {
    deserialize_state(bytes, kName);
  } catch (const std::exception& e) {
    const std::string message = e.what();
    if (typeid(e) != typeid(util::InvalidBitstream)) {
      return ::testing::AssertionFailure() << "threw " << typeid(e).name() << ": " << message;
    }
    if (message.rfind(std::string(kName) + ": ", 0) != 0) {
      return ::testing::AssertionFailure() << "message does not start with the name: " << message;
    }
    if (message.find(expected_part) == std::string::npos) {
      return ::testing::AssertionFailure() << "message lacks \"" << expected_part << "\": " << message;
    }
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "accepted";
}

// Replaces the trailing checksum so that damage to the content reaches the field checks.
std::vector<uint8_t> with_fixed_checksum(std::vector<uint8_t> bytes) {
  const uint64_t sum = util::hash64(std::span(bytes).first(bytes.size() - 8));
  for (int i = 0; i < 8; ++i) bytes[bytes.size() - 8 + i] = uint8_t(sum >> (8 * i));
  return bytes;
}

// The smallest state: a fresh decoder (no size, no references), with some non-default values.
std::vector<uint8_t> small_state() {
  DecoderState s;
  s.probs.y_mode_probs = {1, 2, 3, 4};
  s.segmentation.quantizer = {-1, 2, -3, 4};
  s.lf_deltas.mode = {5, -6, 7, -8};
  return serialize_state(s);
}

TEST(StateFileRejects, EmptyFile) { EXPECT_TRUE(rejected({}, "bad magic")); }

TEST(StateFileRejects, BadMagic) {
  const auto good = small_state();
  for (size_t i = 0; i < 8; ++i) {
    auto bad = good;
    bad[i] ^= 0x20;
    EXPECT_TRUE(rejected(bad, "bad magic")) << "byte " << i;
  }
  EXPECT_TRUE(rejected({'D', 'K', 'I', 'F', 0, 0, 32, 0}, "bad magic"));
}

TEST(StateFileRejects, UnsupportedVersion) {
  for (uint32_t version : {0u, kStateFormatVersion + 1, 0xffffffffu}) {
    auto bad = small_state();
    for (int i = 0; i < 4; ++i) bad[8 + i] = uint8_t(version >> (8 * i));
    EXPECT_TRUE(rejected(bad, "version")) << version;
    EXPECT_TRUE(rejected(with_fixed_checksum(bad), "version")) << version;
  }
}

TEST(StateFileRejects, EveryTruncationOfASmallState) {
  const auto good = small_state();
  ASSERT_FALSE(rejected(good));
  for (size_t len = 0; len < good.size(); ++len) {
    const std::vector<uint8_t> prefix(good.begin(), good.begin() + ptrdiff_t(len));
    EXPECT_TRUE(rejected(prefix)) << "first " << len << " bytes";
    // The same prefix of the content behind a valid checksum reaches the field reader.
    if (len >= 12 && len < good.size() - 8) {
      std::vector<uint8_t> content(good.begin(), good.begin() + ptrdiff_t(len));
      content.resize(len + 8);
      EXPECT_TRUE(rejected(with_fixed_checksum(content), "truncated")) << "first " << len << " content bytes";
    }
  }
}

TEST(StateFileRejects, EveryFlippedByteOfASmallState) {
  const auto good = small_state();
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t mask : {uint8_t(0x01), uint8_t(0x80), uint8_t(0xff)}) {
      auto bad = good;
      bad[i] ^= mask;
      EXPECT_TRUE(rejected(bad)) << "byte " << i << " ^ " << int(mask);
    }
  }
}

TEST(StateFileRejects, TrailingBytes) {
  const auto good = small_state();
  for (size_t extra : {1, 7, 8, 100}) {
    auto bad = good;
    bad.resize(good.size() + extra, 0);
    EXPECT_TRUE(rejected(bad)) << extra << " bytes appended";
    // Extra bytes between the content and a valid checksum.
    std::vector<uint8_t> content(good.begin(), good.end() - 8);
    content.resize(content.size() + extra + 8, 0xab);
    EXPECT_TRUE(rejected(with_fixed_checksum(content), "unexpected bytes")) << extra << " bytes inserted";
  }
}

// Offsets in a .state file (the table in vp8/state_io.hh), typed in so the test does not share them.
constexpr size_t kFirstProbability = 18;
constexpr size_t kEndOfProbabilities = kFirstProbability + 1056 + 4 + 3 + 38;
constexpr size_t kMapFlag = kEndOfProbabilities + 1 + 4 + 4;

// A state with a size, three distinct references and a non-zero segment map (vp80-00-comprehensive-011
// has one such state).
DecoderState rich_state() {
  const auto straight = decode_straight(read_frames(vector_path("vp80-00-comprehensive-011")));
  for (const DecoderState& s : straight.states) {
    const bool map = s.segmentation.map &&
                     std::any_of(s.segmentation.map->begin(), s.segmentation.map->end(), [](uint8_t id) { return id != 0; });
    if (map && serialize_state(s).size() > 3 * aligned_i420_size(s)) return s;
  }
  ADD_FAILURE() << "vp80-00-comprehensive-011 has no state with three distinct references and a map";
  return straight.states.back();
}

TEST(StateFileRejects, DamageToAStateWithReferencesAndAMap) {
  XC_REQUIRE_VECTORS();
  const DecoderState state = rich_state();
  const auto good = serialize_state(state);
  ASSERT_EQ(good[kMapFlag], 1);
  const size_t pixels = good.size() - 8 - 3 * aligned_i420_size(state);  // where the rasters start
  // Truncations and flips: all of the fields, a sample of the pixels, all of the checksum.
  for (size_t i = 0; i < good.size(); ++i) {
    if (i >= pixels + 64 && i + 64 <= good.size() && i % 251 != 0) continue;
    EXPECT_TRUE(rejected(std::vector<uint8_t>(good.begin(), good.begin() + ptrdiff_t(i)))) << "first " << i;
    auto bad = good;
    bad[i] ^= 0x10;
    EXPECT_TRUE(rejected(bad)) << "byte " << i;
  }
  // Other values in the fields behind a valid checksum, so they reach the field checks: each is
  // rejected, or loads to a state that is written back to the same bytes. Probabilities accept any
  // value, so a sample of them is enough.
  for (size_t i = 12; i < pixels; ++i) {
    if (i >= kFirstProbability && i < kEndOfProbabilities && i % 13 != 0) continue;
    for (uint8_t value : {uint8_t(0), uint8_t(1), uint8_t(4), uint8_t(0x80), uint8_t(0xff), uint8_t(good[i] ^ 1)}) {
      auto bad = good;
      bad[i] = value;
      bad = with_fixed_checksum(bad);
      try {
        const DecoderState loaded = deserialize_state(bad, kName);
        EXPECT_TRUE(serialize_state(loaded) == bad) << "byte " << i << " = " << int(value) << " loads, but not as written";
      } catch (const util::InvalidBitstream& e) {
        EXPECT_EQ(std::string(e.what()).rfind(std::string(kName) + ": ", 0), 0u) << e.what();
      }
    }
  }
}

// Every state has one file (so the checksum is the hash of the state it loads to): the loader must
// refuse other encodings of a valid state, even behind a valid checksum.
TEST(StateFileRejects, NonCanonicalEncodings) {
  XC_REQUIRE_VECTORS();
  const DecoderState state = rich_state();
  const auto good = serialize_state(state);
  const size_t frame = aligned_i420_size(state);
  const size_t pixels = good.size() - 8 - 3 * frame;
  const size_t count = pixels - 4, map = kMapFlag + 1, map_size = size_t(state.mb_cols()) * state.mb_rows();
  ASSERT_EQ(good[count], 3);
  ASSERT_EQ(std::vector<uint8_t>(good.begin() + ptrdiff_t(count + 1), good.begin() + ptrdiff_t(pixels)),
            (std::vector<uint8_t>{0, 1, 2}));
  auto raster = [&](std::vector<uint8_t>& bytes, size_t i) { return bytes.begin() + ptrdiff_t(pixels + i * frame); };

  auto swapped = good;  // rasters stored in another order
  std::swap_ranges(raster(swapped, 0), raster(swapped, 1), raster(swapped, 1));
  swapped[count + 1] = 1;
  swapped[count + 2] = 0;
  EXPECT_TRUE(rejected(with_fixed_checksum(swapped))) << "rasters out of order";

  auto duplicate = good;  // one raster stored twice
  std::copy(raster(duplicate, 1), raster(duplicate, 2), raster(duplicate, 2));
  EXPECT_TRUE(rejected(with_fixed_checksum(duplicate))) << "a raster stored twice";

  auto unused = good;  // a raster no reference uses
  unused[count + 3] = 1;
  EXPECT_TRUE(rejected(with_fixed_checksum(unused))) << "an unused raster";

  auto zero_map = good;  // an all-zero map is stored as absent
  std::fill(zero_map.begin() + ptrdiff_t(map), zero_map.begin() + ptrdiff_t(map + map_size), 0);
  EXPECT_TRUE(rejected(with_fixed_checksum(zero_map))) << "an all-zero map stored as present";
}

TEST(StateFileRejects, LoadStateNamesTheFile) {
  const TempDir dir;
  const std::string file = dir.file("cut.state");
  auto bytes = small_state();
  bytes.resize(bytes.size() / 2);
  test::write_raw(file, bytes);
  EXPECT_TRUE(test::throws_exactly<util::InvalidBitstream>([&] { load_state(file); }, {file + ": "}));
  EXPECT_TRUE(test::throws_exactly<util::IoError>([&] { load_state(dir.file("missing.state")); },
                                                  {dir.file("missing.state")}));
}

}  // namespace
}  // namespace xc::vp8
