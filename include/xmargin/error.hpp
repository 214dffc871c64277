#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>

namespace xm {

// Bad input or usage: the CLI exits with code 2. The message reads
// "file:line:column: what was expected" (line and column left out where they do
// not apply), the format compilers use, so editors can jump to the spot.
class InputError : public std::runtime_error {
 public:
  InputError(const std::string& file, std::size_t line, std::size_t column,
             const std::string& message);
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

// A run that could not complete (device error, validation mismatch): exit code 1.
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A broken internal invariant: a bug in xmargin, never the user's input.
class LogicError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

[[noreturn]] void throw_logic_error(const char* condition, const std::string& message,
                                    const char* file, int line);

}  // namespace xm

#define XM_EXPECTS(condition, message)                                                    \
  do {                                                                                    \
    if (!(condition)) ::xm::throw_logic_error(#condition, (message), __FILE__, __LINE__); \
  } while (0)
