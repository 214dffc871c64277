// The named workloads: synthetic books of clearing-house scale, each with its own history
// length. The counts are exact: the generator lists exactly `instruments` instruments on
// `underlyings` underlyings and writes exactly `positions` rows for `accounts` accounts.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "output.hpp"

namespace make_book {

struct Workload {
  std::string_view name;
  std::size_t accounts;
  std::size_t positions;
  std::size_t instruments;
  std::size_t underlyings;
  std::size_t lookback_days;  // historical scenarios in config.json
  std::size_t houses;         // house accounts, together holding 15% of the positions
};

inline constexpr std::array<Workload, 3> kWorkloads = {{
    {"small", 1000, 10000, 1000, 20, 2500, 3},
    {"medium", 10000, 100000, 5000, 100, 5000, 5},
    {"eod", 100000, 1000000, 50000, 500, 12500, 6},
}};

// Rows before the first scenario's start, so that the vol proxy has forgotten its seed
// (0.94^40 < 0.1) when the scenarios begin.
inline constexpr std::size_t kWarmupRows = 60;

constexpr std::size_t history_rows(const Workload& w) {
  return w.lookback_days + kMporDays + kWarmupRows;
}

inline const Workload* find_workload(std::string_view name) {
  for (const Workload& w : kWorkloads) {
    if (w.name == name) return &w;
  }
  return nullptr;
}

}  // namespace make_book
