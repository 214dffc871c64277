#include "output.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <stdexcept>

#include "calendar.hpp"
#include "text.hpp"

namespace make_book {

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) throw std::runtime_error(path.string() + ": cannot write");
}

std::string market_json(std::int64_t valuation_date, const std::vector<Stock>& stocks,
                        const std::vector<Surface>& surfaces) {
  std::string s =
      "{\n  \"valuation_date\": \"" + format_date(valuation_date) + "\",\n  \"underlyings\": [\n";
  for (std::size_t i = 0; i < stocks.size(); ++i) {
    const Stock& st = stocks[i];
    s += "    { \"id\": \"" + st.id + "\", \"price\": " + st.price_text +
         ", \"vol\": " + fixed_from_scaled(st.vol_bp, 4) +
         ", \"rate\": " + fixed_from_scaled(kRateBp, 4) +
         ", \"dividend_yield\": " + fixed_from_scaled(st.dividend_bp, 4);
    if (!surfaces.empty()) s += ",\n      " + surface_json(surfaces[i], 6);
    s += " }";
    s += i + 1 < stocks.size() ? ",\n" : "\n";
  }
  s += "  ]\n}\n";
  return s;
}

std::string instruments_csv(const std::vector<Stock>& stocks, const Catalog& cat) {
  std::string s = "instrument,type,underlying,expiry,multiplier,strike,right,style,on,vol\n";
  for (const Instrument& inst : cat.list) {
    s += inst.id;
    s += inst.future ? ",future," : ",option,";
    s += stocks[inst.stock].id + "," + format_date(inst.expiry) + "," + std::to_string(kMultiplier);
    if (inst.future) {
      s += ",,,,,\n";
      continue;
    }
    s += "," + strike_text(inst.strike) + "," + inst.right;
    s += inst.american ? ",american" : ",european";
    s += inst.on_future ? ",future," : ",spot,";
    if (inst.vol_bp != 0) s += fixed_from_scaled(inst.vol_bp, 4);
    s += "\n";
  }
  return s;
}

std::string positions_csv(const Book& book, const Catalog& cat) {
  std::string s = "account,instrument,quantity\n";
  const auto row = [&](const std::string& account, const Leg& leg) {
    s += account;
    s += ',';
    s += cat.list[leg.instrument].id;
    s += ',';
    append_scaled(s, leg.quantity, 0);
    s += '\n';
  };
  for (const Account& a : book.accounts) {
    for (const Leg& leg : a.legs) row(a.id, leg);
  }
  for (const auto& [i, leg] : book.split_tails) row(book.accounts[i].id, leg);
  return s;
}

std::string accounts_csv(const Book& book) {
  std::string s = "account,mode,group,collateral\n";
  for (const Account& a : book.accounts) {
    s += a.id + (a.isolated ? ",isolated," : ",cross,") + a.group + ",";
    append_scaled(s, a.collateral_cents, 2);
    s += "\n";
  }
  return s;
}

std::string config_json(std::size_t lookback_days, const std::string& stress) {
  const std::string historical =
      "\"historical\": { \"lookback_days\": " + std::to_string(lookback_days) +
      ", \"mpor_days\": " + std::to_string(kMporDays) + " }";
  std::string s =
      "{\n"
      "  \"measure\": \"es\",\n"
      "  \"confidence\": 0.99,\n"
      "  \"time_decay\": true,\n";
  if (stress.empty()) return s + "  \"scenarios\": { " + historical + " }\n}\n";
  return s + "  \"scenarios\": {\n    " + historical + ",\n" + stress +
         "\n  },\n"
         "  \"combine\": { \"rule\": \"max\" },\n"
         "  \"anti_procyclicality\": { \"buffer\": 0.25, \"buffer_released\": true }\n"
         "}\n";
}

