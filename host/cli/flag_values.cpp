#include "cli/flag_values.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

#include "xmargin/error.hpp"

namespace xm::cli {
namespace {

// Decimal digits alone: no sign, space, point or exponent.
std::optional<std::uint64_t> whole_number(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end) return std::nullopt;
  return value;
}

[[noreturn]] void refuse(const std::string& flag, const std::string& rule,
                         const std::string& text) {
  throw InputError(flag + " must be " + rule + ": got '" + text + "'");
}

struct Suffix {
  std::string_view name;
  int shift;  // the power of 2 it multiplies by
};
// Powers of 1024 only: "KB" and "MB" often mean powers of 1000, so they are
// refused rather than guessed.
constexpr Suffix kSuffixes[] = {{"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"TiB", 40},
                                {"K", 10},   {"M", 20},   {"G", 30},   {"T", 40}};

}  // namespace

void refuse_empty_values(const CLI::App& command) {
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_type_size() == 0) continue;  // a flag takes no value
    for (const std::string& value : option->results()) {
      if (value.empty()) throw InputError(option->get_name() + " is empty");
    }
  }
}

int thread_count(const std::string& text, int most) {
  const auto count = whole_number(text);
  if (!count || *count < 1 || *count > static_cast<std::uint64_t>(most)) {
    // More threads than 4 × the cores only thrash, and an absurd count
    // exhausts the OpenMP runtime.
    refuse("--threads", "a whole number from 1 to " + std::to_string(most) + " (4 × the cores)",
           text);
  }
  return static_cast<int>(*count);
}

std::uint64_t whole_in_range(const std::string& flag, const std::string& text, std::uint64_t least,
                             std::uint64_t most, const std::string& rule) {
  const auto value = whole_number(text);
  if (!value || *value < least || *value > most) {
    refuse(flag, rule + " from " + std::to_string(least) + " to " + std::to_string(most), text);
  }
  return *value;
}

std::size_t memory_budget_bytes(const std::string& text) {
  std::string_view digits = text;
  int shift = 0;
  for (const Suffix& suffix : kSuffixes) {
    if (digits.ends_with(suffix.name)) {
      digits.remove_suffix(suffix.name.size());
      shift = suffix.shift;
      break;
    }
  }
  const auto number = whole_number(digits);
  // 0 would otherwise read as "no budget given", i.e. the default.
  if (number && *number == 0) {
    refuse("--memory-budget",
           "at least 1 byte (leave the flag out for the default, most of the free memory)", text);
  }
  if (!number || *number > (kMostMemoryBudget >> shift)) {
    refuse("--memory-budget",
           "a whole number of bytes from 1 to " + std::to_string(kMostMemoryBudget) +
               " (2^63 - 1), optionally followed by K, M, G or T (or KiB, MiB, GiB, TiB: powers "
               "of 1024)",
           text);
  }
  return static_cast<std::size_t>(*number << shift);
}

double relative_tolerance(const std::string& text) {
  double value = 0.0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  // The rule is |cpu − cuda| ≤ tolerance × the larger magnitude: at 1 or more
  // any two values of the same sign would pass.
  if (error != std::errc() || stop != end || !std::isfinite(value) || value <= 0.0 ||
      value >= 1.0) {
    refuse("--tolerance",
           "a finite number greater than 0 and less than 1 (a relative difference; at 1 or more "
           "any two values of the same sign would pass)",
           text);
  }
  return value;
}

}  // namespace xm::cli
