// Accounts and the positions in them: customer books built from option and futures strategy
// packages, and house (market-maker) books.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "instruments.hpp"
#include "rng.hpp"

namespace make_book {

struct Leg {
  std::size_t instrument;
  std::int64_t quantity;
};

struct Account {
  std::string id;
  std::string strategy;
  bool house = false;
  bool isolated = false;
  std::string group;
  std::int64_t collateral_cents = 0;
  std::vector<Leg> legs;  // one per instrument
};

enum class Strategy {
  kCoveredCall,
  kVerticalSpread,
  kStraddleStrangle,
  kPairsHedge,
  kProtectivePut,
  kNakedShort,
  kCalendarSpread,
  kOutrightFutures,
  kMixed,
};

Strategy draw_strategy(Rng& rng);
const char* strategy_name(Strategy s);

class BookBuilder {
 public:
  BookBuilder(const std::vector<Stock>& stocks, const Catalog& cat, Rng& rng)
      : stocks_(stocks), cat_(cat), rng_(rng) {}

  // The sample's customer: 1-5 packages of one style (a trader's book) on random names (2-5 of
  // any style for `mixed`).
  void fill_customer(Account& a, Strategy strategy);
  // The sample's house book: a future on every name, then 200-400 options and futures drawn
  // across all names, with large sizes.
  void fill_house(Account& a);

  // A workload customer with exactly `positions` positions: packages of the style until one
  // slot is left, a single option for that slot.
  void fill_customer_to(Account& a, Strategy strategy, std::size_t positions);
  // A workload house with exactly `positions` distinct instruments drawn from the whole
  // catalogue, large sizes, listed in catalogue order.
  void fill_house_to(Account& a, std::size_t positions);

 private:
  std::int64_t lot();
  std::int64_t signed_size(std::int64_t lo, std::int64_t hi);
  std::size_t stock();
  std::int64_t atm(std::size_t s) const;

  std::size_t future(std::size_t s, std::size_t e) const;
  std::size_t spot_option(std::size_t s, std::size_t e, int right, std::int64_t k) const;
  std::size_t fop_option(std::size_t s, std::size_t e, int right, std::int64_t k) const;
  std::size_t option_until(std::size_t s, std::size_t fe, int right, std::int64_t k);
  std::size_t any_option(std::size_t s, int right, std::int64_t k);

  void add(Account& a, std::size_t instrument, std::int64_t quantity);
  void add_package(Account& a, Strategy strategy);
  void add_single_option(Account& a);

  const std::vector<Stock>& stocks_;
  const Catalog& cat_;
  Rng& rng_;
};

}  // namespace make_book