void print_summary(const Book& book, const Catalog& cat, const std::vector<Stock>& stocks) {
  std::size_t futures = 0, spot_am = 0, spot_eu = 0, fop_am = 0, fop_eu = 0, calls = 0, puts = 0,
              overrides = 0;
  for (const Instrument& inst : cat.list) {
    if (inst.future) {
      ++futures;
      continue;
    }
    (inst.right == 'C' ? calls : puts) += 1;
    if (inst.vol_bp != 0) ++overrides;
    if (inst.on_future) {
      (inst.american ? fop_am : fop_eu) += 1;
    } else {
      (inst.american ? spot_am : spot_eu) += 1;
    }
  }
  std::map<std::string, std::size_t> by_strategy;
  std::size_t positions = 0, isolated = 0, grouped = 0, house_positions = 0, largest_house = 0;
  for (const Account& a : book.accounts) {
    ++by_strategy[a.strategy];
    positions += a.legs.size();
    if (a.house) {
      house_positions += a.legs.size();
      largest_house = std::max(largest_house, a.legs.size());
    }
    if (a.isolated) ++isolated;
    if (!a.group.empty()) ++grouped;
  }
  std::cout << "underlyings " << stocks.size() << "\n"
            << "instruments " << cat.list.size() << ": futures " << futures
            << ", options on spot american " << spot_am << " european " << spot_eu
            << ", options on futures american " << fop_am << " european " << fop_eu << " (calls "
            << calls << ", puts " << puts << ", vol overrides " << overrides << ")\n"
            << "accounts " << book.accounts.size() << ": houses " << book.houses << ", isolated "
            << isolated << ", in groups " << grouped << " (" << book.groups.size() << " groups)\n"
            << "positions " << positions << " (" << house_positions << " in houses, largest "
            << largest_house << "), rows " << positions + book.split_tails.size() << " ("
            << book.split_tails.size() << " split)\n"
            << "strategies:";
  for (const auto& [name, count] : by_strategy) std::cout << " " << name << " " << count;
  std::cout << "\n";
}

void print_surfaces(const std::vector<Surface>& surfaces, const SurfaceModel& model) {
  const std::size_t nodes = std::size(kSurfaceMoneynessPct);
  const std::size_t atm = 5, low = 3, high = 7;  // nodes 1.00, 0.90, 1.10
  const std::size_t last = std::size(kSurfaceDays) - 1;
  std::int64_t atm_lo = INT64_MAX, atm_hi = 0, far_lo = INT64_MAX, far_hi = 0;
  std::int64_t skew_lo = INT64_MAX, skew_hi = INT64_MIN;
  for (const Surface& s : surfaces) {
    atm_lo = std::min(atm_lo, s.vol_bp[atm]);
    atm_hi = std::max(atm_hi, s.vol_bp[atm]);
    far_lo = std::min(far_lo, s.vol_bp[last * nodes + atm]);
    far_hi = std::max(far_hi, s.vol_bp[last * nodes + atm]);
    const std::int64_t skew = s.vol_bp[2 * nodes + low] - s.vol_bp[2 * nodes + high];
    skew_lo = std::min(skew_lo, skew);
    skew_hi = std::max(skew_hi, skew);
  }
  std::cout << "vol surfaces " << surfaces.size() << " (" << std::size(kSurfaceDays)
            << " expiries x " << nodes << " moneyness nodes): kappa "
            << fixed_double(model.kappa, 2) << "/year, rho " << fixed_double(model.rho, 3)
            << "; ATM vol 30 days " << fixed_from_scaled(atm_lo, 4) << ".."
            << fixed_from_scaled(atm_hi, 4) << ", 365 days " << fixed_from_scaled(far_lo, 4) << ".."
            << fixed_from_scaled(far_hi, 4) << "; 91-day skew vol(0.9) - vol(1.1) "
            << fixed_from_scaled(skew_lo, 4) << ".." << fixed_from_scaled(skew_hi, 4) << "\n";
}

}  // namespace make_book
