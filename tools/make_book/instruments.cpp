#include "instruments.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <utility>

#include "calendar.hpp"
#include "text.hpp"
#include "usage_error.hpp"

namespace make_book {

namespace {

// Third Fridays after the valuation date over the next two years, with their months.
std::vector<std::pair<std::int64_t, unsigned>> upcoming_third_fridays(std::int64_t valuation) {
  Civil c = civil_from_days(valuation);
  std::vector<std::pair<std::int64_t, unsigned>> fridays;
  for (int k = 0; k < 24; ++k) {
    const std::int64_t tf = third_friday(c.year, c.month);
    if (tf > valuation) fridays.emplace_back(tf, c.month);
    if (++c.month > 12) {
      c.month = 1;
      ++c.year;
    }
  }
  return fridays;
}

bool quarterly(unsigned month) {
  return month % 3 == 0;
}

// Splits `total` into parts proportional to `weights` (largest remainder, ties to the lower
// index), in integers so that no rounding can differ between platforms.
std::vector<std::size_t> apportion(std::size_t total, const std::vector<std::size_t>& weights) {
  std::size_t weight_sum = 0;
  for (std::size_t w : weights) weight_sum += w;
  std::vector<std::size_t> parts(weights.size());
  std::vector<std::pair<std::size_t, std::size_t>> remainders;  // (remainder, index)
  std::size_t given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    parts[i] = total * weights[i] / weight_sum;
    given += parts[i];
    remainders.emplace_back(total * weights[i] % weight_sum, i);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = 0; given < total; ++i, ++given) ++parts[remainders[i].second];
  return parts;
}

// The largest of 1, 2, 5, 10, 25, 50 cents, $1, $2.50, $5, $10, ... not above 2.5% of the spot.
std::int64_t strike_step(std::int64_t spot_cents) {
  static constexpr std::int64_t kSteps[] = {1,   2,   5,    10,   25,   50,    100,
                                            250, 500, 1000, 2500, 5000, 10000, 25000};
  const std::int64_t target = spot_cents * 25 / 1000;
  std::int64_t step = kSteps[0];
  for (std::int64_t s : kSteps) {
    if (s <= target) step = s;
  }
  return step;
}

std::vector<StrikeWindow> full_windows(std::size_t expiries, std::size_t strikes) {
  return std::vector<StrikeWindow>(expiries, StrikeWindow{0, strikes});
}

}  // namespace

ExpiryCalendar sample_calendar(std::int64_t valuation) {
  ExpiryCalendar cal;
  for (const auto& [date, month] : upcoming_third_fridays(valuation)) {
    if (quarterly(month) && cal.futures.size() < 3) cal.futures.push_back(date);
    if (cal.options.size() < 2) {
      cal.options.push_back(date);
    } else if (quarterly(month) && cal.options.size() < 4) {
      cal.options.push_back(date);
    }
  }
  if (cal.futures.size() != 3 || cal.options.size() != 4) throw std::logic_error("expiry calendar");
  cal.fops.assign(cal.options.begin() + 1, cal.options.end());
  return cal;
}

ExpiryCalendar workload_calendar(std::int64_t valuation) {
  ExpiryCalendar cal;
  for (const auto& [date, month] : upcoming_third_fridays(valuation)) {
    if (quarterly(month) && cal.futures.size() < 5) cal.futures.push_back(date);
    const bool listed = cal.options.size() < 3 || (quarterly(month) && cal.options.size() < 6);
    if (!listed) continue;
    cal.options.push_back(date);
    if (quarterly(month)) cal.fops.push_back(date);
  }
  if (cal.futures.size() != 5 || cal.options.size() != 6) throw std::logic_error("expiry calendar");
  return cal;
}

std::vector<Stock> make_stocks(const std::vector<Quote>& quotes, Rng& rng) {
  std::vector<Stock> stocks;
  for (std::size_t s = 0; s < quotes.size(); ++s) {
    const Quote& q = quotes[s];
    Stock st;
    st.id = q.id;
    st.price_text = q.price_text;
    st.price_cents = q.price_cents;
    if (st.price_cents < 100)
      throw UsageError("history: last close of " + st.id + " is below $1; not a stock price");
    st.vol_bp = q.vol_bp;
    st.dividend_bp = rng.between(0, 300);
    st.spot_european = s % 5 == 4;
    st.has_fop = s % 3 == 0;
    st.fop_american = s % 6 == 3;
    st.put_skew = s % 4 == 1;
    stocks.push_back(std::move(st));
  }
  return stocks;
}

std::vector<std::int64_t> sample_strike_grid(std::int64_t spot_cents) {
  const auto step_up = [](std::int64_t k) { return k < 5000 ? k + 250 : k + 500; };
  const auto step_down = [](std::int64_t k) { return k <= 5000 ? k - 250 : k - 500; };
  const std::int64_t lo = (8 * spot_cents + 9) / 10;
  const std::int64_t hi = 12 * spot_cents / 10;
  std::vector<std::int64_t> strikes;
  for (std::int64_t k = 250; k <= hi; k = step_up(k)) {
    if (k >= lo) strikes.push_back(k);
  }
  if (strikes.empty()) {
    std::int64_t k = 250;
    while (step_up(k) <= spot_cents) k = step_up(k);
    strikes.push_back(k);
  }
  bool below_next = true;
  while (strikes.size() < 4) {
    const std::int64_t down = step_down(strikes.front());
    if (below_next && down > 0) {
      strikes.insert(strikes.begin(), down);
    } else {
      strikes.push_back(step_up(strikes.back()));
    }
    below_next = !below_next;
  }
  return strikes;
}

