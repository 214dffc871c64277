#pragma once
// One version of what the margin service serves (README "Intraday service"):
// immutable once built, so a request reads one state from start to end while a
// later version is built beside it and swapped in.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "xmargin/components.hpp"
#include "xmargin/margin_rows.hpp"
#include "xmargin/pipeline.hpp"
#include "xmargin/report.hpp"

namespace xm::service {

struct ServiceState {
  std::uint64_t version = 0;
  std::vector<MarginRow> rows;           // margins.csv's rows
  std::vector<ComponentRow> components;  // components.csv's rows, same order
  RunInfo info;
  std::string margins_csv;  // the bytes `xmargin run` writes to margins.csv
  // Row of each account and group id, and each account's netted positions.
  std::map<std::string, std::size_t> account_row, group_row;
  std::map<std::string, std::vector<std::pair<std::string, double>>> positions;
  std::map<std::string, std::string> group_of;  // account id → group id, when in one
  std::chrono::system_clock::time_point revalued_at;
  double revaluation_seconds = 0.0;
};

// The state of a whole batch run of `prepared` on `backend`, as version `version`.
std::shared_ptr<const ServiceState> build_state(const PreparedRun& prepared, Backend& backend,
                                                std::uint64_t version);

}  // namespace xm::service
