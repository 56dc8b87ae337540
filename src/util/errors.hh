// Exception types shared by every layer; tools catch them once, in main.
#pragma once

#include <stdexcept>
#include <string>

namespace xc::util {

// Base of every error the toolkit reports to a user.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The input violates the VP8, IVF or Y4M syntax (truncated, corrupt, out of range).
class InvalidBitstream : public Error {
 public:
  using Error::Error;
};

// Well-formed input that uses something this toolkit does not implement (e.g. 4:4:4 Y4M).
class Unsupported : public Error {
 public:
  using Error::Error;
};

// A stream or state was used with a decoder state it was not made for.
class StateMismatch : public Error {
 public:
  using Error::Error;
};

// A system call on a file failed; the message holds the path and the errno text.
class IoError : public Error {
 public:
  using Error::Error;
};

// A command line asked for something impossible.
class UsageError : public Error {
 public:
  using Error::Error;
};

}  // namespace xc::util
