#include "io/bounds.hpp"
#include "io/json_locator.hpp"
#include "io/loaders.hpp"
#include "io/vol_surface_reader.hpp"
#include "xmargin/error.hpp"

namespace xm {

Market load_market(const std::string& path, const VolSurfaceSettings& surfaces) {
  const JsonDocument doc = JsonDocument::read(path);
  using Pointer = JsonDocument::Pointer;
  const Pointer root;
  doc.object(root);
  doc.allow_keys(root, {"valuation_date", "underlyings"});
  if (!doc.root().contains("valuation_date")) doc.fail(root, "missing key 'valuation_date'");
  if (!doc.root().contains("underlyings")) doc.fail(root, "missing key 'underlyings'");

  Market market;
  const Pointer date_at = root / "valuation_date";
  const auto date = parse_iso_date(doc.string(date_at));
  if (!date) doc.fail(date_at, "expected a date YYYY-MM-DD");
  market.valuation_date = *date;

  const Pointer list_at = root / "underlyings";
  const nlohmann::json& list = doc.array(list_at);
  if (list.empty()) doc.fail(list_at, "expected at least one underlying");
  IdIndex seen;
  CalendarWarnings warnings;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Pointer at = list_at / i;
    doc.object(at);
    doc.allow_keys(at, {"id", "price", "vol", "rate", "dividend_yield", "vol_surface"});
    for (const char* key : {"id", "price"}) {
      if (!list[i].contains(key)) doc.fail(at, std::string("missing key '") + key + "'");
    }
    // SPEC §6: a surface may stand instead of the flat vol.
    if (!list[i].contains("vol") && !list[i].contains("vol_surface")) {
      doc.fail(at, "missing key 'vol' (or 'vol_surface')");
    }
    Underlying u;
    u.id = doc.string(at / "id");
    if (const auto problem = underlying_id_problem(u.id)) doc.fail(at / "id", *problem);
    if (!seen.emplace(u.id, i).second)
      doc.fail(at / "id", "duplicate underlying id '" + u.id + "'");
    u.price = doc.number(at / "price");
    if (!kLevelBound.holds(u.price)) doc.fail(at / "price", kLevelBound.message("price"));
    if (list[i].contains("vol")) {
      u.vol_annual = doc.number(at / "vol");
      if (!kVolBound.holds(u.vol_annual)) doc.fail(at / "vol", kVolBound.message("vol"));
    }
    if (list[i].contains("rate")) u.rate = doc.number(at / "rate");
    if (!kRateBound.holds(u.rate)) doc.fail(at / "rate", kRateBound.message("rate"));
    if (list[i].contains("dividend_yield")) u.dividend_yield = doc.number(at / "dividend_yield");
    if (!kRateBound.holds(u.dividend_yield)) {
      doc.fail(at / "dividend_yield", kRateBound.message("dividend_yield"));
    }
    if (list[i].contains("vol_surface")) {
      u.vol_surface =
          read_vol_surface(doc, at / "vol_surface", market.valuation_date, surfaces, warnings);
    }
    market.underlyings.push_back(std::move(u));
  }
  warnings.summarise(path);
  return market;
}

}  // namespace xm
