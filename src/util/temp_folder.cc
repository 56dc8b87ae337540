// Temporary folders: mkdtemp, and removal of the whole tree on destruction.
#include "util/temp_folder.hh"

#include <fmt/format.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "util/errors.hh"

namespace xc::util {

TempFolder::TempFolder(std::string_view prefix, const std::string& parent) {
  const std::filesystem::path base = parent.empty() ? std::filesystem::temp_directory_path() : std::filesystem::path(parent);
  std::string pattern = (base / (std::string(prefix) + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw IoError(fmt::format("{}: cannot create a temporary folder: {}", pattern, std::strerror(errno)));
  }
  path_ = pattern;
}

TempFolder::~TempFolder() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace xc::util
