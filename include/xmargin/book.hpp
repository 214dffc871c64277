#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "xmargin/date.hpp"
#include "xmargin/pricing/contract.hpp"

namespace xm {

// The book as loaded and validated from the input files (SPEC §2), with ids
// resolved to indices. Positions are already netted: one per (account, instrument).

// How a surface moves with the spot in a scenario (SPEC §6): an option keeps
// its moneyness K/F (reads the surface at the scenario's forward) or its strike
// (keeps its base vol).
enum class Sticky : std::uint8_t { moneyness, strike };

// An implied vol surface (SPEC §6), validated: expiries strictly ascending and
// after the valuation date, moneyness nodes strictly ascending, vols > 0.
struct VolSurface {
  std::vector<Date> expiries;
  std::vector<double> moneyness;  // K/F
  std::vector<double> vols;       // [expiry × moneyness], expiry-major
  Sticky sticky = Sticky::moneyness;
};

struct Underlying {
  std::string id;
  double price = 0.0;
  double vol_annual = 0.0;  // 0 where market.json gives only a surface
  double rate = 0.0;
  double dividend_yield = 0.0;
  std::optional<VolSurface> vol_surface;
};

struct Market {
  Date valuation_date = 0;
  std::vector<Underlying> underlyings;
};

enum class InstrumentType : std::uint8_t { future, option };

struct Instrument {
  std::string id;
  InstrumentType type = InstrumentType::future;
  std::size_t underlying = 0;  // index into Market::underlyings
  Date expiry = 0;
  double multiplier = 1.0;
  ContractTerms terms;
  std::optional<double> vol_annual;  // overrides the underlying's implied vol
};

enum class MarginMode : std::uint8_t { cross, isolated };

struct Account {
  std::string id;
  MarginMode mode = MarginMode::cross;
  std::string group;  // empty: in no cross-margin group
  double collateral = 0.0;
};

struct Position {
  std::size_t account = 0;     // index into Book::accounts
  std::size_t instrument = 0;  // index into Book::instruments
  double quantity = 0.0;       // signed, summed over the file's rows
};

struct Book {
  Market market;
  std::vector<Instrument> instruments;
  std::vector<Account> accounts;    // sorted by id
  std::vector<Position> positions;  // sorted by (account, instrument)
};

}  // namespace xm
