#include "io/vol_surface_reader.hpp"
#include "io/bounds.hpp"

#include <iostream>
#include <string>

#include "report/number_format.hpp"
#include "xmargin/scenario_set.hpp"

namespace xm {
namespace {

using Pointer = JsonDocument::Pointer;

// The numbers of the array at `at`, each > 0 and strictly ascending.
std::vector<double> read_nodes(const JsonDocument& doc, const Pointer& at) {
  const nlohmann::json& list = doc.array(at);
  if (list.empty()) doc.fail(at, "expected at least one moneyness node");
  std::vector<double> nodes;
  for (std::size_t j = 0; j < list.size(); ++j) {
    const double node = doc.number(at / j);
    if (node <= 0.0) doc.fail(at / j, "moneyness K/F must be > 0");
    if (j > 0 && node == nodes.back()) doc.fail(at / j, "duplicate moneyness node");
    if (j > 0 && node < nodes.back()) {
      doc.fail(at / j, "moneyness nodes must be strictly ascending (previous is " +
                           format_double(nodes.back()) + ")");
    }
    nodes.push_back(node);
  }
  return nodes;
}

std::vector<Date> read_expiries(const JsonDocument& doc, const Pointer& at, Date valuation_date) {
  const nlohmann::json& list = doc.array(at);
  if (list.empty()) doc.fail(at, "expected at least one expiry");
  std::vector<Date> expiries;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto date = parse_iso_date(doc.string(at / i));
    if (!date) doc.fail(at / i, "expected a date YYYY-MM-DD");
    if (*date <= valuation_date) {
      doc.fail(at / i,
               "expiry must be after the valuation date " + format_iso_date(valuation_date));
    }
    if (i > 0 && *date == expiries.back()) doc.fail(at / i, "duplicate expiry");
    if (i > 0 && *date < expiries.back()) {
      doc.fail(at / i, "expiries must be strictly ascending (previous is " +
                           format_iso_date(expiries.back()) + ")");
    }
    expiries.push_back(*date);
  }
  return expiries;
}

// SPEC §6 interpolates total variance w = σ²T across expiries; where w falls
// from one expiry to the next at some node, a calendar spread there has a
// negative value.
void check_calendar(const JsonDocument& doc, const Pointer& vols_at, const VolSurface& surface,
                    Date valuation_date, const VolSurfaceSettings& settings,
                    CalendarWarnings& warnings) {
  const std::size_t nodes = surface.moneyness.size();
  for (std::size_t i = 1; i < surface.expiries.size(); ++i) {
    const double near_years =
        static_cast<double>(surface.expiries[i - 1] - valuation_date) / kCalendarDaysPerYear;
    const double far_years =
        static_cast<double>(surface.expiries[i] - valuation_date) / kCalendarDaysPerYear;
    for (std::size_t j = 0; j < nodes; ++j) {
      const double near_vol = surface.vols[(i - 1) * nodes + j];
      const double far_vol = surface.vols[i * nodes + j];
      const double near_variance = near_vol * near_vol * near_years;
      const double far_variance = far_vol * far_vol * far_years;
      if (far_variance >= near_variance) continue;
      const std::string message =
          "calendar arbitrage: total variance vol^2*T falls from " + format_double(near_variance) +
          " at " + format_iso_date(surface.expiries[i - 1]) + " to " + format_double(far_variance) +
          " at " + format_iso_date(surface.expiries[i]) + " (moneyness " +
          format_double(surface.moneyness[j]) + ")";
      if (!settings.allow_calendar_arbitrage) {
        doc.fail(vols_at / i / j, message +
                                      "; config.json \"vol_surface\": "
                                      "{\"allow_calendar_arbitrage\": true} accepts it");
      }
      if (++warnings.count <= kShownCalendarWarnings) {
        std::cerr << "xmargin: warning: " << doc.located(vols_at / i / j, message) << "\n";
      }
    }
  }
}

}  // namespace

void CalendarWarnings::summarise(const std::string& path) const {
  if (count <= kShownCalendarWarnings) return;
  std::cerr << "xmargin: warning: " << path << ": " << count - kShownCalendarWarnings
            << " more calendar arbitrage violations not shown (" << count << " in all)\n";
}

VolSurface read_vol_surface(const JsonDocument& doc, const Pointer& at, Date valuation_date,
                            const VolSurfaceSettings& settings, CalendarWarnings& warnings) {
  const nlohmann::json& json = doc.object(at);
  doc.allow_keys(at, {"expiries", "moneyness", "vols", "sticky"});
  for (const char* key : {"expiries", "moneyness", "vols"}) {
    if (!json.contains(key)) doc.fail(at, std::string("missing key '") + key + "'");
  }
  VolSurface surface;
  surface.expiries = read_expiries(doc, at / "expiries", valuation_date);
  surface.moneyness = read_nodes(doc, at / "moneyness");
  if (json.contains("sticky")) {
    const std::string& sticky = doc.string(at / "sticky");
    if (sticky == "moneyness") {
      surface.sticky = Sticky::moneyness;
    } else if (sticky == "strike") {
      surface.sticky = Sticky::strike;
    } else {
      doc.fail(at / "sticky", "expected \"moneyness\" or \"strike\", found \"" + sticky + "\"");
    }
  }

  const Pointer vols_at = at / "vols";
  const nlohmann::json& rows = doc.array(vols_at);
  const std::size_t expiries = surface.expiries.size(), nodes = surface.moneyness.size();
  if (rows.size() != expiries) {
    doc.fail(vols_at, "expected " + std::to_string(expiries) + " rows (one per expiry), found " +
                          std::to_string(rows.size()));
  }
  for (std::size_t i = 0; i < expiries; ++i) {
    const nlohmann::json& row = doc.array(vols_at / i);
    if (row.size() != nodes) {
      doc.fail(vols_at / i, "expected " + std::to_string(nodes) +
                                " vols (one per moneyness node), found " +
                                std::to_string(row.size()));
    }
    for (std::size_t j = 0; j < nodes; ++j) {
      const double vol = doc.number(vols_at / i / j);
      if (!kVolBound.holds(vol)) doc.fail(vols_at / i / j, kVolBound.message("vol"));
      surface.vols.push_back(vol);
    }
  }
  check_calendar(doc, vols_at, surface, valuation_date, settings, warnings);
  return surface;
}

}  // namespace xm