std::size_t nearest_strike(const std::vector<std::int64_t>& strikes, std::int64_t spot) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < strikes.size(); ++i) {
    if (std::llabs(strikes[i] - spot) < std::llabs(strikes[best] - spot)) best = i;
  }
  return best;
}

ListingPlan full_listing(const Stock& st, const ExpiryCalendar& cal) {
  ListingPlan plan;
  plan.futures = cal.futures.size();
  plan.spot = full_windows(cal.options.size(), st.strikes.size());
  if (st.has_fop) plan.fop = full_windows(cal.fops.size(), st.strikes.size());
  return plan;
}

std::vector<ListingPlan> plan_workload_listings(std::vector<Stock>& stocks, std::size_t instruments,
                                                const ExpiryCalendar& cal) {
  constexpr std::size_t kFutures = 4;
  const std::size_t n = stocks.size();
  std::vector<ListingPlan> plans;
  for (std::size_t s = 0; s < n; ++s) {
    Stock& st = stocks[s];
    const std::size_t budget = instruments / n + (s < instruments % n ? 1 : 0);
    ListingPlan plan;
    plan.futures = kFutures + budget % 2;
    const std::size_t spot_expiries = cal.options.size();
    const std::size_t fop_expiries = st.has_fop ? cal.fops.size() : 0;
    const std::size_t chains = spot_expiries + fop_expiries;
    if (plan.futures > cal.futures.size() || budget < plan.futures + 2 * chains)
      throw std::logic_error("workload: too few instruments per underlying");
    // One strike per chain first, so that every expiry lists something.
    const std::size_t pairs = (budget - plan.futures) / 2;
    std::vector<std::size_t> weights(spot_expiries, 2);
    weights.resize(chains, 1);
    std::vector<std::size_t> strikes = apportion(pairs - chains, weights);
    for (std::size_t& k : strikes) ++k;

    const std::size_t widest = *std::max_element(strikes.begin(), strikes.end());
    const std::int64_t step = strike_step(st.price_cents);
    const std::int64_t atm_strike = std::max(step, (st.price_cents + step / 2) / step * step);
    st.atm = (widest - 1) / 2;
    st.strikes.clear();
    for (std::size_t i = 0; i < widest; ++i)
      st.strikes.push_back(
          atm_strike + (static_cast<std::int64_t>(i) - static_cast<std::int64_t>(st.atm)) * step);
    if (st.strikes.front() <= 0) throw std::logic_error("workload: strike grid below zero");
    for (std::size_t c = 0; c < chains; ++c) {
      const StrikeWindow window{st.atm - (strikes[c] - 1) / 2, strikes[c]};
      (c < spot_expiries ? plan.spot : plan.fop).push_back(window);
    }
    plans.push_back(std::move(plan));
  }
  return plans;
}

Catalog make_catalog(const std::vector<Stock>& stocks, const ExpiryCalendar& cal,
                     const std::vector<ListingPlan>& plans) {
  Catalog cat;
  cat.expiries = cal;
  const auto add = [&](Instrument inst) {
    cat.list.push_back(std::move(inst));
    return cat.list.size() - 1;
  };
  for (std::size_t s = 0; s < stocks.size(); ++s) {
    const Stock& st = stocks[s];
    const ListingPlan& plan = plans[s];
    cat.futures.emplace_back();
    for (std::size_t fe = 0; fe < plan.futures; ++fe) {
      Instrument f;
      f.id = st.id + "-FUT-" + compact_date(cal.futures[fe]);
      f.stock = s;
      f.future = true;
      f.expiry = cal.futures[fe];
      cat.futures.back().push_back(add(std::move(f)));
    }
    const auto chain = [&](const std::vector<std::int64_t>& expiries,
                           const std::vector<StrikeWindow>& windows, bool on_future) {
      Chain out(expiries.size());
      for (std::size_t e = 0; e < expiries.size(); ++e) {
        out[e].first_strike = windows[e].first;
        for (int r = 0; r < 2; ++r) {
          for (std::size_t i = 0; i < windows[e].count; ++i) {
            const std::int64_t strike = st.strikes[windows[e].first + i];
            Instrument o;
            o.stock = s;
            o.expiry = expiries[e];
            o.strike = strike;
            o.right = r == 0 ? 'C' : 'P';
            o.on_future = on_future;
            o.american = on_future ? st.fop_american : !st.spot_european;
            o.id = st.id + (on_future ? "-FOP-" : "-OPT-") + compact_date(o.expiry) + "-" +
                   o.right + strike_text(strike);
            // Put skew: out-of-the-money puts quoted above the at-the-money vol, 0.8 vol points
            // per 1% of moneyness.
            if (!on_future && st.put_skew && o.right == 'P' && strike < st.price_cents)
              o.vol_bp =
                  st.vol_bp + st.vol_bp * 8 * (st.price_cents - strike) / (10 * st.price_cents);
            out[e].by_right[static_cast<std::size_t>(r)].push_back(add(std::move(o)));
          }
        }
      }
      return out;
    };
    cat.spot.push_back(chain(cal.options, plan.spot, false));
    cat.fop.push_back(plan.fop.empty() ? Chain{} : chain(cal.fops, plan.fop, true));
  }
  return cat;
}

}  // namespace make_book
