#include <charconv>
#include <cmath>
#include <ostream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "report/atomic_files.hpp"
#include "xmargin/error.hpp"
#include "xmargin/report.hpp"

namespace xm {
namespace {

using Json = nlohmann::ordered_json;

// The rows are written one by one rather than built as one nlohmann document:
// the document and its dump took about 3 KB per account, the largest memory
// of a clearing-house run. The text is what Json::dump(2) gave for the same
// document (layout, escapes, number types), so readers see the same values.
class RowWriter {
 public:
  explicit RowWriter(std::ostream& out) : out_(out) {}
  RowWriter(const RowWriter&) = delete;
  RowWriter& operator=(const RowWriter&) = delete;

  // `"name": [ … ]` at the top level of the document, one object per row of `level`.
  // `components`, when given, holds the same rows in the same order; each
  // row object then ends with its configured components (SPEC §5.4).
  void array(const char* name, const std::vector<MarginRow>& rows, RowLevel level,
             const std::vector<ComponentRow>* components, const ComponentMask& mask) {
    text_.append(",\n  \"").append(name).append("\": [");
    bool first = true;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const MarginRow& row = rows[r];
      if (row.level != level) continue;
      text_.append(first ? "\n    {\n" : ",\n    {\n");
      first = false;
      text_.append("      \"id\": ");
      string(row.id);
      number("margin", row.margin);
      number("var", row.var);
      number("es", row.es);
      number("worst_loss", row.worst_loss);
      integer("worst_scenario", row.worst_scenario);
      number("isolated_margin", row.isolated_margin);
      number("offset_benefit", row.offset_benefit);
      number("collateral", row.collateral);
      number("excess", row.excess);
      integer("positions", row.positions);
      if (components != nullptr) component_object((*components)[r].values, mask);
      text_.append("\n    }");
      if (text_.size() > kFlushBytes) flush();
    }
    text_.append(first ? "]" : "\n  ]");
  }

  void append(std::string_view text) { text_.append(text); }

  void flush() {
    out_.write(text_.data(), static_cast<std::streamsize>(text_.size()));
    text_.clear();
  }

 private:
  static constexpr std::size_t kFlushBytes = 1 << 20;
  std::ostream& out_;
  std::string text_;

  void component_object(const ComponentValues& values, const ComponentMask& mask) {
    member("components");
    text_.append("{");
    bool first = true;
    for (std::size_t k = 0; k < kComponentCount; ++k) {
      if (!mask[k]) continue;
      text_.append(first ? "\n        \"" : ",\n        \"")
          .append(component_name(static_cast<Component>(k)))
          .append("\": ");
      first = false;
      shortest(values.value[k]);
    }
    text_.append("\n      }");
  }

  // A member after the first ("id") of a row object.
  void member(const char* name) { text_.append(",\n      \"").append(name).append("\": "); }

  void string(const std::string& value) {
    for (const char c : value) {
      // Quotes, backslashes, control and non-ASCII bytes take nlohmann's
      // escaping (and its check of UTF-8); plain ids are copied as they are.
      if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 ||
          static_cast<unsigned char>(c) >= 0x80) {
        text_.append(Json(value).dump());
        return;
      }
    }
    text_.append("\"").append(value).append("\"");
  }

  void number(const char* name, double value) {
    member(name);
    shortest(value);
  }

  void shortest(double value) {
    if (!std::isfinite(value)) {  // JSON has no infinities; nlohmann writes null too
      text_.append("null");
      return;
    }
    char digits[32];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    const std::string_view shortest(digits, static_cast<std::size_t>(end - digits));
    text_.append(shortest);
    // The shortest text that reads back to the same double; ".0" keeps a whole
    // number a float for readers that tell 5 from 5.0.
    if (shortest.find_first_of(".e") == std::string_view::npos) text_.append(".0");
  }

  template <typename Integer>
  void integer(const char* name, Integer value) {
    member(name);
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    text_.append(digits, end);
  }
};

