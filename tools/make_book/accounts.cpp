#include "accounts.hpp"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <stdexcept>

#include "text.hpp"

namespace make_book {

namespace {

constexpr std::uint64_t kBookStream = 2;
constexpr std::uint64_t kSizeStream = 4;

// A crude gross risk (no offsets) in cents, all in integers: a 2-day 99% move of each leg's
// notional (2.33 * sqrt(2/252) = 0.2076 of one vol), options counted at half weight.
std::int64_t gross_risk_cents(const Account& a, const std::vector<Stock>& stocks,
                              const Catalog& cat) {
  std::int64_t risk = 0;
  for (const Leg& leg : a.legs) {
    const Instrument& inst = cat.list[leg.instrument];
    const Stock& st = stocks[inst.stock];
    const std::int64_t notional = std::llabs(leg.quantity) * kMultiplier * st.price_cents;
    const std::int64_t move = notional * st.vol_bp / 10000 * 2076 / 10000;
    risk += inst.future ? move : move / 2;
  }
  return risk;
}

// Most accounts post 0.8x..3x the gross risk; one in ten posts far less.
std::int64_t customer_collateral(const Account& a, const std::vector<Stock>& stocks,
                                 const Catalog& cat, Rng& rng) {
  const std::int64_t gross = gross_risk_cents(a, stocks, cat);
  const std::int64_t factor = rng.per_mille(100) ? rng.between(20, 300) : rng.between(800, 3000);
  return std::max<std::int64_t>(100000, gross * factor / 1000);
}

// A house book offsets most of its gross risk; it posts 0.2x..0.4x of it.
std::int64_t house_collateral(const Account& a, const std::vector<Stock>& stocks,
                              const Catalog& cat, Rng& rng) {
  return gross_risk_cents(a, stocks, cat) * rng.between(200, 400) / 1000;
}

// A deposit, nothing traded yet.
std::int64_t empty_collateral(Rng& rng) {
  return rng.between(5000, 50000) * 100;
}

std::string customer_id(std::size_t i, std::size_t n_accounts) {
  return "ACC" + padded(i + 1, std::max<std::size_t>(4, decimal_width(n_accounts)));
}

std::string house_id(std::size_t h, std::size_t houses) {
  return "HOUSE" + padded(h + 1, std::max<std::size_t>(2, decimal_width(houses)));
}

// Two customers that hold nothing (they must get zero margin).
bool is_empty_customer(std::size_t i, std::size_t customers) {
  return i == customers / 3 || i == 2 * customers / 3;
}

// About 5% of the customer accounts are margined position by position; then cross-margin
// groups of 2..6 of the remaining cross accounts, one group per 150 accounts (at least four).
void assign_modes_and_groups(Book& book, std::size_t customers, std::size_t n_accounts, Rng& rng) {
  std::vector<std::size_t> pool;
  for (std::size_t i = 0; i < customers; ++i) {
    if (!book.accounts[i].legs.empty()) pool.push_back(i);
  }
  for (std::size_t i : draw_distinct(rng, pool, std::max<std::size_t>(1, customers / 20)))
    book.accounts[i].isolated = true;

  const std::size_t n_groups = std::max<std::size_t>(4, n_accounts / 150);
  const std::size_t group_width = std::max<std::size_t>(2, decimal_width(n_groups));
  for (std::size_t g = 0; g < n_groups && pool.size() >= 2; ++g) {
    const std::string name = "GRP" + padded(g + 1, group_width);
    const std::size_t size = 2 + rng.index(5);
    for (std::size_t i : draw_distinct(rng, pool, size)) book.accounts[i].group = name;
    book.groups.push_back(name);
  }
}

// Positions per workload customer, before the sum is made exact: 8% hold 1-4, 88% hold 5-20
// (each size 23% rarer than the one before), 4% hold 21-40. The mean, 8.55, is about what the
// workloads leave per customer once the houses hold their 15%.
std::vector<std::uint64_t> customer_size_weights() {
  std::vector<std::uint64_t> w(kLargestCustomer + 1, 0);  // [size], per 10,000
  for (std::size_t size = 1; size <= 4; ++size) w[size] = 200;
  std::uint64_t band = 2054;
  for (std::size_t size = 5; size <= 20; ++size) {
    w[size] = band;
    band = band * 77 / 100;
  }
  for (std::size_t size = 21; size <= kLargestCustomer; ++size) w[size] = 20;
  return w;
}

std::size_t draw_weighted(Rng& rng, const std::vector<std::uint64_t>& weights) {
  std::uint64_t total = 0;
  for (std::uint64_t w : weights) total += w;
  std::uint64_t u = rng.below(total);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (u < weights[i]) return i;
    u -= weights[i];
  }
  return weights.size() - 1;
}

// House sizes in proportion to weights drawn in 8..12, each at most 90% of the catalogue;
// what the cap cuts goes back to the customers.
std::vector<std::size_t> house_sizes(std::size_t houses, std::size_t total, std::size_t instruments,
                                     Rng& rng) {
  std::vector<std::size_t> weights;
  std::size_t weight_sum = 0;
  for (std::size_t h = 0; h < houses; ++h) {
    weights.push_back(static_cast<std::size_t>(rng.between(8, 12)));
    weight_sum += weights.back();
  }
  std::vector<std::size_t> sizes;
  std::size_t given = 0;
  for (std::size_t h = 0; h < houses; ++h) {
    sizes.push_back(h + 1 < houses ? total * weights[h] / weight_sum : total - given);
    sizes.back() = std::min(sizes.back(), instruments * 9 / 10);
    given += sizes.back();
  }
  return sizes;
}

// Customer sizes summing exactly to `total`: drawn from customer_size_weights, then moved one
// position at a time on random accounts of the 5-20 band, staying inside it.
std::vector<std::size_t> customer_sizes(std::size_t customers, std::size_t total, Rng& rng) {
  const std::vector<std::uint64_t> weights = customer_size_weights();
  std::vector<std::size_t> sizes(customers, 0);
  std::size_t sum = 0;
  for (std::size_t i = 0; i < customers; ++i) {
    if (is_empty_customer(i, customers)) continue;
    sizes[i] = draw_weighted(rng, weights);
    sum += sizes[i];
  }
  const std::size_t limit = 100 * customers + 1000000;
  for (std::size_t tries = 0; sum != total; ++tries) {
    if (tries > limit) throw std::logic_error("workload: cannot spread the customer positions");
    std::size_t& size = sizes[rng.index(customers)];
    if (sum < total && size >= 5 && size < 20) {
      ++size;
      ++sum;
    } else if (sum > total && size > 5 && size <= 20) {
      --size;
      --sum;
    }
  }
  return sizes;
}

// How one kind of book fills its accounts; the rest of the assembly is shared.
struct Fillers {
  std::function<bool(std::size_t)> empty;  // customer i holds nothing
  std::function<void(Account&, std::size_t, Strategy)> customer;
  std::function<void(Account&, std::size_t)> house;
};

// Customers (each with a strategy) then houses, each with its collateral, then the isolated
// accounts and the groups: the draws happen in this order for every kind of book.
Book assemble_book(std::size_t n_accounts, std::size_t houses, const std::vector<Stock>& stocks,
                   const Catalog& cat, Rng& rng, const Fillers& fill) {
  Book book;
  book.houses = houses;
  const std::size_t customers = n_accounts - houses;
  for (std::size_t i = 0; i < customers; ++i) {
    Account a;
    a.id = customer_id(i, n_accounts);
    if (fill.empty(i)) {
      a.strategy = "empty";
      a.collateral_cents = empty_collateral(rng);
    } else {
      const Strategy s = draw_strategy(rng);
      a.strategy = strategy_name(s);
      fill.customer(a, i, s);
      a.collateral_cents = customer_collateral(a, stocks, cat, rng);
    }
    book.accounts.push_back(std::move(a));
  }
  for (std::size_t h = 0; h < houses; ++h) {
    Account a;
    a.id = house_id(h, houses);
    a.strategy = "house";
    a.house = true;
    fill.house(a, h);
    a.collateral_cents = house_collateral(a, stocks, cat, rng);
    book.accounts.push_back(std::move(a));
  }
  assign_modes_and_groups(book, customers, n_accounts, rng);
  return book;
}

}  // namespace

