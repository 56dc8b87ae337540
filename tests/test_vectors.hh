// Where the conformance vectors are, and the one rule for tests that need them: outside CI a missing
// folder skips the test with a message; with CI=true it is a failure, so a wrong path can never pass
// as "skipped". XC_TEST_VECTORS moves the folder (default: ../shared/vp8-test-vectors beside the
// repository).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace xc::test {

inline bool on_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

inline std::filesystem::path vectors_dir() {
  if (const char* env = std::getenv("XC_TEST_VECTORS"); env != nullptr && *env != '\0') return env;
  return std::filesystem::path(XC_SOURCE_DIR) / ".." / "shared" / "vp8-test-vectors";
}

inline bool have_vectors() { return std::filesystem::is_directory(vectors_dir()); }

inline std::string missing_vectors_message() {
  return "conformance vectors not found at " + vectors_dir().string() +
         " (set XC_TEST_VECTORS to their folder; with CI=true this is a failure)";
}

}  // namespace xc::test

// In a test body or SetUp: fails under CI=true, else skips, when the vectors are missing.
#define XC_REQUIRE_VECTORS()                                                 \
  do {                                                                       \
    if (!::xc::test::have_vectors()) {                                       \
      if (::xc::test::on_ci()) FAIL() << ::xc::test::missing_vectors_message(); \
      GTEST_SKIP() << ::xc::test::missing_vectors_message();                 \
    }                                                                        \
  } while (false)
