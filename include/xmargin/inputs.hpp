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

// Closing levels (and optional implied vol levels) per underlying, dates ascending.
struct HistorySeries {
  std::string underlying;
  std::vector<double> levels;
  std::vector<double> vols;  // empty when the file has no "<id>.vol" column
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
