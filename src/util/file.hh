// Read-only memory-mapped input files and atomically written output files.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace xc::util {

// A whole file mapped read-only into memory (no copy). Empty files are allowed.
// Throws IoError("PATH: strerror") when the file cannot be opened or mapped, and IoError for
// directories, pipes and devices (only regular files can be mapped); UsageError for an empty path. The file must not be truncated
// by another process while it is mapped (reading the lost pages would raise SIGBUS).
class MappedFile {
 public:
  // With `keep_open`, the file stays open for copy() (a descriptor per object, so not for tools that
  // hold many files at once).
  explicit MappedFile(const std::string& path, bool keep_open = false);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  const std::string& path() const { return path_; }

  // Copies bytes()[offset, offset + out.size()) into `out`: when the file was kept open, by reading
  // it (pread) rather than the mapping. For data used once and copied anyway, into memory that is
  // reused, this spares the mapping's page faults (one per 4 KB touched, the costliest part of
  // reading a picture from the mapping). Throws IoError when the file cannot be read,
  // std::out_of_range past the end.
  void copy(size_t offset, std::span<uint8_t> out) const;

 private:
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  int fd_ = -1;  // with keep_open, for copy()
};

// An output file that appears under its name only when commit() succeeds.
// Bytes go to a temporary file in the same folder (PATH.tmp.XXXXXX); commit() closes it, gives it
// the usual permissions (0644 minus the umask) and renames it over PATH. If the object is destroyed
// without commit(), the temporary file is removed, so a failing tool never leaves a truncated file
// under the target's name (a SIGKILL can leave the PATH.tmp.* file, never a partial PATH).
// commit() does not fsync: see file.cc for why. Errors are IoError("PATH: what: strerror").
// Writing after commit(), or write_at() past the bytes written so far, is a logic_error; an empty
// path is a UsageError.
class AtomicFile {
 public:
  explicit AtomicFile(const std::string& path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::span<const uint8_t> bytes);
  void write_at(uint64_t offset, std::span<const uint8_t> bytes);  // overwrite already-written bytes
  void commit();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  uint64_t size_ = 0;  // bytes written so far; write_at() may only overwrite inside them
  bool committed_ = false;
};

// Convenience: the whole content at once, atomically.
void write_file_atomically(const std::string& path, std::span<const uint8_t> bytes);

// One output of a run that has several: its path and what puts it in place (AtomicFile::commit, or a
// writer's finish()).
struct PendingOutput {
  std::string path;
  std::function<void()> commit;
};

// Commits the outputs in order. When one fails, those already committed are removed again, so a
// tool with several outputs leaves all of them or none (a file that had one of their names before
// the run is then gone too, as it would be after a successful run). Rethrows the failure.
void commit_all(const std::vector<PendingOutput>& outputs);

}  // namespace xc::util
