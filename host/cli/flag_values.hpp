#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace xm::cli {

// Strict readings of the flag values CLI11 reads too loosely for us: it takes
// "-1" as a huge unsigned number, says "not in range" for a word, and states a
// double's range with 309 digits. Each throws InputError (exit 2) stating the
// rule and the value given.

// An option given with an empty value (`--dir ''`, often an unset shell
// variable) is an error rather than the same as leaving the option out.
void refuse_empty_values(const CLI::App& command);

// --threads: a whole number from 1 to `most`.
int thread_count(const std::string& text, int most);

// --workers, --queue, --deadline: a whole number from `least` to `most`;
// `rule` says what it counts, as in "a whole number of seconds".
std::uint64_t whole_in_range(const std::string& flag, const std::string& text, std::uint64_t least,
                             std::uint64_t most, const std::string& rule = "a whole number");

// --memory-budget: a whole number of bytes from 1 to kMostMemoryBudget,
// optionally followed by K, M, G or T (or KiB, MiB, GiB, TiB), powers of 1024.
inline constexpr std::size_t kMostMemoryBudget = 9223372036854775807U;  // 2^63 − 1
std::size_t memory_budget_bytes(const std::string& text);

// --tolerance: a finite number > 0 and < 1.
double relative_tolerance(const std::string& text);

}  // namespace xm::cli
