#include "io/bounds.hpp"
#include "io/csv_reader.hpp"
#include "io/loaders.hpp"
#include "xmargin/error.hpp"

namespace xm {
namespace {

template <typename Enum>
Enum parse_choice(const CsvReader& table, const CsvReader::Row& row, std::size_t column,
                  std::initializer_list<std::pair<const char*, Enum>> choices) {
  const std::string_view text = table.text(row, column);
  std::string expected;
  for (const auto& [name, value] : choices) {
    if (text == name) return value;
    expected += (expected.empty() ? "'" : " or '") + std::string(name) + "'";
  }
  table.fail(row, column, "expected " + expected + ", found " + quote_cell(text));
}

}  // namespace

std::vector<Instrument> load_instruments(const std::string& path, const Market& market) {
  CsvReader table(path, {"instrument", "type", "underlying", "expiry", "multiplier"},
                  {"strike", "right", "style", "on", "vol"});
  const std::size_t id_col = table.index("instrument"), type_col = table.index("type"),
                    underlying_col = table.index("underlying"), expiry_col = table.index("expiry"),
                    multiplier_col = table.index("multiplier");
  const auto strike_col = table.find("strike"), right_col = table.find("right"),
             style_col = table.find("style"), on_col = table.find("on"),
             vol_col = table.find("vol");

  std::vector<std::string> underlying_ids;
  for (const Underlying& u : market.underlyings) underlying_ids.push_back(u.id);
  const IdIndex underlyings = index_ids(underlying_ids);

  std::vector<Instrument> instruments;
  IdRegistry seen;
  CsvReader::Row row;
  while (table.next(row)) {
    Instrument inst;
    inst.id = unique_id(table, row, id_col, seen, "instrument");
    inst.type = parse_choice<InstrumentType>(
        table, row, type_col,
        {{"future", InstrumentType::future}, {"option", InstrumentType::option}});
    const std::string_view underlying = table.text(row, underlying_col);
    const auto found = underlyings.find(underlying);
    if (found == underlyings.end()) {
      table.fail(row, underlying_col,
                 "unknown underlying " + quote_cell(underlying) + " (not in market.json)");
    }
    inst.underlying = found->second;
    inst.expiry = table.date(row, expiry_col);
    if (inst.expiry <= market.valuation_date) {
      table.fail(
          row, expiry_col,
          "expiry must be after the valuation date " + format_iso_date(market.valuation_date));
    }
    if (inst.expiry - market.valuation_date > kMaxDaysToExpiry) {
      table.fail(row, expiry_col,
                 "expiry must be at most " + std::to_string(kMaxDaysToExpiry) +
                     " days (100 years) after the valuation date " +
                     format_iso_date(market.valuation_date));
    }
    inst.multiplier = table.number(row, multiplier_col);
    if (!kMultiplierBound.holds(inst.multiplier)) {
      table.fail(row, multiplier_col, kMultiplierBound.message("multiplier"));
    }

    if (inst.type == InstrumentType::future) {
      for (const auto& column : {strike_col, right_col, style_col, on_col, vol_col}) {
        if (!table.is_empty(row, column)) {
          table.fail(row, *column, "applies to options only; leave it empty for a future");
        }
      }
      inst.terms.payoff = Payoff::forward;
    } else {
      for (const auto& [column, name] : {std::pair{strike_col, "strike"},
                                         {right_col, "right"},
                                         {style_col, "style"},
                                         {on_col, "on"}}) {
        if (!column)
          table.fail_line(row.line, std::string("an option needs a '") + name + "' column");
      }
      inst.terms.strike = table.number(row, *strike_col);
      if (!kLevelBound.holds(inst.terms.strike)) {
        table.fail(row, *strike_col, kLevelBound.message("strike"));
      }
      inst.terms.payoff =
          parse_choice<Payoff>(table, row, *right_col, {{"C", Payoff::call}, {"P", Payoff::put}});
      inst.terms.exercise = parse_choice<Exercise>(
          table, row, *style_col,
          {{"european", Exercise::european}, {"american", Exercise::american}});
      inst.terms.underlier = parse_choice<Underlier>(
          table, row, *on_col, {{"spot", Underlier::spot}, {"future", Underlier::future}});
      inst.vol_annual = table.optional_number(row, vol_col);
      if (inst.vol_annual && !kVolBound.holds(*inst.vol_annual)) {
        table.fail(row, *vol_col, kVolBound.message("vol"));
      }
    }
    instruments.push_back(std::move(inst));
  }
  return instruments;
}

}  // namespace xm
