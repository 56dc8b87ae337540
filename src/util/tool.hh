// The common frame of every command-line tool: one catch in main, errors printed as one line
// "tool: message" on stderr, a non-zero exit.
#pragma once

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <string>

#include "util/errors.hh"

namespace xc::util {

// CLI11 takes "" as a value; for a file name it would mean the option was not given (xc-decode -o "")
// or a file named "" in the working folder. Throws UsageError naming the option.
inline void refuse_empty_values(const CLI::App& app) {
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_type_size_min() == 0) continue;  // a flag
    for (const std::string& value : option->results()) {
      if (value.empty()) throw UsageError(option->get_name() + ": empty value");
    }
  }
}

// Runs `body` (which parses `app` itself and does the work) and turns every failure into one line on
// stderr. Exit codes: 0 success, 1 error, 2 usage error.
template <typename Body>
int run_tool(const char* name, CLI::App& app, int argc, char** argv, Body&& body) {
  try {
    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
      std::fputs(app.help().c_str(), stdout);
      return 0;
    } catch (const CLI::CallForVersion&) {
      std::printf("%s %s\n", name, XC_VERSION);
      return 0;
    } catch (const CLI::ParseError& e) {
      std::fprintf(stderr, "%s: %s (see --help)\n", name, e.what());
      return 2;
    }
    refuse_empty_values(app);
    return body();
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s: %s (see --help)\n", name, e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", name, e.what());
    return 1;
  }
}

// Prefixes an error with the file it concerns, unless it already starts with it.
inline std::string with_path(const std::string& path, const std::string& message) {
  if (message.rfind(path + ":", 0) == 0) return message;
  return path + ": " + message;
}

}  // namespace xc::util
