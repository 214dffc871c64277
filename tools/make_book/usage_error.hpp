#pragma once

#include <stdexcept>

namespace make_book {

// Bad arguments or a bad history file: the generator exits with 2 (SPEC §1's code for bad
// input), every other failure with 1.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace make_book
