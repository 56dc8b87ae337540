// Memory-mapped input files and output files that appear only when complete (no RFC section).
#include "util/file.hh"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "util/errors.hh"

namespace xc::util {

namespace {

// std::system_category().message() is strerror's text without strerror's shared buffer.
std::string errno_text(int err) { return std::system_category().message(err); }

[[noreturn]] void throw_io(const std::string& path, const std::string& what, int err) {
  throw IoError(path + ": " + (what.empty() ? "" : what + ": ") + errno_text(err));
}

// The process umask, read from /proc because umask(2) can only be read by setting it, which would
// race with other threads creating files. Falls back to the common 022 where /proc lacks the field.
mode_t current_umask() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Umask:", 0) == 0) {
      return static_cast<mode_t>(std::strtoul(line.c_str() + 6, nullptr, 8)) & 0777;
    }
  }
  return 022;
}

}  // namespace

MappedFile::MappedFile(const std::string& path, bool keep_open) : path_(path) {
  if (path.empty()) throw UsageError("an input file name is empty");
  // O_NONBLOCK only matters for FIFOs, where a blocking open would wait for a writer before the
  // check below could refuse the pipe; regular files ignore it.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw_io(path, "", errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    throw_io(path, "", err);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw IoError(path + ": is a directory, not a file");
  }
  if (!S_ISREG(st.st_mode)) {
    // mmap fails on pipes with a puzzling "No such device"; say what is actually wrong.
    ::close(fd);
    throw IoError(path + ": not a regular file (pipes and devices cannot be mapped)");
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0) {  // mmap rejects a length of 0, and an empty span needs no mapping
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      throw_io(path, "mmap", err);
    }
    data_ = static_cast<const uint8_t*>(p);
  }
  if (keep_open) {
    fd_ = fd;
  } else {
    ::close(fd);  // the mapping keeps its own reference to the file
  }
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
  if (fd_ >= 0) ::close(fd_);
}

void MappedFile::copy(size_t offset, std::span<uint8_t> out) const {
  if (offset > size_ || out.size() > size_ - offset) {
    throw std::out_of_range(path_ + ": copy of " + std::to_string(out.size()) + " bytes at " + std::to_string(offset) +
                            " past the end (" + std::to_string(size_) + " bytes)");
  }
  if (fd_ < 0) {
    if (!out.empty()) std::memcpy(out.data(), data_ + offset, out.size());
    return;
  }
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, off_t(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_io(path_, "read", errno);
    if (n == 0) throw IoError(path_ + ": the file was truncated while open");
    done += size_t(n);
  }
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : path_(std::move(other.path_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      fd_(std::exchange(other.fd_, -1)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

AtomicFile::AtomicFile(const std::string& path) : path_(path) {
  if (path.empty()) throw UsageError("an output file name is empty");
  // The temporary lives next to the target: rename() is atomic only within one file system, and
  // the output folder may be the only writable place (as under AWS Lambda, where only /tmp is).
  std::string name = path + ".tmp.XXXXXX";
  fd_ = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd_ < 0) throw_io(path, "cannot create temporary file " + name, errno);
  temp_path_ = std::move(name);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
}

void AtomicFile::write(std::span<const uint8_t> bytes) {
  if (fd_ < 0) throw std::logic_error(path_ + ": write after commit");
  const uint8_t* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_io(path_, "write", errno);
    }
    if (n == 0) throw_io(path_, "write", EIO);  // no progress and no errno: do not spin
    p += n;
    left -= static_cast<size_t>(n);
  }
  size_ += bytes.size();
}

void AtomicFile::write_at(uint64_t offset, std::span<const uint8_t> bytes) {
  if (fd_ < 0) throw std::logic_error(path_ + ": write_at after commit");
  if (offset > size_ || bytes.size() > size_ - offset) {
    throw std::logic_error(path_ + ": write_at beyond the bytes written so far");
  }
  const uint8_t* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::pwrite(fd_, p, left, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_io(path_, "write", errno);
    }
    if (n == 0) throw_io(path_, "write", EIO);
    p += n;
    offset += static_cast<uint64_t>(n);
    left -= static_cast<size_t>(n);
  }
}

// No fsync before the rename: it costs milliseconds per file (far more than writing a small state
// or chunk), and the outputs are regenerable. close + rename already guarantees what the tools
// need: another process, or this one after a crash, sees either the old file or the complete new
// one. Only a kernel crash or power loss shortly after the rename could leave an empty or partial
// file.
void AtomicFile::commit() {
  if (fd_ < 0) throw std::logic_error(path_ + ": commit called twice");
  // mkstemp creates the file 0600; outputs should look like any other file the user creates.
  if (::fchmod(fd_, 0644 & ~current_umask()) != 0) throw_io(path_, "chmod", errno);
  int fd = std::exchange(fd_, -1);
  // close() reports delayed write errors on some file systems (NFS); never retry it on EINTR,
  // since Linux has released the descriptor by then.
  if (::close(fd) != 0 && errno != EINTR) throw_io(path_, "close", errno);
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) throw_io(path_, "rename", errno);
  committed_ = true;
}

void write_file_atomically(const std::string& path, std::span<const uint8_t> bytes) {
  AtomicFile out(path);
  out.write(bytes);
  out.commit();
}

void commit_all(const std::vector<PendingOutput>& outputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    try {
      outputs[i].commit();
    } catch (...) {
      for (size_t j = 0; j < i; ++j) ::unlink(outputs[j].path.c_str());
      throw;
    }
  }
}

}  // namespace xc::util
