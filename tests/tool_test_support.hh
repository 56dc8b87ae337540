// Helpers for tests that run the toolkit's executables and scripts: shell quoting, running a command
// with its output and exit code, and where the built tools and the source tree are.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "test_vectors.hh"  // on_ci(), shared with the vector tests

namespace xc::test {

// Quotes one word for /bin/sh.
inline std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal or not run
  std::string output;  // standard output only
  std::string errors;  // standard error only (empty unless asked for)
};

// Runs `command` with /bin/sh and no standard input. Standard error goes to the test's own stderr,
// or is captured into `errors` when `capture_errors` is set (through a scratch file beside
// `scratch_dir`, which must exist).
inline CommandResult run_command(const std::string& command, const std::string& scratch_dir = "",
                                 bool capture_errors = false) {
  CommandResult result;
  const std::string errors_path = scratch_dir + "/stderr.captured";
  std::string full = "(" + command + ") </dev/null";
  if (capture_errors) full += " 2>" + shell_quote(errors_path);
  FILE* pipe = popen(full.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (capture_errors) {
    if (FILE* f = std::fopen(errors_path.c_str(), "rb")) {
      while ((n = fread(buffer, 1, sizeof buffer, f)) > 0) result.errors.append(buffer, n);
      std::fclose(f);
    }
    std::remove(errors_path.c_str());
  }
  return result;
}

// The folder of the built tools: $XC_BIN_DIR (set by ctest) or the one this test was built beside.
inline std::string tool_dir() {
  const char* dir = std::getenv("XC_BIN_DIR");
  return dir != nullptr && *dir != '\0' ? dir : XC_BIN_DIR;
}

inline std::string tool(const std::string& name) { return tool_dir() + "/" + name; }

inline std::string source_path(const std::string& relative) { return std::string(XC_SOURCE_DIR) + "/" + relative; }

// Whether a program can be found on PATH.
inline bool have_program(const std::string& name) {
  return run_command("command -v " + shell_quote(name) + " >/dev/null 2>&1").exit_code == 0;
}

// A whole file as a string (empty when it cannot be read).
inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}


}  // namespace xc::test
