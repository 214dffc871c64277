// The whole book: customer and house accounts, collateral, isolated accounts and cross-margin
// groups.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "instruments.hpp"
#include "strategies.hpp"

namespace make_book {

struct Book {
  std::vector<Account> accounts;                         // customers, then houses
  std::vector<std::pair<std::size_t, Leg>> split_tails;  // (account, second row) at file end
  std::vector<std::string> groups;
  std::size_t houses = 0;
};

// The sample: `n_accounts` accounts, one house per 150 (at least one), customers of 1-5
// strategy packages, two empty accounts, and six positions written as two rows.
Book make_sample_book(std::size_t n_accounts, const std::vector<Stock>& stocks, const Catalog& cat,
                      std::uint64_t seed);

// A workload: exactly `accounts` accounts of which `houses` are houses, and exactly `positions`
// distinct (account, instrument) positions, each on one row.
struct BookSize {
  std::size_t accounts = 0;
  std::size_t positions = 0;
  std::size_t houses = 0;
};
Book make_workload_book(const BookSize& size, const std::vector<Stock>& stocks, const Catalog& cat,
                        std::uint64_t seed);

// How the workloads size accounts; stated here so that the tests and the README agree with it.
inline constexpr std::size_t kHousePositionsPercent = 15;
inline constexpr std::size_t kLargestCustomer = 40;

}  // namespace make_book