Book make_sample_book(std::size_t n_accounts, const std::vector<Stock>& stocks, const Catalog& cat,
                      std::uint64_t seed) {
  Rng rng(stream_seed(seed, kBookStream));
  BookBuilder builder(stocks, cat, rng);
  const std::size_t houses = std::max<std::size_t>(1, n_accounts / 150);
  const std::size_t customers = n_accounts - houses;
  Book book =
      assemble_book(n_accounts, houses, stocks, cat, rng,
                    {[&](std::size_t i) { return is_empty_customer(i, customers); },
                     [&](Account& a, std::size_t, Strategy s) { builder.fill_customer(a, s); },
                     [&](Account& a, std::size_t) { builder.fill_house(a); }});

  // A handful of positions written as two rows; the second row goes to the end of the file.
  constexpr std::size_t kSplits = 6;
  for (std::size_t tries = 0; book.split_tails.size() < kSplits && tries < 10000; ++tries) {
    const std::size_t i = rng.index(customers);
    Account& a = book.accounts[i];
    if (a.legs.empty()) continue;
    Leg& leg = a.legs[rng.index(a.legs.size())];
    if (std::llabs(leg.quantity) < 2) continue;
    if (std::any_of(book.split_tails.begin(), book.split_tails.end(),
                    [&](const auto& t) { return t.first == i; }))
      continue;
    const std::int64_t sign = leg.quantity > 0 ? 1 : -1;
    const std::int64_t first = sign * rng.between(1, std::llabs(leg.quantity) - 1);
    book.split_tails.push_back({i, {leg.instrument, leg.quantity - first}});
    leg.quantity = first;
  }
  return book;
}

Book make_workload_book(const BookSize& size, const std::vector<Stock>& stocks, const Catalog& cat,
                        std::uint64_t seed) {
  if (size.houses == 0 || size.houses >= size.accounts)
    throw std::logic_error("workload: houses out of range");
  Rng size_rng(stream_seed(seed, kSizeStream));
  const std::size_t customers = size.accounts - size.houses;
  const std::vector<std::size_t> houses = house_sizes(
      size.houses, size.positions * kHousePositionsPercent / 100, cat.list.size(), size_rng);
  std::size_t house_total = 0;
  for (std::size_t n : houses) house_total += n;
  const std::vector<std::size_t> targets =
      customer_sizes(customers, size.positions - house_total, size_rng);

  Rng rng(stream_seed(seed, kBookStream));
  BookBuilder builder(stocks, cat, rng);
  return assemble_book(
      size.accounts, size.houses, stocks, cat, rng,
      {[&](std::size_t i) { return targets[i] == 0; },
       [&](Account& a, std::size_t i, Strategy s) { builder.fill_customer_to(a, s, targets[i]); },
       [&](Account& a, std::size_t h) { builder.fill_house_to(a, houses[h]); }});
}

}  // namespace make_book
