#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "xmargin/book.hpp"
#include "xmargin/config.hpp"
#include "xmargin/date.hpp"
#include "xmargin/scenario_set.hpp"

namespace xm {

// Implied vol levels of one tenor: the column "<id>.vol@<days>d" (SPEC §6).
struct VolTenorSeries {
  int days = 0;  // calendar days to expiry, ≥ 1
  std::vector<double> vols;
};

// Closing levels (and optional implied vol levels) per underlying, dates ascending.
struct HistorySeries {
  std::string underlying;
  std::vector<double> levels;
  std::vector<double> vols;  // empty when the file has no "<id>.vol" column
  // Tenor columns, days strictly ascending; where any exist they, not `vols`,
  // move the underlying's vols in scenarios. The initializer lets a series be
  // brace-initialised without naming it.
  std::vector<VolTenorSeries> tenor_vols = {};
};

struct History {
  std::string path;
  std::vector<Date> dates;
  std::vector<HistorySeries> series;  // in the order of the underlyings asked for
};

// Where the inputs come from. Empty optional paths mean "not given".
struct InputPaths {
  std::string market;
  std::string instruments;
  std::string positions;
  std::string accounts;   // optional
  std::string history;    // needed unless scenarios is given
  std::string config;     // optional: SPEC defaults
  std::string scenarios;  // optional: replay a file written by `xmargin scenarios`
};

// Everything a run reads, loaded and validated.
struct Inputs {
  InputPaths paths;
  Book book;
  Config config;
  std::optional<History> history;
  std::optional<ScenarioSet> replayed_scenarios;
};

Inputs load_inputs(const InputPaths& paths);

// Underlyings some instrument uses, in market order.
std::vector<std::string> used_underlyings(const Book& book);

}  // namespace xm
