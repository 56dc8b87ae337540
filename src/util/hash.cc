// MD5 and XXH64 digests over Debian's libmd and libxxhash (no RFC 6386 section; MD5 is RFC 1321).
#include "util/hash.hh"

#include <md5.h>
#include <xxhash.h>

#include <new>
#include <optional>
#include <stdexcept>

namespace xc::util {

struct Md5::Impl {
  MD5_CTX context;
  std::optional<std::array<uint8_t, 16>> digest;  // set once finished, so digest() may be re-asked
};

Md5::Md5() : impl_(std::make_unique<Impl>()) { MD5Init(&impl_->context); }
Md5::~Md5() = default;

void Md5::update(std::span<const uint8_t> bytes) {
  if (impl_->digest) throw std::logic_error("Md5::update after digest()");
  if (!bytes.empty()) MD5Update(&impl_->context, bytes.data(), bytes.size());
}

std::array<uint8_t, 16> Md5::digest() {
  if (!impl_->digest) {
    std::array<uint8_t, 16> out{};
    MD5Final(out.data(), &impl_->context);
    impl_->digest = out;
  }
  return *impl_->digest;
}

std::string Md5::hex_digest() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : digest()) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

// The state is allocated by the library: its layout is only public under XXH_STATIC_LINKING_ONLY,
// which would tie this file to one libxxhash version.
struct Hash64::Impl {
  XXH64_state_t* state = nullptr;
  ~Impl() { XXH64_freeState(state); }
};

Hash64::Hash64() : impl_(std::make_unique<Impl>()) {
  impl_->state = XXH64_createState();
  if (impl_->state == nullptr) throw std::bad_alloc();
  XXH64_reset(impl_->state, 0);
}
Hash64::~Hash64() = default;

void Hash64::update(std::span<const uint8_t> bytes) {
  if (!bytes.empty()) XXH64_update(impl_->state, bytes.data(), bytes.size());
}

uint64_t Hash64::value() const { return XXH64_digest(impl_->state); }

uint64_t hash64(std::span<const uint8_t> bytes) { return XXH64(bytes.data(), bytes.size(), 0); }

}  // namespace xc::util
