// A folder of its own under a parent (by default the system's temporary folder), removed with
// everything in it when the object goes.
#pragma once

#include <string>
#include <string_view>

namespace xc::util {

class TempFolder {
 public:
  // Creates `parent`/`prefix`XXXXXX with a unique suffix; throws IoError naming the path on failure.
  explicit TempFolder(std::string_view prefix, const std::string& parent = {});
  ~TempFolder();
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  const std::string& path() const { return path_; }
  // The path of `name` inside the folder.
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

}  // namespace xc::util
