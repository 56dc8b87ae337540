// Helpers shared by the util_* tests: scratch folders, raw file access and error-message checks.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <typeinfo>
#include <vector>

#include "util/temp_folder.hh"

namespace xc::test {

// A fresh folder per test, removed with everything in it when the test ends.
class TempDir {
 public:
  TempDir() : folder_("xc_util_", ::testing::TempDir()) {}

  const std::string& path() const { return folder_.path(); }
  std::string file(std::string_view name) const { return folder_.file(name); }

  // Names of the entries in the folder, sorted, to catch leftover temporary files.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path())) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  util::TempFolder folder_;
};

// Plain iostream access, independent of the code under test.
inline void write_raw(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline void write_raw(const std::string& path, const std::vector<uint8_t>& bytes) {
  write_raw(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

inline std::vector<uint8_t> read_raw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline bool exists(const std::string& path) { return std::filesystem::exists(path); }

inline std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

inline std::vector<uint8_t> to_vector(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }
inline std::vector<uint8_t> to_vector(std::string_view s) { return {s.begin(), s.end()}; }

// Succeeds when f() throws exactly E (not a subclass or sibling) and the message contains every
// part, so the tests pin both the error category and the "PATH: problem" wording.
template <typename E, typename F>
::testing::AssertionResult throws_exactly(F&& f, const std::vector<std::string>& parts) {
  try {
    f();
  } catch (const std::exception& e) {
    if (typeid(e) != typeid(E)) {
      return ::testing::AssertionFailure() << "threw " << typeid(e).name() << " instead of "
                                           << typeid(E).name() << ": " << e.what();
    }
    const std::string message = e.what();
    for (const std::string& part : parts) {
      if (message.find(part) == std::string::npos) {
        return ::testing::AssertionFailure()
               << "message \"" << message << "\" lacks \"" << part << "\"";
      }
    }
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "nothing was thrown";
}

// Writes `bytes` to a scratch file, opens it with Reader and checks the exception type and a
// message that starts with the path and contains every part.
template <typename E, typename Reader, typename Bytes>
::testing::AssertionResult reader_rejects(const Bytes& bytes,
                                          const std::vector<std::string>& parts) {
  TempDir dir;
  const std::string path = dir.file("bad.input");
  write_raw(path, bytes);
  std::vector<std::string> all = {path + ": "};
  all.insert(all.end(), parts.begin(), parts.end());
  return throws_exactly<E>([&] { Reader reader(path); }, all);
}

}  // namespace xc::test
