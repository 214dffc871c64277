#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "xmargin/date.hpp"
#include "xmargin/error.hpp"

namespace xm {

enum class RiskMeasure { expected_shortfall, value_at_risk };

// Where a value stands in config.json, kept for checks that need other inputs
// (an underlying the market must know, a date the history must hold).
struct ConfigSpot {
  std::string file;
  std::size_t line = 0;
  std::size_t column = 0;

  [[noreturn]] void fail(const std::string& message) const {
    throw InputError(file, line, column, message);
  }
};

// SPEC §3: overlapping h-day moves over the last lookback_days.
struct HistoricalSource {
  int lookback_days = 1000;  // number of scenarios
  int mpor_days = 2;         // margin period of risk, business days
  double weight = 1.0;       // share of the pooled tail before normalising (SPEC §5)
  ConfigSpot spot{};         // its key in config.json; no file: the default source
};

// SPEC §5.2: the historical moves rescaled to today's EWMA volatility.
struct FilteredHistoricalSource {
  int lookback_days = 1000;
  int mpor_days = 2;
  double lambda = 0.97;  // EWMA decay of the daily variance
  int seed_days = 30;    // returns averaged to start the EWMA
  double weight = 1.0;
  ConfigSpot spot{};
};

enum class McDistribution { normal, student_t };

// SPEC §5.1: joint draws of the daily factors' covariance, scaled to the horizon.
struct MonteCarloSource {
  int count = 10000;
  int mpor_days = 2;
  std::uint64_t seed = 20011231;
  McDistribution distribution = McDistribution::normal;
  double nu = 5.0;                    // Student-t degrees of freedom, > 2
  int window_days = 500;              // daily returns the covariance is estimated on
  std::optional<double> ewma_lambda;  // absent: sample covariance
  bool vol_factors = true;            // the `.vol` columns' changes join the factors
  double weight = 1.0;
  ConfigSpot spot{};
};

// The most draws one Monte Carlo source may ask for (scenario generation; a
// backend may be limited further by its memory budget).
inline constexpr int kMaxMonteCarloCount = 1'000'000;
// The most factors (prices, vols, tenor vols) a Monte Carlo model takes: its
// covariance grows with the square of the count (2,000: 32 MB, and as much
// again for its factor), the factorisation with the cube and every draw with
// the square. At 2,000 factors over 2,500 days the covariance takes 3.0 s and
// the factorisation 0.9 s on one core (bench/RESULTS.md, 2026-12-06).
inline constexpr std::size_t kMaxMonteCarloFactors = 2'000;
// Largest Student-t ν: beyond it the t is a normal to plotting accuracy, and it
// bounds the iterations of the χ² inversion (include/xmargin/monte_carlo.hpp).
inline constexpr double kMaxStudentNu = 1000.0;

// config.json "vol_surface" (SPEC §6): a surface whose total variance σ²T
// decreases in expiry at some moneyness node (calendar arbitrage) is an error
// unless allowed, then a warning on stderr.
struct VolSurfaceSettings {
  bool allow_calendar_arbitrage = false;
};

// SPEC §5.3 `span`: per underlying 16 scenarios scanning ±price_scan (a
// fraction of S0) and ±vol_scan (vol points); the two extreme moves count at
// `covered`.
struct SpanParams {
  double price_scan = 0.0;
  double vol_scan = 0.0;
  double extreme = 2.0;
  double covered = 0.35;
};

// An `extended` grid move: ±move with vol unchanged, its loss counted at `covered`.
struct ExtendedMove {
  double move = 0.0;
  double covered = 1.0;
};

// SPEC §5.3 `grid`: price moves −range … +range in `steps` even steps × vol
// {up, unchanged, down}; an instrument's vol shock is
// vol_shock · (30 / max(days to expiry, min_days))^power.
struct GridParams {
  double range = 0.0;
  int steps = 0;
  double vol_shock = 0.0;
  double power = 0.3;
  double min_days = 7.0;
  std::vector<ExtendedMove> extended;
};

// A kind's parameters and the per-underlying entries that override them.
template <typename Params>
struct PerUnderlying {
  Params defaults;
  struct Override {
    std::string underlying;
    ConfigSpot spot;  // the key, for "unknown underlying"
    Params params;
  };
  std::vector<Override> underlyings;

  const Params& for_underlying(const std::string& id) const {
    for (const Override& entry : underlyings) {
      if (entry.underlying == id) return entry.params;
    }
    return defaults;
  }
};

// One joint `named` stress scenario: explicit shocks (underlying or "*") or the
// §3 moves between two history dates.
struct NamedShock {
  std::string underlying;  // "*": every underlying not listed
  ConfigSpot spot{};
  double price = 0.0;  // relative move: S' = S0 · (1 + price)
  double vol = 0.0;    // absolute vol change
};
struct NamedScenario {
  std::string name;
  std::vector<NamedShock> shocks;
  std::optional<std::pair<Date, Date>> history_dates;
  ConfigSpot from_spot, to_spot;
};

struct StressConfig {
  int mpor_days = 2;  // time decay of every stress scenario (with time_decay)
  std::optional<PerUnderlying<SpanParams>> span;
  std::optional<PerUnderlying<GridParams>> grid;
  std::vector<NamedScenario> named;

  bool any() const { return span || grid || !named.empty(); }
};

// SPEC §5.4 `combine`: max(statistical, stress) or x · statistical + (1 − x) · stress.
enum class CombineRule { max, blend };
struct CombineConfig {
  CombineRule rule = CombineRule::max;
  double blend = 0.0;  // x; required with rule blend
};

// SPEC §5.4 `anti_procyclicality`: EMIR Art. 28's three tools, each optional.
struct AntiProcyclicality {
  std::optional<double> buffer;  // b: margin × (1 + b) unless released
  bool buffer_released = false;
  std::optional<double> stressed_weight;                 // w of the stressed historical scenarios
  std::optional<std::pair<Date, Date>> stressed_period;  // absent: chosen from the history
  ConfigSpot stressed_period_spot;
  ConfigSpot stressed_weight_spot;
  std::optional<int> floor_lookback_days;  // statistical measure ≥ the same over this lookback
  ConfigSpot floor_spot;
};

// config.json (SPEC §2, §5, §6); defaults are the SPEC's.
struct Config {
  RiskMeasure measure = RiskMeasure::expected_shortfall;
  double confidence = 0.99;
  bool time_decay = true;
  std::optional<HistoricalSource> historical = HistoricalSource{};
  std::optional<FilteredHistoricalSource> filtered_historical;
  std::optional<MonteCarloSource> monte_carlo;
  VolSurfaceSettings vol_surface;
  StressConfig stress;
  CombineConfig combine;
  AntiProcyclicality anti_procyclicality;
};

}  // namespace xm
