#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "xmargin/backend.hpp"
#include "xmargin/components.hpp"
#include "xmargin/config.hpp"
#include "xmargin/margin_rows.hpp"

namespace xm {

struct InputFile {
  std::string role;  // "market", "instruments", …
  std::string path;
  std::string sha256;
};

// A run of consecutive scenarios from one source (a pooled set has one per
// source, in pooled order).
struct ScenarioSourceInfo {
  std::string name;
  std::size_t count = 0;
  std::string first_label;
  std::string last_label;
};

// A scenario named for people: its source and label (SPEC §5).
struct ScenarioName {
  std::string source;
  std::string label;
};

// How many accounts one component drives (components.hpp margin_driver) and
// their margin, for the summary.
struct MarginDriver {
  std::string component;
  std::size_t accounts = 0;
  double margin = 0.0;
};

// What a run was, for margins.json and the summary.
struct RunInfo {
  std::string backend;
  std::string device;
  std::vector<InputFile> inputs;
  Config config;
  std::size_t scenario_count = 0;
  std::vector<ScenarioSourceInfo> sources;
  // The scenarios the rows name as worst, by index, so the summary can say
  // what they were without holding the whole set.
  std::map<std::int32_t, ScenarioName> worst_scenarios;
  std::size_t accounts = 0, groups = 0, instruments = 0, positions = 0, underlyings = 0;
  std::size_t vol_surfaces = 0;  // underlyings (of those used) that carry a surface
  std::vector<StageTiming> timings;
  ChunkPlan plan;                     // how the backend cut the run to fit its memory budget
  ComponentMask components{};         // which components.csv columns the run fills
  std::vector<MarginDriver> drivers;  // by margin, largest first
};

// The writers fill a stream; the CLI gives them the files of one AtomicFiles
// set (host/report/atomic_files.hpp), which checks and reports write errors.
void write_margins_csv(std::ostream& out, const std::vector<MarginRow>& rows);
// margins.csv alone, written atomically.
void write_margins_csv(const std::string& path, const std::vector<MarginRow>& rows);
// `components` (the same rows, in order) adds each row's "components" object.
void write_margins_json(std::ostream& out, const std::vector<MarginRow>& rows, const RunInfo& info,
                        const std::vector<ComponentRow>* components = nullptr);
// margins.json alone, written atomically.
void write_margins_json(const std::string& path, const std::vector<MarginRow>& rows,
                        const RunInfo& info, const std::vector<ComponentRow>* components = nullptr);
// components.csv (SPEC §5.4): level,id, then every Component in order, a cell
// empty where `mask` leaves the component out.
void write_components_csv(std::ostream& out, const std::vector<ComponentRow>& rows,
                          const ComponentMask& mask);
// The account × scenario P&L matrix: id,s0,s1,… (SPEC §4, --pnl).
void write_pnl_matrix(std::ostream& out, const std::vector<std::string>& ids,
                      const std::vector<double>& pnl, std::size_t scenario_count);
// The short human summary printed on stdout.
std::string summary_text(const std::vector<MarginRow>& rows, const RunInfo& info);

std::string sha256_of_file(const std::string& path);
std::string sha256_of_text(std::string_view text);
std::vector<ScenarioSourceInfo> describe_sources(const ScenarioSet& scenarios);
// Source and label of every scenario some row names as its worst.
std::map<std::int32_t, ScenarioName> name_worst_scenarios(const std::vector<MarginRow>& rows,
                                                          const ScenarioSet& scenarios);

}  // namespace xm
