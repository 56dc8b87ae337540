// Helpers shared by the frame-writer and chunk-termination tests: the conformance vectors'
// location (../shared/vp8-test-vectors, or $XC_TEST_VECTORS).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "tool_test_support.hh"

namespace xc::test {

// Records why the vectors are missing: a failure with CI=true, else a skip of the current test.
inline void report_missing_vectors() {
  if (on_ci()) {
    ADD_FAILURE() << missing_vectors_message();
    return;
  }
  GTEST_SKIP() << missing_vectors_message();
}

// The .ivf files of the conformance set, sorted by name; empty, after reporting it, when the folder
// is absent. Use as `const auto v = conformance_vectors(); if (v.empty()) return;`.
inline std::vector<std::filesystem::path> conformance_vectors() {
  const std::filesystem::path dir = vectors_dir();
  std::vector<std::filesystem::path> out;
  if (!have_vectors()) {
    report_missing_vectors();
    return out;
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".ivf") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace xc::test
