#include "strategies.hpp"

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <stdexcept>

namespace make_book {

namespace {

struct StrategyInfo {
  Strategy strategy;
  const char* name;
  std::uint64_t weight_per_mille;
};

constexpr std::array<StrategyInfo, 9> kStrategies = {{
    {Strategy::kCoveredCall, "covered_call", 140},
    {Strategy::kVerticalSpread, "vertical_spread", 140},
    {Strategy::kStraddleStrangle, "straddle_strangle", 120},
    {Strategy::kPairsHedge, "pairs_hedge", 100},
    {Strategy::kProtectivePut, "protective_put", 120},
    {Strategy::kNakedShort, "naked_short", 100},
    {Strategy::kCalendarSpread, "calendar_spread", 100},
    {Strategy::kOutrightFutures, "outright_futures", 80},
    {Strategy::kMixed, "mixed", 100},
}};

constexpr std::array<std::int64_t, 18> kLots = {1,  1,  2,  2,  3,  4,  5,  5,  10,
                                                10, 10, 15, 20, 25, 30, 50, 75, 100};

// Any strategy but `mixed`, for one package of a mixed book.
Strategy draw_package_style(Rng& rng) {
  return kStrategies[rng.index(kStrategies.size() - 1)].strategy;
}

void drop_flat(Account& a) {
  std::erase_if(a.legs, [](const Leg& leg) { return leg.quantity == 0; });
}

// The instrument at strike-grid index k of one expiry, k clamped into the listed window.
std::size_t pick(const ExpiryChain& chain, int right, std::int64_t k) {
  const std::vector<std::size_t>& listed = chain.by_right[static_cast<std::size_t>(right)];
  const auto first = static_cast<std::int64_t>(chain.first_strike);
  const auto last = first + static_cast<std::int64_t>(listed.size()) - 1;
  return listed[static_cast<std::size_t>(std::clamp(k, first, last) - first)];
}

}  // namespace

Strategy draw_strategy(Rng& rng) {
  std::uint64_t u = rng.below(1000);
  for (const StrategyInfo& info : kStrategies) {
    if (u < info.weight_per_mille) return info.strategy;
    u -= info.weight_per_mille;
  }
  return kStrategies.back().strategy;
}

const char* strategy_name(Strategy s) {
  for (const StrategyInfo& info : kStrategies) {
    if (info.strategy == s) return info.name;
  }
  return "?";
}

void BookBuilder::fill_customer(Account& a, Strategy strategy) {
  const std::size_t packages = strategy == Strategy::kMixed ? 2 + rng_.index(4) : 1 + rng_.index(5);
  for (std::size_t p = 0; p < packages; ++p) {
    Strategy s = strategy;
    if (s == Strategy::kMixed) s = draw_package_style(rng_);
    add_package(a, s);
  }
  drop_flat(a);
  if (a.legs.empty()) {
    const std::size_t s = stock();
    add(a, future(s, 0), lot());
  }
}

void BookBuilder::fill_house(Account& a) {
  for (std::size_t s = 0; s < stocks_.size(); ++s) {
    const std::size_t e = rng_.index(3);
    add(a, future(s, e), signed_size(2, 10));
  }
  const std::size_t picks = 200 + rng_.index(201);
  for (std::size_t i = 0; i < picks; ++i) {
    const std::size_t instrument = rng_.index(cat_.list.size());
    add(a, instrument, signed_size(1, 8));
  }
  drop_flat(a);
}

void BookBuilder::fill_customer_to(Account& a, Strategy strategy, std::size_t positions) {
  // A package adds at most two legs, so it cannot overshoot while two slots are free; one whose
  // legs land on held instruments or net to zero just costs another round.
  for (std::size_t round = 0; a.legs.size() < positions && round < 8 * positions; ++round) {
    if (positions - a.legs.size() == 1) {
      add_single_option(a);
    } else {
      Strategy s = strategy;
      if (s == Strategy::kMixed) s = draw_package_style(rng_);
      add_package(a, s);
    }
    drop_flat(a);
  }
  if (a.legs.size() >= positions) return;
  // Not reached with the workloads' catalogues, but a guarantee: the next instruments in
  // catalogue order from a random one.
  for (std::size_t i = rng_.index(cat_.list.size()); a.legs.size() < positions;
       i = (i + 1) % cat_.list.size()) {
    const bool held = std::any_of(a.legs.begin(), a.legs.end(),
                                  [&](const Leg& leg) { return leg.instrument == i; });
    if (!held) a.legs.push_back({i, lot()});
  }
}

void BookBuilder::fill_house_to(Account& a, std::size_t positions) {
  if (positions > cat_.list.size()) throw std::logic_error("house larger than the catalogue");
  std::vector<std::size_t> pool(cat_.list.size());
  std::iota(pool.begin(), pool.end(), std::size_t{0});
  std::vector<std::size_t> picked = draw_distinct(rng_, pool, positions);
  std::sort(picked.begin(), picked.end());
  for (std::size_t instrument : picked) a.legs.push_back({instrument, signed_size(1, 8)});
}

std::int64_t BookBuilder::lot() {
  return kLots[rng_.index(kLots.size())];
}

// A house-sized quantity: sign, lot and scale drawn in this order.
std::int64_t BookBuilder::signed_size(std::int64_t lo, std::int64_t hi) {
  const std::int64_t sign = rng_.sign();
  const std::int64_t base = lot();
  return sign * base * rng_.between(lo, hi);
}

std::size_t BookBuilder::stock() {
  return rng_.index(stocks_.size());
}

std::int64_t BookBuilder::atm(std::size_t s) const {
  return static_cast<std::int64_t>(stocks_[s].atm);
}

std::size_t BookBuilder::future(std::size_t s, std::size_t e) const {
  return cat_.futures[s][e];
}

std::size_t BookBuilder::spot_option(std::size_t s, std::size_t e, int right,
                                     std::int64_t k) const {
  return pick(cat_.spot[s][e], right, k);
}

std::size_t BookBuilder::fop_option(std::size_t s, std::size_t e, int right, std::int64_t k) const {
  return pick(cat_.fop[s][e], right, k);
}

// An option on stock s expiring no later than the future expiry fe: on the future itself when
// the name lists options on futures and a coin says so, else on the spot.
std::size_t BookBuilder::option_until(std::size_t s, std::size_t fe, int right, std::int64_t k) {
  const std::int64_t limit = cat_.expiries.futures[fe];
  const auto listed_until = [&](const std::vector<std::int64_t>& expiries) {
    std::size_t count = 0;
    while (count < expiries.size() && expiries[count] <= limit) ++count;
    if (count == 0) throw std::logic_error("no option expiry before the future's");
    return count;
  };
  if (stocks_[s].has_fop && rng_.below(2) == 0)
    return fop_option(s, rng_.index(listed_until(cat_.expiries.fops)), right, k);
  return spot_option(s, rng_.index(listed_until(cat_.expiries.options)), right, k);
}

// Any option on stock s: spot chain, or the futures chain when the name has one.
std::size_t BookBuilder::any_option(std::size_t s, int right, std::int64_t k) {
  if (stocks_[s].has_fop && rng_.below(3) == 0)
    return fop_option(s, rng_.index(cat_.expiries.fops.size()), right, k);
  return spot_option(s, rng_.index(cat_.expiries.options.size()), right, k);
}

void BookBuilder::add(Account& a, std::size_t instrument, std::int64_t quantity) {
  for (Leg& leg : a.legs) {
    if (leg.instrument == instrument) {
      leg.quantity += quantity;
      return;
    }
  }
  a.legs.push_back({instrument, quantity});
}

// One outright option near the money, long or short.
void BookBuilder::add_single_option(Account& a) {
  const std::size_t s = stock();
  const int right = static_cast<int>(rng_.below(2));
  const std::int64_t k = atm(s) + rng_.between(-2, 2);
  const std::size_t instrument = any_option(s, right, k);
  const std::int64_t side = rng_.sign();
  const std::int64_t q = lot();
  add(a, instrument, side * q);
}

void BookBuilder::add_package(Account& a, Strategy strategy) {
  const std::size_t s = stock();
  const std::int64_t q = lot();
  switch (strategy) {
    case Strategy::kCoveredCall: {  // long future, short out-of-the-money call
      const std::size_t fe = rng_.index(2);
      add(a, future(s, fe), q);
      const std::int64_t k = atm(s) + 1 + rng_.between(0, 1);
      add(a, option_until(s, fe, 0, k), -q);
      break;
    }
    case Strategy::kVerticalSpread: {  // bull call / bear put, debit or credit
      const int right = static_cast<int>(rng_.below(2));
      const std::size_t e = rng_.index(cat_.expiries.options.size());
      const std::int64_t lo = atm(s) - rng_.between(0, 2);
      const std::int64_t hi = lo + rng_.between(1, 2);
      const std::int64_t side = rng_.per_mille(700) ? 1 : -1;  // 70% debit spreads
      const std::int64_t long_k = right == 0 ? lo : hi;
      const std::int64_t short_k = right == 0 ? hi : lo;
      add(a, spot_option(s, e, right, long_k), side * q);
      add(a, spot_option(s, e, right, short_k), -side * q);
      break;
    }
    case Strategy::kStraddleStrangle: {  // long or short, at the money or out of it
      const std::size_t e = rng_.index(cat_.expiries.options.size());
      const std::int64_t side = rng_.per_mille(600) ? 1 : -1;
      const std::int64_t width = rng_.below(2) == 0 ? 0 : rng_.between(1, 2);
      add(a, spot_option(s, e, 0, atm(s) + width), side * q);
      add(a, spot_option(s, e, 1, atm(s) - width), side * q);
      break;
    }
    case Strategy::kPairsHedge: {  // long one name's future, short another's, same notional
      std::size_t other = stock();
      while (other == s) other = stock();
      const std::size_t fe = rng_.index(3);
      const std::int64_t p_long = stocks_[s].price_cents;
      const std::int64_t p_short = stocks_[other].price_cents;
      const std::int64_t q_short = std::max<std::int64_t>(1, (q * p_long + p_short / 2) / p_short);
      add(a, future(s, fe), q);
      add(a, future(other, fe), -q_short);
      break;
    }
    case Strategy::kProtectivePut: {  // long future, long out-of-the-money put
      const std::size_t fe = rng_.index(3);
      add(a, future(s, fe), q);
      const std::int64_t k = atm(s) - 1 - rng_.between(0, 1);
      add(a, option_until(s, fe, 1, k), q);
      break;
    }
    case Strategy::kNakedShort: {  // short puts and/or calls out of the money
      const std::uint64_t kind = rng_.below(3);
      if (kind != 1) {
        const std::int64_t k = atm(s) - rng_.between(1, 2);
        add(a, any_option(s, 1, k), -q);
      }
      if (kind != 0) {
        const std::int64_t k = atm(s) + rng_.between(1, 2);
        add(a, any_option(s, 0, k), -q);
      }
      break;
    }
    case Strategy::kCalendarSpread: {
      if (rng_.per_mille(300)) {  // futures calendar
        const std::size_t near = rng_.index(2);
        const std::size_t far = near + 1 + rng_.index(2 - near);
        const std::int64_t side = rng_.sign();
        add(a, future(s, near), side * q);
        add(a, future(s, far), -side * q);
      } else {  // sell the near option, buy the far one, same strike
        const int right = static_cast<int>(rng_.below(2));
        const std::int64_t k = atm(s) + rng_.between(-1, 1);
        const std::size_t near = rng_.index(3);
        const std::size_t far = near + 1 + rng_.index(3 - near);
        add(a, spot_option(s, near, right, k), -q);
        add(a, spot_option(s, far, right, k), q);
      }
      break;
    }
    case Strategy::kOutrightFutures: {
      const std::size_t fe = rng_.index(3);
      add(a, future(s, fe), rng_.sign() * q);
      break;
    }
    case Strategy::kMixed:
      throw std::logic_error("mixed is not a package");
  }
}

}  // namespace make_book