Json config_json(const Config& config) {
  Json json{{"measure", config.measure == RiskMeasure::expected_shortfall ? "es" : "var"},
            {"confidence", config.confidence},
            {"time_decay", config.time_decay}};
  Json sources = Json::object();
  if (config.historical) {
    sources["historical"] = Json{{"lookback_days", config.historical->lookback_days},
                                 {"mpor_days", config.historical->mpor_days},
                                 {"weight", config.historical->weight}};
  }
  if (config.filtered_historical) {
    const FilteredHistoricalSource& f = *config.filtered_historical;
    sources["filtered_historical"] = Json{{"lookback_days", f.lookback_days},
                                          {"mpor_days", f.mpor_days},
                                          {"lambda", f.lambda},
                                          {"seed_days", f.seed_days},
                                          {"weight", f.weight}};
  }
  if (config.monte_carlo) {
    const MonteCarloSource& m = *config.monte_carlo;
    Json covariance{{"window_days", m.window_days}};
    if (m.ewma_lambda) covariance["lambda"] = *m.ewma_lambda;
    Json source{{"count", m.count},
                {"mpor_days", m.mpor_days},
                {"seed", m.seed},
                {"distribution", m.distribution == McDistribution::normal ? "normal" : "student_t"},
                {"covariance", covariance},
                {"vol_factors", m.vol_factors},
                {"weight", m.weight}};
    if (m.distribution == McDistribution::student_t) source["nu"] = m.nu;
    sources["monte_carlo"] = source;
  }
  json["scenarios"] = sources;
  if (config.stress.any()) {
    const StressConfig& stress = config.stress;
    Json kinds{{"mpor_days", stress.mpor_days}};
    if (stress.span) {
      const SpanParams& p = stress.span->defaults;
      kinds["span"] = Json{{"price_scan", p.price_scan},
                           {"vol_scan", p.vol_scan},
                           {"extreme", p.extreme},
                           {"covered", p.covered},
                           {"underlyings_overridden", stress.span->underlyings.size()}};
    }
    if (stress.grid) {
      const GridParams& p = stress.grid->defaults;
      kinds["grid"] = Json{{"range", p.range},
                           {"steps", p.steps},
                           {"vol_shock", p.vol_shock},
                           {"power", p.power},
                           {"min_days", p.min_days},
                           {"extended_moves", p.extended.size()},
                           {"underlyings_overridden", stress.grid->underlyings.size()}};
    }
    Json named = Json::array();
    for (const NamedScenario& scenario : stress.named) named.push_back(scenario.name);
    if (!stress.named.empty()) kinds["named"] = named;
    json["scenarios"]["stress"] = kinds;
  }
  json["combine"] = Json{{"rule", config.combine.rule == CombineRule::max ? "max" : "blend"}};
  if (config.combine.rule == CombineRule::blend) json["combine"]["blend"] = config.combine.blend;
  const AntiProcyclicality& apc = config.anti_procyclicality;
  Json tools = Json::object();
  if (apc.buffer) tools["buffer"] = *apc.buffer, tools["buffer_released"] = apc.buffer_released;
  if (apc.stressed_weight) tools["stressed_weight"] = *apc.stressed_weight;
  if (apc.stressed_period) {
    tools["stressed_period"] = Json::array({format_iso_date(apc.stressed_period->first),
                                            format_iso_date(apc.stressed_period->second)});
  }
  if (apc.floor_lookback_days) tools["floor_lookback_days"] = *apc.floor_lookback_days;
  json["anti_procyclicality"] = tools;
  json["vol_surface"] =
      Json{{"allow_calendar_arbitrage", config.vol_surface.allow_calendar_arbitrage}};
  return json;
}

Json component_names(const ComponentMask& mask) {
  Json names = Json::array();
  for (std::size_t k = 0; k < kComponentCount; ++k) {
    if (mask[k]) names.push_back(component_name(static_cast<Component>(k)));
  }
  return names;
}

Json drivers_json(const std::vector<MarginDriver>& drivers) {
  Json list = Json::array();
  for (const MarginDriver& d : drivers) {
    list.push_back(
        Json{{"component", d.component}, {"accounts", d.accounts}, {"margin", d.margin}});
  }
  return list;
}

// Everything but the rows: small, so built as one document.
Json metadata_json(const RunInfo& info) {
  Json inputs = Json::array();
  for (const InputFile& file : info.inputs) {
    inputs.push_back(Json{{"role", file.role}, {"path", file.path}, {"sha256", file.sha256}});
  }
  Json sources = Json::array();
  for (const ScenarioSourceInfo& source : info.sources) {
    sources.push_back(Json{{"name", source.name},
                           {"count", source.count},
                           {"first", source.first_label},
                           {"last", source.last_label}});
  }
  Json timings = Json::object();
  for (const StageTiming& timing : info.timings) timings[timing.stage] = timing.seconds;
  return Json{{"version", XM_VERSION},
              {"backend", info.backend},
              {"device", info.device},
              {"inputs", inputs},
              {"config", config_json(info.config)},
              {"scenarios", Json{{"count", info.scenario_count}, {"sources", sources}}},
              {"counts", Json{{"accounts", info.accounts},
                              {"groups", info.groups},
                              {"instruments", info.instruments},
                              {"positions", info.positions},
                              {"underlyings", info.underlyings},
                              {"vol_surfaces", info.vol_surfaces}}},
              {"timings_seconds", timings},
              {"chunks", Json{{"portfolios_per_chunk", info.plan.portfolio_chunk},
                              {"scenarios_per_chunk", info.plan.scenario_chunk},
                              {"unit_matrix_whole", info.plan.unit_whole},
                              {"planned_bytes", info.plan.bytes}}},
              {"components", component_names(info.components)},
              {"margin_drivers", drivers_json(info.drivers)}};
}

}  // namespace

std::vector<ScenarioSourceInfo> describe_sources(const ScenarioSet& scenarios) {
  std::vector<ScenarioSourceInfo> sources;
  for (std::size_t s = 0; s < scenarios.count(); ++s) {
    if (sources.empty() || sources.back().name != scenarios.source[s]) {
      sources.push_back({scenarios.source[s], 0, scenarios.label[s], ""});
    }
    ++sources.back().count;
    sources.back().last_label = scenarios.label[s];
  }
  return sources;
}

void write_margins_json(std::ostream& out, const std::vector<MarginRow>& rows, const RunInfo& info,
                        const std::vector<ComponentRow>* components) {
  XM_EXPECTS(components == nullptr || components->size() == rows.size(),
             "components and margin rows differ");
  // The metadata object without its closing "\n}", so that the row arrays
  // follow as its last members.
  std::string metadata = metadata_json(info).dump(2);
  XM_EXPECTS(metadata.ends_with("\n}"), "an object's dump ends with its brace");
  metadata.resize(metadata.size() - 2);

  RowWriter writer(out);
  writer.append(metadata);
  writer.array("accounts", rows, RowLevel::account, components, info.components);
  writer.array("groups", rows, RowLevel::group, components, info.components);
  writer.append("\n}\n");
  writer.flush();
}

void write_margins_json(const std::string& path, const std::vector<MarginRow>& rows,
                        const RunInfo& info, const std::vector<ComponentRow>* components) {
  write_atomically(path,
                   [&](std::ostream& out) { write_margins_json(out, rows, info, components); });
}

}  // namespace xm
