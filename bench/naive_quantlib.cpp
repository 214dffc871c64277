#include "naive_quantlib.hpp"

// Narrow QuantLib headers: <ql/quantlib.hpp> pulls in Boost uBLAS, which does not compile as C++20.
#include <ql/exercise.hpp>
#include <ql/instruments/vanillaoption.hpp>
#include <ql/pricingengines/vanilla/analyticeuropeanengine.hpp>
#include <ql/pricingengines/vanilla/baroneadesiwhaleyengine.hpp>
#include <ql/processes/blackscholesprocess.hpp>
#include <ql/quotes/simplequote.hpp>
#include <ql/settings.hpp>
#include <ql/termstructures/volatility/equityfx/blackconstantvol.hpp>
#include <ql/termstructures/yield/flatforward.hpp>
#include <ql/time/calendars/nullcalendar.hpp>
#include <ql/time/daycounters/actual365fixed.hpp>

#include <algorithm>
#include <cmath>

namespace xm::bench {
namespace ql = QuantLib;

namespace {

ql::Date to_ql(Date date) {
  // QuantLib serial 25569 is 1970-01-01.
  return ql::Date(static_cast<ql::Date::serial_type>(25569 + date));
}

std::size_t scenario_column(const ScenarioSet& scenarios, const std::string& id) {
  for (std::size_t u = 0; u < scenarios.underlying_count(); ++u)
    if (scenarios.underlying_ids[u] == id) return u;
  return 0;
}

}  // namespace

double naive_quantlib_pnl(const Book& book, const ScenarioSet& scenarios, std::size_t positions) {
  const ql::Date today = to_ql(book.market.valuation_date);
  ql::Settings::instance().evaluationDate() = today;
  const ql::DayCounter days = ql::Actual365Fixed();
  const std::size_t count = scenarios.count();
  double pnl_sum = 0.0;

  // Positions evenly spread over the book, so that their mix of futures,
  // European and American options is the book's.
  const std::size_t total = book.positions.size();
  const std::size_t taken = std::min(positions, total);
  for (std::size_t k = 0; k < taken; ++k) {
    const Position& position = book.positions[k * total / taken];
    const Instrument& inst = book.instruments[position.instrument];
    const Underlying& underlying = book.market.underlyings[inst.underlying];
    const std::size_t u = scenario_column(scenarios, underlying.id);
    const double size = position.quantity * inst.multiplier;
    const double years = static_cast<double>(inst.expiry - book.market.valuation_date) / 365.0;
    const double carry = std::exp((underlying.rate - underlying.dividend_yield) * years);
    const double base_vol = inst.vol_annual.value_or(underlying.vol_annual);

    if (inst.type == InstrumentType::future) {
      for (std::size_t s = 0; s < count; ++s) {
        pnl_sum += size *
                   (underlying.price * scenarios.price_factor[u * count + s] - underlying.price) *
                   carry;
      }
      continue;
    }
    const bool on_future = inst.terms.underlier == Underlier::future;
    auto spot = ql::ext::make_shared<ql::SimpleQuote>(on_future ? underlying.price * carry
                                                                : underlying.price);
    auto vol = ql::ext::make_shared<ql::SimpleQuote>(base_vol);
    const ql::Handle<ql::YieldTermStructure> rate(
        ql::ext::make_shared<ql::FlatForward>(today, underlying.rate, days));
    const ql::Handle<ql::YieldTermStructure> dividend(ql::ext::make_shared<ql::FlatForward>(
        today, on_future ? underlying.rate : underlying.dividend_yield, days));
    const ql::Handle<ql::BlackVolTermStructure> surface(ql::ext::make_shared<ql::BlackConstantVol>(
        today, ql::NullCalendar(), ql::Handle<ql::Quote>(vol), days));
    auto process = ql::ext::make_shared<ql::BlackScholesMertonProcess>(ql::Handle<ql::Quote>(spot),
                                                                       dividend, rate, surface);
    auto payoff = ql::ext::make_shared<ql::PlainVanillaPayoff>(
        inst.terms.payoff == Payoff::call ? ql::Option::Call : ql::Option::Put, inst.terms.strike);
    const bool american = inst.terms.exercise == Exercise::american;
    ql::ext::shared_ptr<ql::Exercise> exercise;
    if (american) {
      exercise = ql::ext::make_shared<ql::AmericanExercise>(today, to_ql(inst.expiry));
    } else {
      exercise = ql::ext::make_shared<ql::EuropeanExercise>(to_ql(inst.expiry));
    }
    ql::VanillaOption option(payoff, exercise);
    if (american) {
      option.setPricingEngine(
          ql::ext::make_shared<ql::BaroneAdesiWhaleyApproximationEngine>(process));
    } else {
      option.setPricingEngine(ql::ext::make_shared<ql::AnalyticEuropeanEngine>(process));
    }
    const double base = option.NPV();
    const double base_spot = spot->value();
    for (std::size_t s = 0; s < count; ++s) {
      spot->setValue(base_spot * scenarios.price_factor[u * count + s]);
      const double shocked_vol = base_vol + scenarios.vol_shift[u * count + s];
      vol->setValue(scenarios.vol_moves[u] ? std::max(shocked_vol, kMinScenarioVol) : base_vol);
      pnl_sum += size * (option.NPV() - base);
    }
  }
  return pnl_sum;
}

}  // namespace xm::bench
