// config.json's stress section (SPEC §5.3), `combine` and `anti_procyclicality`
// (§5.4). Bounds keep every shocked price positive and every charge finite.
#include <cmath>
#include <set>
#include <string>

#include "io/config_reader.hpp"
#include "report/number_format.hpp"
#include "xmargin/date.hpp"
#include "xmargin/scenario_bounds.hpp"

namespace xm {
namespace {

// A move of −1 or beyond would make a price zero or negative.
constexpr double kMaxDownMove = 0.99;
constexpr double kMaxVolPoints = 5.0;  // ±500 vol points
constexpr std::size_t kMaxExtendedMoves = 100;
constexpr std::size_t kMaxNamedScenarios = 10'000;

// The largest price fall a kind's scenarios make must stay above −100%.
void check_fall(const JsonDocument& doc, const Pointer& at, double fall) {
  if (!(fall <= kMaxDownMove)) {
    doc.fail(at, "the largest fall this makes (" + std::to_string(fall) +
                     " of the price) must be at most 0.99");
  }
}

void read_span_params(const JsonDocument& doc, const Pointer& at, SpanParams& params) {
  const SourceReader read(doc, at);
  read.closed_interval("price_scan", 0.0, kMaxDownMove, params.price_scan);
  read.closed_interval("vol_scan", 0.0, kMaxVolPoints, params.vol_scan);
  read.closed_interval("extreme", 0.0, 100.0, params.extreme);
  read.closed_interval("covered", 0.0, 1.0, params.covered);
  check_fall(doc, at, params.price_scan * (params.extreme > 1.0 ? params.extreme : 1.0));
}

void read_grid_params(const JsonDocument& doc, const Pointer& at, GridParams& params) {
  const SourceReader read(doc, at);
  read.closed_interval("range", 0.0, kMaxDownMove, params.range);
  if (read.has("steps")) {
    read.whole("steps", 2, 1000, params.steps);
    // Even, so that the unchanged price is one of the grid's points.
    if (params.steps % 2 != 0) doc.fail(at / "steps", "steps must be even (0 is a grid point)");
  }
  read.closed_interval("vol_shock", 0.0, kMaxVolPoints, params.vol_shock);
  read.closed_interval("power", 0.0, 5.0, params.power);
  read.closed_interval("min_days", 1.0, 36'500.0, params.min_days);
  // The largest shock an option gets (at min_days or fewer to expiry) must be
  // a vol shift every scenario keeps (xmargin/scenario_bounds.hpp).
  const double largest = params.vol_shock * std::pow(30.0 / params.min_days, params.power);
  if (!(largest <= kMaxVolShift)) {
    doc.fail(at, "the largest vol shock of this grid, vol_shock * (30 / min_days)^power = " +
                     format_double(largest) + ", must be at most 10");
  }
  if (read.has("extended")) {
    const nlohmann::json& list = doc.array(at / "extended");
    if (list.size() > kMaxExtendedMoves) doc.fail(at / "extended", "at most 100 extended moves");
    params.extended.clear();
    for (std::size_t k = 0; k < list.size(); ++k) {
      const Pointer entry = at / "extended" / k;
      doc.object(entry);
      doc.allow_keys(entry, {"move", "covered"});
      const SourceReader move_reader(doc, entry);
      if (!move_reader.has("move")) doc.fail(entry, "an extended move needs \"move\"");
      ExtendedMove move;
      move_reader.closed_interval("move", 0.0, kMaxDownMove, move.move);
      move_reader.closed_interval("covered", 0.0, 1.0, move.covered);
      params.extended.push_back(move);
    }
  }
}

// A kind's own parameters, then its per-underlying entries, each starting
// from the kind's values. `required` must be set at the kind's level.
template <typename Params, typename ReadParams>
PerUnderlying<Params> read_kind(const JsonDocument& doc, const Pointer& at, const char* kind_name,
                                std::initializer_list<const char*> keys,
                                std::initializer_list<const char*> required,
                                ReadParams read_params) {
  for (const char* key : required) {
    if (!doc.object(at).contains(key)) doc.fail(at, std::string("needs \"") + key + "\"");
  }
  PerUnderlying<Params> kind;
  read_params(doc, at, kind.defaults);
  if (doc.object(at).contains("underlyings")) {
    const Pointer list = at / "underlyings";
    for (const auto& [id, value] : doc.object(list).items()) {
      const Pointer entry = list / id;
      // In named shocks "*" means every underlying not listed; here the
      // kind's own keys already say that, so a "*" entry would do nothing.
      if (id == "*") {
        doc.fail_key(entry, std::string("'*' is not an underlying: ") + kind_name +
                                "'s own keys already apply to every underlying not listed");
      }
      if (doc.object(entry).empty()) {
        doc.fail(entry, "expected at least one key overriding " + std::string(kind_name) + "'s");
      }
      doc.allow_keys(entry, keys);
      typename PerUnderlying<Params>::Override override_entry{id, doc.key_spot(entry),
                                                              kind.defaults};
      read_params(doc, entry, override_entry.params);
      kind.underlyings.push_back(std::move(override_entry));
    }
  }
  return kind;
}

// [from, to]: two history rows for history_dates (to after from); an
// inclusive period for stressed_period, which may be one day (to == from).
enum class SameDay { refused, allowed };
std::pair<Date, Date> read_date_pair(const JsonDocument& doc, const Pointer& at, SameDay same_day) {
  const nlohmann::json& list = doc.array(at);
  if (list.size() != 2) doc.fail(at, "expected two dates [from, to]");
  Date dates[2];
  for (std::size_t k = 0; k < 2; ++k) {
    const std::string& text = doc.string(at / k);
    const std::optional<Date> date = parse_iso_date(text);
    if (!date) doc.fail(at / k, "expected a date YYYY-MM-DD, found \"" + text + "\"");
    dates[k] = *date;
  }
  if (same_day == SameDay::allowed && dates[1] < dates[0]) {
    doc.fail(at / 1, "the second date must be the first or after it (the period is inclusive)");
  }
  if (same_day == SameDay::refused && !(dates[0] < dates[1])) {
    doc.fail(at / 1, "the second date must be after the first");
  }
  return {dates[0], dates[1]};
}

NamedScenario read_named(const JsonDocument& doc, const Pointer& at) {
  const nlohmann::json& json = doc.object(at);
  doc.allow_keys(at, {"name", "shocks", "history_dates"});
  if (!json.contains("name")) doc.fail(at, "a named scenario needs \"name\"");
  NamedScenario scenario;
  scenario.name = doc.string(at / "name");
  if (scenario.name.empty()) doc.fail(at / "name", "the name must not be empty");
  if (json.contains("shocks") == json.contains("history_dates")) {
    doc.fail(at, "a named scenario takes either \"shocks\" or \"history_dates\"");
  }
  if (json.contains("history_dates")) {
    scenario.history_dates = read_date_pair(doc, at / "history_dates", SameDay::refused);
    scenario.from_spot = doc.spot(at / "history_dates" / 0);
    scenario.to_spot = doc.spot(at / "history_dates" / 1);
    return scenario;
  }
  const Pointer shocks = at / "shocks";
  if (doc.object(shocks).empty()) doc.fail(shocks, "expected at least one shock");
  for (const auto& [id, value] : doc.object(shocks).items()) {
    const Pointer entry = shocks / id;
    doc.object(entry);
    doc.allow_keys(entry, {"price", "vol"});
    if (doc.object(entry).empty()) doc.fail(entry, "a shock needs \"price\" or \"vol\"");
    const SourceReader read(doc, entry);
    NamedShock shock;
    shock.underlying = id;
    shock.spot = doc.key_spot(entry);
    read.closed_interval("price", -kMaxDownMove, 100.0, shock.price);
    read.closed_interval("vol", -kMaxVolPoints, kMaxVolPoints, shock.vol);
    scenario.shocks.push_back(shock);
  }
  return scenario;
}

}  // namespace

StressConfig read_stress(const JsonDocument& doc, const Pointer& at) {
  const nlohmann::json& json = doc.object(at);
  doc.allow_keys(at, {"mpor_days", "span", "grid", "named"});
  StressConfig stress;
  const SourceReader read(doc, at);
  read.whole("mpor_days", 0, kMaxMporDays, stress.mpor_days);
  if (json.contains("span")) {
    doc.allow_keys(at / "span", {"price_scan", "vol_scan", "extreme", "covered", "underlyings"});
    stress.span = read_kind<SpanParams>(doc, at / "span", "span",
                                        {"price_scan", "vol_scan", "extreme", "covered"},
                                        {"price_scan", "vol_scan"}, read_span_params);
  }
  if (json.contains("grid")) {
    doc.allow_keys(at / "grid",
                   {"range", "steps", "vol_shock", "power", "min_days", "extended", "underlyings"});
    stress.grid = read_kind<GridParams>(
        doc, at / "grid", "grid", {"range", "steps", "vol_shock", "power", "min_days", "extended"},
        {"range", "steps", "vol_shock"}, read_grid_params);
  }
  if (json.contains("named")) {
    const nlohmann::json& list = doc.array(at / "named");
    if (list.size() > kMaxNamedScenarios) doc.fail(at / "named", "at most 10000 named scenarios");
    std::set<std::string> names;
    for (std::size_t k = 0; k < list.size(); ++k) {
      NamedScenario scenario = read_named(doc, at / "named" / k);
      if (!names.insert(scenario.name).second) {
        doc.fail(at / "named" / k / "name", "a second scenario named \"" + scenario.name + "\"");
      }
      stress.named.push_back(std::move(scenario));
    }
  }
  if (!stress.any()) doc.fail(at, "expected at least one of span, grid, named");
  return stress;
}

CombineConfig read_combine(const JsonDocument& doc, const Pointer& at) {
  const SourceReader read(doc, at);
  doc.allow_keys(at, {"rule", "blend"});
  CombineConfig combine;
  if (read.has("rule")) {
    combine.rule = one_of<CombineRule>(doc, at / "rule",
                                       {{"max", CombineRule::max}, {"blend", CombineRule::blend}});
  }
  read.closed_interval("blend", 0.0, 1.0, combine.blend);
  if (combine.rule != CombineRule::blend && read.has("blend")) {
    doc.warn_key(at / "blend", "blend is read only for rule \"blend\": ignored");
  }
  if (combine.rule == CombineRule::blend && !read.has("blend")) {
    doc.fail(at, "rule \"blend\" needs \"blend\", the statistical share x in [0, 1]");
  }
  return combine;
}

AntiProcyclicality read_anti_procyclicality(const JsonDocument& doc, const Pointer& at) {
  const SourceReader read(doc, at);
  doc.allow_keys(at, {"buffer", "buffer_released", "stressed_weight", "stressed_period",
                      "floor_lookback_days"});
  AntiProcyclicality apc;
  if (read.has("buffer")) {
    double buffer = 0.0;
    read.closed_interval("buffer", 0.0, 10.0, buffer);
    apc.buffer = buffer;
  }
  if (read.has("buffer_released")) {
    if (!apc.buffer) doc.fail(at / "buffer_released", "buffer_released without a buffer");
    apc.buffer_released = doc.boolean(at / "buffer_released");
  }
  if (read.has("stressed_weight")) {
    double weight = 0.0;
    read.open_interval("stressed_weight", 0.0, 1.0, weight);
    apc.stressed_weight = weight;
    apc.stressed_weight_spot = doc.spot(at / "stressed_weight");
  }
  if (read.has("stressed_period")) {
    if (!apc.stressed_weight) doc.fail(at / "stressed_period", "stressed_period without a weight");
    apc.stressed_period = read_date_pair(doc, at / "stressed_period", SameDay::allowed);
    apc.stressed_period_spot = doc.spot(at / "stressed_period");
  }
  if (read.has("floor_lookback_days")) {
    int days = 0;
    read.whole("floor_lookback_days", 1, kMaxLookbackDays, days);
    apc.floor_lookback_days = days;
    apc.floor_spot = doc.spot(at / "floor_lookback_days");
  }
  return apc;
}

}  // namespace xm
