// Edge cases of the pricing formulas: deep in/out of the money, expiry close to
// zero, tiny and huge vols, parity, the American bounds and exercise region, the
// cases outside Barone-Adesi–Whaley, and instrument_value() for every contract kind.
#include <gtest/gtest.h>

#include <ql/exercise.hpp>
#include <ql/instruments/vanillaoption.hpp>
#include <ql/methods/lattices/binomialtree.hpp>
#include <ql/pricingengines/blackformula.hpp>
#include <ql/pricingengines/vanilla/analyticeuropeanengine.hpp>
#include <ql/pricingengines/vanilla/baroneadesiwhaleyengine.hpp>
#include <ql/pricingengines/vanilla/binomialengine.hpp>
#include <ql/processes/blackscholesprocess.hpp>
#include <ql/quotes/simplequote.hpp>
#include <ql/settings.hpp>
#include <ql/termstructures/volatility/equityfx/blackconstantvol.hpp>
#include <ql/termstructures/yield/flatforward.hpp>
#include <ql/time/calendars/nullcalendar.hpp>
#include <ql/time/daycounters/actual365fixed.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "support/uniform.hpp"
#include "xmargin/pricing/barone_adesi_whaley.hpp"
#include "xmargin/pricing/black76.hpp"
#include "xmargin/pricing/black_scholes.hpp"
#include "xmargin/pricing/contract.hpp"
#include "xmargin/pricing/instrument_value.hpp"
#include "xmargin/pricing/intrinsic.hpp"
#include "xmargin/pricing/normal.hpp"

namespace {

namespace ql = QuantLib;

// Same tolerances as test_pricing_vs_quantlib.cpp.
constexpr double kEuropeanRelTol = 1e-10;
constexpr double kAmericanRelTol = 1e-8;
constexpr double kAbsTol = 1e-12;

bool agrees(double ours, double theirs, double rel_tol, double abs_tol = kAbsTol) {
  const double abs_err = std::fabs(ours - theirs);
  return abs_err <= abs_tol || abs_err <= rel_tol * std::fabs(theirs);
}

enum class Engine { european, american, binomial_american };

// One QuantLib price: flat r, q and vol, Actual365Fixed, T = days / 365.
double ql_price(Engine engine, bool is_call, double spot, double strike, int days, double rate,
                double yield, double vol) {
  const ql::Date today(15, ql::January, 2024);
  ql::Settings::instance().evaluationDate() = today;
  const ql::DayCounter day_counter = ql::Actual365Fixed();
  auto process = ql::ext::make_shared<ql::BlackScholesMertonProcess>(
      ql::Handle<ql::Quote>(ql::ext::make_shared<ql::SimpleQuote>(spot)),
      ql::Handle<ql::YieldTermStructure>(
          ql::ext::make_shared<ql::FlatForward>(today, yield, day_counter)),
      ql::Handle<ql::YieldTermStructure>(
          ql::ext::make_shared<ql::FlatForward>(today, rate, day_counter)),
      ql::Handle<ql::BlackVolTermStructure>(
          ql::ext::make_shared<ql::BlackConstantVol>(today, ql::NullCalendar(), vol, day_counter)));
  auto payoff = ql::ext::make_shared<ql::PlainVanillaPayoff>(
      is_call ? ql::Option::Call : ql::Option::Put, strike);
  const ql::Date expiry = today + days;
  if (engine == Engine::european) {
    ql::VanillaOption option(payoff, ql::ext::make_shared<ql::EuropeanExercise>(expiry));
    option.setPricingEngine(ql::ext::make_shared<ql::AnalyticEuropeanEngine>(process));
    return option.NPV();
  }
  ql::VanillaOption option(payoff, ql::ext::make_shared<ql::AmericanExercise>(today, expiry));
  if (engine == Engine::american) {
    option.setPricingEngine(
        ql::ext::make_shared<ql::BaroneAdesiWhaleyApproximationEngine>(process));
  } else {
    option.setPricingEngine(
        ql::ext::make_shared<ql::BinomialVanillaEngine<ql::CoxRossRubinstein>>(process, 2000));
  }
  return option.NPV();
}

double years_of(int days) {
  return days / 365.0;
}

// ---------------------------------------------------------------- building blocks

TEST(NormalDistribution, MatchesHighPrecisionValues) {
  // References: mpmath at 40 digits, N(x) = erfc(−x/√2)/2.
  EXPECT_EQ(xm::norm_cdf(0.0), 0.5);
  EXPECT_NEAR(xm::norm_cdf(0.5), 0.69146246127401310364, 2e-16);
  EXPECT_NEAR(xm::norm_cdf(1.96), 0.97500210485177956586, 2e-16);
  EXPECT_NEAR(xm::norm_cdf(-1.96), 0.024997895148220434137, 1e-17);
  EXPECT_NEAR(xm::norm_cdf(5.0), 0.99999971334842812081, 2e-16);
  // The tails keep their relative accuracy (1 + erf would cancel to 0 here).
  EXPECT_NEAR(xm::norm_cdf(-5.5) / 1.8989562465887719384e-8, 1.0, 1e-14);
  EXPECT_NEAR(xm::norm_cdf(-10.0) / 7.619853024160526066e-24, 1.0, 1e-14);
  EXPECT_NEAR(xm::norm_cdf(-37.0) / 5.7255712225245768227e-300, 1.0, 1e-13);
  EXPECT_EQ(xm::norm_cdf(-40.0), 0.0);
  EXPECT_EQ(xm::norm_cdf(40.0), 1.0);
  for (double x = -8.0; x <= 8.0; x += 0.37) {
    EXPECT_NEAR(xm::norm_cdf(x) + xm::norm_cdf(-x), 1.0, 2e-16) << "x=" << x;
  }
  EXPECT_NEAR(xm::norm_pdf(0.0), 0.39894228040143267794, 1e-17);
  EXPECT_NEAR(xm::norm_pdf(1.0), 0.2419707245191433498, 6e-17);
  EXPECT_EQ(xm::norm_pdf(-1.3), xm::norm_pdf(1.3));
}

TEST(IntrinsicValue, CallsAndPuts) {
  EXPECT_EQ(xm::intrinsic_value(true, 110.0, 100.0), 10.0);
  EXPECT_EQ(xm::intrinsic_value(true, 90.0, 100.0), 0.0);
  EXPECT_EQ(xm::intrinsic_value(true, 100.0, 100.0), 0.0);
  EXPECT_EQ(xm::intrinsic_value(false, 90.0, 100.0), 10.0);
  EXPECT_EQ(xm::intrinsic_value(false, 110.0, 100.0), 0.0);
  EXPECT_EQ(xm::intrinsic_value(false, 100.0, 100.0), 0.0);
  EXPECT_EQ(xm::intrinsic_value(true, 42.5, 0.0), 42.5);
  EXPECT_EQ(xm::intrinsic_value(false, 0.0, 17.25), 17.25);
}

// ---------------------------------------------------------------- European formulas

struct ReferenceCase {
  const char* name;
  bool is_call;
  double spot;  // or forward for the Black-76 rows (carry 0)
  double strike;
  double years;
  double rate;
  double carry;
  double vol;
  double value;  // mpmath, 50 digits
};

// Generalised Black–Scholes evaluated with mpmath at 50 digits (tests the tails of
// N directly: QuantLib's own N loses relative accuracy below about −3).
constexpr ReferenceCase kReferenceCases[] = {
    {"deep OTM call", true, 100, 250, 0.25, 0.03, 0.02, 0.2, 6.7573913201576110895e-20},
    {"deep OTM put", false, 100, 40, 0.25, 0.03, 0.02, 0.2, 1.0586019927640676678e-20},
    {"OTM call, d2 ~ -4.5", true, 100, 160, 1.0, 0.05, 0.05, 0.1, 0.000035617937979187934988},
    {"OTM put", false, 100, 70, 0.5, 0.05, 0.03, 0.15, 0.00050091253923090045963},
    {"deep ITM call", true, 100, 20, 1.0, 0.05, 0.03, 0.3, 78.995278891866902964},
    {"deep ITM put", false, 100, 400, 1.0, 0.05, 0.03, 0.3, 282.47193838136148221},
    {"Black-76 deep OTM call", true, 100, 300, 2.0, 0.04, 0, 0.3, 0.10076900045681995918},
    {"Black-76 deep OTM put", false, 100, 30, 2.0, 0.04, 0, 0.3, 0.014097939704303903419},
    {"tiny vol ATM-forward call", true, 100, 100, 1.0, 0.05, 0, 0.0001, 0.0037948563563713826877},
    {"tiny vol ATM-forward put", false, 100, 100, 1.0, 0.05, 0, 0.0001, 0.0037948563563713826877},
    {"tiny vol ITM call", true, 100, 99, 0.5, 0.05, 0.02, 0.0001, 1.9555126695013319535},
    {"huge vol call", true, 100, 100, 3.0, 0.05, 0.03, 5.0, 94.175111730820292954},
    {"huge vol put", false, 100, 100, 3.0, 0.05, 0.03, 5.0, 86.069456014901202724},
    {"one day ATM call", true, 100, 100, 1.0 / 365.0, 0.05, 0.03, 0.2, 0.4217119808961157039},
};

TEST(EuropeanEdge, MatchesHighPrecisionReferences) {
  for (const ReferenceCase& c : kReferenceCases) {
    const double ours =
        xm::black_scholes_generalized(c.is_call, c.spot, c.strike, c.years, c.rate, c.carry, c.vol);
    // 1e-11 relative: the tiny-vol ATM rows subtract two near-equal halves
    // (N(d1) ≈ N(d2) ≈ 0.5), which costs about four digits.
    EXPECT_NEAR(ours / c.value, 1.0, 1e-11) << c.name << ": ours=" << ours;
    if (c.carry == 0.0) {
      EXPECT_EQ(xm::black76(c.is_call, c.spot, c.strike, c.years, c.rate, c.vol), ours) << c.name;
    }
  }
}

// Deep in and out of the money, against QuantLib with the random-test tolerances.
TEST(EuropeanEdge, DeepInAndOutOfTheMoneyAgreeWithQuantLib) {
  const double spot = 100.0;
  int compared = 0;
  for (const double moneyness : {0.05, 0.2, 0.4, 2.5, 5.0, 20.0}) {
    for (const int days : {7, 365, 1095}) {
      for (const double vol : {0.1, 0.4}) {
        for (const bool is_call : {true, false}) {
          const double strike = spot * moneyness, rate = 0.04, yield = 0.015;
          const double years = years_of(days);
          const double ours =
              xm::black_scholes_generalized(is_call, spot, strike, years, rate, rate - yield, vol);
          const double theirs =
              ql_price(Engine::european, is_call, spot, strike, days, rate, yield, vol);
          EXPECT_TRUE(agrees(ours, theirs, kEuropeanRelTol))
              << (is_call ? "call" : "put") << " K=" << strike << " days=" << days << " vol=" << vol
              << " ours=" << ours << " quantlib=" << theirs;
          // Black-76 on the forward with the same discounting.
          const double forward = spot * std::exp((rate - yield) * years);
          const double b76 = xm::black76(is_call, forward, strike, years, rate, vol);
          const double ql_b76 =
              ql::blackFormula(is_call ? ql::Option::Call : ql::Option::Put, strike, forward,
                               vol * std::sqrt(years), std::exp(-rate * years));
          EXPECT_TRUE(agrees(b76, ql_b76, kEuropeanRelTol))
              << "Black-76 " << (is_call ? "call" : "put") << " K=" << strike << " days=" << days
              << " vol=" << vol << " ours=" << b76 << " quantlib=" << ql_b76;
          ++compared;
        }
      }
    }
  }
  EXPECT_EQ(compared, 72);
  // Deep in the money the value is the discounted forward intrinsic, to 1e-12.
  const double itm = xm::black_scholes_generalized(true, 100.0, 5.0, 1.0, 0.04, 0.025, 0.1);
  EXPECT_NEAR(itm, 100.0 * std::exp(-0.015) - 5.0 * std::exp(-0.04), 1e-12);
  EXPECT_LT(xm::black_scholes_generalized(false, 100.0, 5.0, 1.0, 0.04, 0.025, 0.1), 1e-150);
}

TEST(EuropeanEdge, OneDayToExpiryAgreesWithQuantLib) {
  for (const double strike : {80.0, 99.0, 100.0, 101.0, 120.0}) {
    for (const double vol : {0.01, 0.2, 1.5}) {
      for (const bool is_call : {true, false}) {
        const double ours =
            xm::black_scholes_generalized(is_call, 100.0, strike, years_of(1), 0.05, 0.03, vol);
        const double theirs =
            ql_price(Engine::european, is_call, 100.0, strike, 1, 0.05, 0.02, vol);
        EXPECT_TRUE(agrees(ours, theirs, kEuropeanRelTol))
            << (is_call ? "call" : "put") << " K=" << strike << " vol=" << vol << " ours=" << ours
            << " quantlib=" << theirs;
      }
    }
  }
}

TEST(EuropeanEdge, VanishingExpiryTendsToIntrinsic) {
  const double t = 1e-8, r = 0.05, b = 0.03, vol = 0.2;
  // In the money: N(d1) = N(d2) = 1 to double precision, the discounted forward.
  EXPECT_NEAR(xm::black_scholes_generalized(true, 105.0, 100.0, t, r, b, vol), 5.0, 1e-6);
  EXPECT_NEAR(xm::black_scholes_generalized(false, 95.0, 100.0, t, r, b, vol), 5.0, 1e-6);
  EXPECT_NEAR(xm::black76(true, 105.0, 100.0, t, r, vol), 5.0, 1e-6);
  // Out of the money: exactly worthless.
  EXPECT_EQ(xm::black_scholes_generalized(true, 95.0, 100.0, t, r, b, vol), 0.0);
  EXPECT_EQ(xm::black_scholes_generalized(false, 105.0, 100.0, t, r, b, vol), 0.0);
  // At the money: the value tends to S·σ·√(T/2π).
  const double atm = xm::black_scholes_generalized(true, 100.0, 100.0, t, r, b, vol);
  EXPECT_NEAR(atm / (100.0 * vol * std::sqrt(t) * xm::norm_pdf(0.0)), 1.0, 1e-3);
  // T = 0 and T < 0: exactly intrinsic.
  for (const double years : {0.0, -0.5}) {
    EXPECT_EQ(xm::black_scholes_generalized(true, 105.0, 100.0, years, r, b, vol), 5.0);
    EXPECT_EQ(xm::black_scholes_generalized(false, 105.0, 100.0, years, r, b, vol), 0.0);
    EXPECT_EQ(xm::black76(false, 95.0, 100.0, years, r, vol), 5.0);
    EXPECT_EQ(xm::barone_adesi_whaley(false, 95.0, 100.0, years, r, b, vol), 5.0);
    EXPECT_EQ(xm::barone_adesi_whaley(true, 95.0, 100.0, years, r, b, vol), 0.0);
  }
}

TEST(EuropeanEdge, ZeroVolIsDiscountedForwardIntrinsic) {
  // Hand-worked (mpmath): 100·e^{−0.02} − 90·e^{−0.05}, 110·e^{−0.05} − 100·e^{−0.02}.
  EXPECT_NEAR(xm::black_scholes_generalized(true, 100.0, 90.0, 1.0, 0.05, 0.03, 0.0),
              12.409219125611269404, 1e-12);
  EXPECT_NEAR(xm::black_scholes_generalized(false, 100.0, 110.0, 1.0, 0.05, 0.03, 0.0),
              6.615369364403010778, 1e-12);
  EXPECT_EQ(xm::black_scholes_generalized(true, 100.0, 110.0, 1.0, 0.05, 0.03, 0.0), 0.0);
  EXPECT_EQ(xm::black76(false, 100.0, 90.0, 1.0, 0.05, 0.0), 0.0);
  // A vol so small that σ√T underflows behaves the same way.
  EXPECT_NEAR(xm::black_scholes_generalized(true, 100.0, 90.0, 1.0, 0.05, 0.03, 1e-320),
              12.409219125611269404, 1e-12);
  // A NaN input is not hidden.
  EXPECT_TRUE(std::isnan(xm::black_scholes_generalized(true, 100.0, 90.0, 1.0, 0.05, 0.03, NAN)));
}

TEST(EuropeanEdge, TinyAndHugeVolsAgreeWithQuantLib) {
  for (const double vol : {1e-4, 5.0}) {
    for (const double strike : {50.0, 95.0, 100.0, 105.0, 200.0}) {
      for (const int days : {1, 30, 365, 1095}) {
        for (const bool is_call : {true, false}) {
          const double ours = xm::black_scholes_generalized(is_call, 100.0, strike, years_of(days),
                                                            0.03, 0.03 - 0.01, vol);
          const double theirs =
              ql_price(Engine::european, is_call, 100.0, strike, days, 0.03, 0.01, vol);
          EXPECT_TRUE(agrees(ours, theirs, kEuropeanRelTol))
              << (is_call ? "call" : "put") << " K=" << strike << " days=" << days << " vol=" << vol
              << " ours=" << ours << " quantlib=" << theirs;
        }
      }
    }
  }
  // With σ√T large the call tends to S·e^{(b−r)T} and the put to K·e^{−rT}.
  const double call = xm::black_scholes_generalized(true, 100.0, 100.0, 3.0, 0.05, 0.02, 5.0);
  const double put = xm::black_scholes_generalized(false, 100.0, 100.0, 3.0, 0.05, 0.02, 5.0);
  EXPECT_LT(call, 100.0 * std::exp(-0.09));
  EXPECT_GT(call, 0.999 * 100.0 * std::exp(-0.09));
  EXPECT_LT(put, 100.0 * std::exp(-0.15));
  EXPECT_GT(put, 0.999 * 100.0 * std::exp(-0.15));
}

TEST(EuropeanEdge, PutCallParity) {
  xm::test::Uniform uniform(7);
  double worst = 0.0;
  for (int i = 0; i < 2000; ++i) {
    const double spot = std::exp(std::log(1000.0) * uniform());
    const double strike = spot * (0.2 + 4.8 * uniform());
    const double years = std::exp(std::log(1e-4) + std::log(5.0 / 1e-4) * uniform());
    const double rate = -0.02 + 0.14 * uniform();
    const double carry = rate - (-0.02 + 0.12 * uniform());
    const double vol = std::exp(std::log(1e-4) + std::log(5.0 / 1e-4) * uniform());
    const double call = xm::black_scholes_generalized(true, spot, strike, years, rate, carry, vol);
    const double put = xm::black_scholes_generalized(false, spot, strike, years, rate, carry, vol);
    const double discounted_spot = spot * std::exp((carry - rate) * years);
    const double discounted_strike = strike * std::exp(-rate * years);
    const double scale = discounted_spot + discounted_strike;
    const double error = std::fabs((call - put) - (discounted_spot - discounted_strike)) / scale;
    worst = std::max(worst, error);
    ASSERT_LE(error, 1e-12) << "S=" << spot << " K=" << strike << " T=" << years << " r=" << rate
                            << " b=" << carry << " vol=" << vol;
    const double b76_error = std::fabs((xm::black76(true, spot, strike, years, rate, vol) -
                                        xm::black76(false, spot, strike, years, rate, vol)) -
                                       (spot - strike) * std::exp(-rate * years)) /
                             ((spot + strike) * std::exp(-rate * years));
    ASSERT_LE(b76_error, 1e-12) << "F=" << spot << " K=" << strike << " T=" << years;
  }
  std::printf("[ put-call parity             ] worst error / (S' + K') %.3g\n", worst);
}

// ---------------------------------------------------------------- American (BAW)

TEST(AmericanEdge, PublishedBaroneAdesiWhaleyValues) {
  // Haug, "Option Pricing Formulas" (1998) p. 24, BAW values for commodity
  // options (b = 0: q = r); K = 100, T and the values as printed (4 decimals, so
  // the tolerance of QuantLib's own test, 3e-3). The last row has r = 0.
  struct Row {
    bool is_call;
    double spot, q, r, t, vol, value;
  };
  const Row rows[] = {
      {true, 90, 0.10, 0.10, 0.10, 0.15, 0.0206},   {true, 100, 0.10, 0.10, 0.10, 0.15, 1.8771},
      {true, 110, 0.10, 0.10, 0.10, 0.15, 10.0089}, {true, 90, 0.10, 0.10, 0.10, 0.25, 0.3159},
      {true, 100, 0.10, 0.10, 0.10, 0.25, 3.1280},  {true, 110, 0.10, 0.10, 0.10, 0.25, 10.3919},
      {true, 90, 0.10, 0.10, 0.10, 0.35, 0.9495},   {true, 100, 0.10, 0.10, 0.10, 0.35, 4.3777},
      {true, 110, 0.10, 0.10, 0.10, 0.35, 11.1679}, {true, 90, 0.10, 0.10, 0.50, 0.15, 0.8208},
      {true, 100, 0.10, 0.10, 0.50, 0.15, 4.0842},  {true, 110, 0.10, 0.10, 0.50, 0.15, 10.8087},
      {true, 90, 0.10, 0.10, 0.50, 0.25, 2.7437},   {true, 100, 0.10, 0.10, 0.50, 0.25, 6.8015},
      {true, 110, 0.10, 0.10, 0.50, 0.25, 13.0170}, {true, 90, 0.10, 0.10, 0.50, 0.35, 5.0063},
      {true, 100, 0.10, 0.10, 0.50, 0.35, 9.5106},  {true, 110, 0.10, 0.10, 0.50, 0.35, 15.5689},
      {false, 90, 0.10, 0.10, 0.10, 0.15, 10.0000}, {false, 100, 0.10, 0.10, 0.10, 0.15, 1.8770},
      {false, 110, 0.10, 0.10, 0.10, 0.15, 0.0410}, {false, 90, 0.10, 0.10, 0.10, 0.25, 10.2533},
      {false, 100, 0.10, 0.10, 0.10, 0.25, 3.1277}, {false, 110, 0.10, 0.10, 0.10, 0.25, 0.4562},
      {false, 90, 0.10, 0.10, 0.10, 0.35, 10.8787}, {false, 100, 0.10, 0.10, 0.10, 0.35, 4.3777},
      {false, 110, 0.10, 0.10, 0.10, 0.35, 1.2402}, {false, 90, 0.10, 0.10, 0.50, 0.15, 10.5595},
      {false, 100, 0.10, 0.10, 0.50, 0.15, 4.0842}, {false, 110, 0.10, 0.10, 0.50, 0.15, 1.0822},
      {false, 90, 0.10, 0.10, 0.50, 0.25, 12.4419}, {false, 100, 0.10, 0.10, 0.50, 0.25, 6.8014},
      {false, 110, 0.10, 0.10, 0.50, 0.25, 3.3226}, {false, 90, 0.10, 0.10, 0.50, 0.35, 14.6945},
      {false, 100, 0.10, 0.10, 0.50, 0.35, 9.5104}, {false, 110, 0.10, 0.10, 0.50, 0.35, 5.8823},
      {false, 100, 0.00, 0.00, 0.50, 0.15, 4.2294},
  };
  for (const Row& row : rows) {
    const double ours =
        xm::barone_adesi_whaley(row.is_call, row.spot, 100.0, row.t, row.r, row.r - row.q, row.vol);
    EXPECT_NEAR(ours, row.value, 3e-3) << (row.is_call ? "call" : "put") << " S=" << row.spot
                                       << " T=" << row.t << " vol=" << row.vol;
  }
}

TEST(AmericanEdge, DeepInAndOutOfTheMoneyAgreeWithQuantLib) {
  int compared = 0;
  for (const double moneyness : {0.05, 0.2, 0.4, 2.5, 5.0, 20.0}) {
    for (const int days : {7, 365, 1095}) {
      for (const double vol : {0.1, 0.4}) {
        for (const bool is_call : {true, false}) {
          const double strike = 100.0 * moneyness, rate = 0.06, yield = 0.03;
          const double ours = xm::barone_adesi_whaley(is_call, 100.0, strike, years_of(days), rate,
                                                      rate - yield, vol);
          const double theirs =
              ql_price(Engine::american, is_call, 100.0, strike, days, rate, yield, vol);
          EXPECT_TRUE(agrees(ours, theirs, kAmericanRelTol))
              << (is_call ? "call" : "put") << " K=" << strike << " days=" << days << " vol=" << vol
              << " ours=" << ours << " quantlib=" << theirs;
          ++compared;
        }
      }
    }
  }
  EXPECT_EQ(compared, 72);
}

TEST(AmericanEdge, ShortExpiriesAndExtremeVolsAgreeWithQuantLib) {
  for (const double vol : {0.03, 0.2, 1.5, 5.0}) {
    for (const double strike : {80.0, 99.0, 100.0, 101.0, 120.0}) {
      for (const int days : {1, 2, 10}) {
        for (const bool is_call : {true, false}) {
          const double ours = xm::barone_adesi_whaley(is_call, 100.0, strike, years_of(days), 0.05,
                                                      0.05 - 0.08, vol);
          const double theirs =
              ql_price(Engine::american, is_call, 100.0, strike, days, 0.05, 0.08, vol);
          EXPECT_TRUE(agrees(ours, theirs, kAmericanRelTol))
              << (is_call ? "call" : "put") << " K=" << strike << " days=" << days << " vol=" << vol
              << " ours=" << ours << " quantlib=" << theirs;
        }
      }
    }
  }
}

TEST(AmericanEdge, NeverBelowEuropeanOrIntrinsic) {
  xm::test::Uniform uniform(11);
  int with_premium = 0;
  for (int i = 0; i < 4000; ++i) {
    const bool is_call = i % 2 == 0;
    const double spot = std::exp(std::log(1000.0) * uniform());
    const double strike = spot * (0.3 + 1.4 * uniform());
    const double years = std::exp(std::log(1e-6) + std::log(3.0 / 1e-6) * uniform());
    const double rate = -0.02 + 0.14 * uniform();
    const double carry = rate - (-0.02 + 0.12 * uniform());
    const double vol = std::exp(std::log(1e-6) + std::log(5.0 / 1e-6) * uniform());
    const double american = xm::barone_adesi_whaley(is_call, spot, strike, years, rate, carry, vol);
    const double european =
        xm::black_scholes_generalized(is_call, spot, strike, years, rate, carry, vol);
    const double intrinsic = xm::intrinsic_value(is_call, spot, strike);
    ASSERT_TRUE(std::isfinite(american));
    ASSERT_GE(american, european) << "S=" << spot << " K=" << strike << " T=" << years
                                  << " r=" << rate << " b=" << carry << " vol=" << vol;
    ASSERT_GE(american, intrinsic) << "S=" << spot << " K=" << strike << " T=" << years
                                   << " r=" << rate << " b=" << carry << " vol=" << vol;
    if (american > european * (1.0 + 1e-9) && american > intrinsic) ++with_premium;
  }
  EXPECT_GT(with_premium, 500) << "early-exercise premium is rarely positive";
  // A put with r > 0 carries a strictly positive early-exercise premium at the money.
  EXPECT_GT(xm::barone_adesi_whaley(false, 100.0, 100.0, 1.0, 0.05, 0.05, 0.2),
            xm::black_scholes_generalized(false, 100.0, 100.0, 1.0, 0.05, 0.05, 0.2) + 0.1);
}

TEST(AmericanEdge, CallWithCarryAtLeastRateIsEuropean) {
  for (const double yield : {0.0, -0.02}) {
    for (const double strike : {50.0, 100.0, 150.0}) {
      const double r = 0.05, b = r - yield;
      EXPECT_EQ(xm::barone_adesi_whaley(true, 100.0, strike, 0.75, r, b, 0.3),
                xm::black_scholes_generalized(true, 100.0, strike, 0.75, r, b, 0.3));
      EXPECT_TRUE(agrees(xm::barone_adesi_whaley(true, 100.0, strike, years_of(274), r, b, 0.3),
                         ql_price(Engine::american, true, 100.0, strike, 274, r, yield, 0.3),
                         kAmericanRelTol));
    }
  }
  // On a future with r = 0 (b = 0 = r) too.
  EXPECT_EQ(xm::barone_adesi_whaley(true, 100.0, 90.0, 1.0, 0.0, 0.0, 0.25),
            xm::black76(true, 100.0, 90.0, 1.0, 0.0, 0.25));
  // But with r > 0 an American call on a future is worth more than the European.
  EXPECT_GT(xm::barone_adesi_whaley(true, 100.0, 90.0, 1.0, 0.08, 0.0, 0.25),
            xm::black76(true, 100.0, 90.0, 1.0, 0.08, 0.25) + 1e-3);
}

TEST(AmericanEdge, ExerciseRegionGivesIntrinsic) {
  struct Case {
    bool is_call;
    double spot, strike, rate, carry, vol;
  };
  const Case cases[] = {
      {false, 50.0, 100.0, 0.08, 0.08, 0.2},   // deep ITM put, no dividend
      {true, 200.0, 100.0, 0.01, -0.07, 0.2},  // deep ITM call, q = 8%
      {true, 150.0, 100.0, 0.08, 0.0, 0.2},    // deep ITM call on a future
      {false, 60.0, 100.0, 0.08, 0.0, 0.2},    // deep ITM put on a future
  };
  for (const Case& c : cases) {
    const double years = years_of(365);
    const xm::BawCriticalPrice boundary =
        xm::baw_critical_price(c.is_call, c.strike, years, c.rate, c.carry, c.vol);
    EXPECT_TRUE(c.is_call ? c.spot > boundary.price : c.spot < boundary.price)
        << "S=" << c.spot << " S*=" << boundary.price;
    EXPECT_TRUE(c.is_call ? boundary.price > c.strike : boundary.price < c.strike);
    const double ours =
        xm::barone_adesi_whaley(c.is_call, c.spot, c.strike, years, c.rate, c.carry, c.vol);
    EXPECT_EQ(ours, xm::intrinsic_value(c.is_call, c.spot, c.strike));
    const double theirs = ql_price(Engine::american, c.is_call, c.spot, c.strike, 365, c.rate,
                                   c.rate - c.carry, c.vol);
    EXPECT_TRUE(agrees(ours, theirs, kAmericanRelTol)) << "ours=" << ours << " ql=" << theirs;

    // Value matching at S*: just inside the continuation region the value is
    // the intrinsic value to within the Newton tolerance; further in, it is above.
    const double inside = boundary.price * (c.is_call ? 1.0 - 1e-7 : 1.0 + 1e-7);
    const double v_inside =
        xm::barone_adesi_whaley(c.is_call, inside, c.strike, years, c.rate, c.carry, c.vol);
    EXPECT_NEAR(v_inside, xm::intrinsic_value(c.is_call, inside, c.strike), 2e-6 * c.strike);
    const double further = boundary.price * (c.is_call ? 0.9 : 1.1);
    EXPECT_GT(xm::barone_adesi_whaley(c.is_call, further, c.strike, years, c.rate, c.carry, c.vol),
              xm::intrinsic_value(c.is_call, further, c.strike));
  }
}

// Low vols and long expiries where the published Newton iteration leaves (0, ∞)
// (QuantLib 1.29 throws "forward + displacement ... must be positive" on these):
// our safeguarded iteration still converges, and agrees with a CRR binomial tree.
TEST(AmericanEdge, LowVolWhereThePublishedIterationDivergesMatchesATree) {
  struct Case {
    bool is_call;
    double spot, strike;
    int days;
    double rate, yield, vol;
  };
  const Case cases[] = {
      {true, 156.46214055007999, 114.71709964589036, 572, 0.016953738650008598,
       0.071006341619687149, 0.017949366890505518},
      {true, 41.938642582745686, 40.404011436321738, 718, 0.0072713350159638096,
       0.075111049229508467, 0.011434395036864829},
      {true, 22.460005711487543, 22.962993811008079, 262, 0.0045903744342476131,
       0.075335226700127308, 0.015791045977371857},
      {false, 29.494468154834262, 31.224301178357475, 558, 0.075925356327654431,
       0.013097827748454235, 0.012519479853198052},
      {false, 494.17799731167719, 456.95855291229412, 1059, 0.088510638875367448,
       0.020057909501238837, 0.015908021081618151},
  };
  for (const Case& c : cases) {
    const double years = years_of(c.days), carry = c.rate - c.yield;
    const xm::BawCriticalPrice boundary =
        xm::baw_critical_price(c.is_call, c.strike, years, c.rate, carry, c.vol);
    EXPECT_LT(boundary.iterations, xm::kBawMaxIterations);
    EXPECT_TRUE(c.is_call ? boundary.price > c.strike
                          : boundary.price > 0.0 && boundary.price < c.strike)
        << "S*=" << boundary.price;
    const double ours =
        xm::barone_adesi_whaley(c.is_call, c.spot, c.strike, years, c.rate, carry, c.vol);
    const double tree = ql_price(Engine::binomial_american, c.is_call, c.spot, c.strike, c.days,
                                 c.rate, c.yield, c.vol);
    EXPECT_NEAR(ours, tree, 1e-6 * c.strike)
        << (c.is_call ? "call" : "put") << " S=" << c.spot << " K=" << c.strike;
  }
}

TEST(AmericanEdge, VanishingVolIsTheDeterministicBound) {
  for (const bool is_call : {true, false}) {
    for (const double strike : {80.0, 100.0, 120.0}) {
      const double r = 0.05, b = 0.05 - 0.03;
      const double expected =
          std::max(xm::black_scholes_generalized(is_call, 100.0, strike, 1.0, r, b, 0.0),
                   xm::intrinsic_value(is_call, 100.0, strike));
      EXPECT_EQ(xm::barone_adesi_whaley(is_call, 100.0, strike, 1.0, r, b, 0.0), expected);
      EXPECT_NEAR(xm::barone_adesi_whaley(is_call, 100.0, strike, 1.0, r, b, 1e-14), expected,
                  1e-12);
      // Continuous into the BAW range.
      EXPECT_NEAR(xm::barone_adesi_whaley(is_call, 100.0, strike, 1.0, r, b, 1e-6), expected, 1e-3);
    }
  }
}

// Negative rates lie outside BAW; the documented behaviour, checked against a
// CRR binomial tree (which handles them).
TEST(AmericanEdge, NegativeRates) {
  const int days = 365;
  const double years = years_of(days);
  // Put with r < 0 ≤ q: never exercised early, the European value.
  EXPECT_EQ(xm::barone_adesi_whaley(false, 90.0, 100.0, years, -0.01, -0.01 - 0.02, 0.25),
            xm::black_scholes_generalized(false, 90.0, 100.0, years, -0.01, -0.03, 0.25));
  EXPECT_NEAR(xm::barone_adesi_whaley(false, 90.0, 100.0, years, -0.01, -0.03, 0.25),
              ql_price(Engine::binomial_american, false, 90.0, 100.0, days, -0.01, 0.02, 0.25),
              5e-3);
  // Call with r < 0 < q: the symmetric BAW put C(S, K; r, q) = P(K, S; q, r). The
  // tree is exact up to its discretisation; BAW itself is an approximation whose
  // error for such out-of-the-money one-year puts is a few percent even at r > 0
  // (P(100, 80; r = 6%, q = 0, σ = 25%): BAW 1.518, tree 1.468), hence 5%.
  for (const double spot : {80.0, 100.0, 130.0}) {
    const double r = -0.01, q = 0.04, vol = 0.25;
    const double ours = xm::barone_adesi_whaley(true, spot, 100.0, years, r, r - q, vol);
    EXPECT_EQ(ours, xm::barone_adesi_whaley(false, 100.0, spot, years, q, q - r, vol));
    EXPECT_GT(ours, xm::black_scholes_generalized(true, spot, 100.0, years, r, r - q, vol));
    const double tree = ql_price(Engine::binomial_american, true, spot, 100.0, days, r, q, vol);
    EXPECT_NEAR(ours, tree, 0.05 * tree) << "S=" << spot;
  }
  // r < 0 and q ≤ 0 (call) or q < 0 (put): max(European, intrinsic), a lower bound
  // of the American value. These deep in-the-money cases have European < intrinsic.
  struct Case {
    bool is_call;
    double spot, rate, yield;
  };
  for (const Case c : {Case{true, 200.0, -0.05, 0.0}, Case{false, 40.0, -0.02, -0.08}}) {
    const double vol = 0.1;
    const double european = xm::black_scholes_generalized(c.is_call, c.spot, 100.0, years, c.rate,
                                                          c.rate - c.yield, vol);
    const double intrinsic = xm::intrinsic_value(c.is_call, c.spot, 100.0);
    ASSERT_LT(european, intrinsic);
    const double ours =
        xm::barone_adesi_whaley(c.is_call, c.spot, 100.0, years, c.rate, c.rate - c.yield, vol);
    EXPECT_EQ(ours, intrinsic);
    const double tree =
        ql_price(Engine::binomial_american, c.is_call, c.spot, 100.0, days, c.rate, c.yield, vol);
    EXPECT_LE(ours, tree + 1e-9);
    EXPECT_NEAR(ours, tree, 1e-3 * tree);  // deep in the money: early exercise is optimal
  }
  // Nearer the money the same rule gives the European value, still below the tree.
  const double near = xm::barone_adesi_whaley(true, 100.0, 100.0, years, -0.02, -0.015, 0.2);
  EXPECT_EQ(near, xm::black_scholes_generalized(true, 100.0, 100.0, years, -0.02, -0.015, 0.2));
  EXPECT_LE(
      near,
      ql_price(Engine::binomial_american, true, 100.0, 100.0, days, -0.02, -0.005, 0.2) + 1e-3);
}

// ---------------------------------------------------------------- instrument_value

xm::MarketState market(double spot, double vol, double years, double rate, double yield) {
  xm::MarketState m;
  m.spot = spot;
  m.vol_annual = vol;
  m.years_to_expiry = years;
  m.rate = rate;
  m.dividend_yield = yield;
  return m;
}

xm::ContractTerms terms(xm::Payoff payoff, xm::Exercise exercise, xm::Underlier underlier,
                        double strike) {
  xm::ContractTerms t;
  t.payoff = payoff;
  t.exercise = exercise;
  t.underlier = underlier;
  t.strike = strike;
  return t;
}

TEST(InstrumentValue, FutureIsTheUndiscountedForward) {
  const xm::ContractTerms future =
      terms(xm::Payoff::forward, xm::Exercise::european, xm::Underlier::spot, 0.0);
  // Hand-worked (mpmath): 100·e^{(0.05 − 0.02)·0.5}.
  EXPECT_NEAR(xm::instrument_value(future, market(100.0, 0.2, 0.5, 0.05, 0.02)),
              101.51130646157189793, 1e-12);
  EXPECT_EQ(xm::instrument_value(future, market(100.0, 0.2, 0.0, 0.05, 0.02)), 100.0);
  EXPECT_EQ(xm::instrument_value(future, market(100.0, 0.2, -0.1, 0.05, 0.02)), 100.0);
  // No dependence on vol or strike.
  EXPECT_EQ(xm::instrument_value(future, market(100.0, 0.9, 0.5, 0.05, 0.02)),
            xm::instrument_value(
                terms(xm::Payoff::forward, xm::Exercise::american, xm::Underlier::future, 77.0),
                market(100.0, 0.1, 0.5, 0.05, 0.02)));
}

TEST(InstrumentValue, OptionsDispatchToTheirFormulas) {
  const double s = 100.0, k = 95.0, vol = 0.3, t = years_of(200), r = 0.04, q = 0.025;
  const xm::MarketState m = market(s, vol, t, r, q);
  const double forward = s * std::exp((r - q) * t);
  for (const bool is_call : {true, false}) {
    const xm::Payoff payoff = is_call ? xm::Payoff::call : xm::Payoff::put;
    const double eu_spot =
        xm::instrument_value(terms(payoff, xm::Exercise::european, xm::Underlier::spot, k), m);
    const double eu_future =
        xm::instrument_value(terms(payoff, xm::Exercise::european, xm::Underlier::future, k), m);
    const double am_spot =
        xm::instrument_value(terms(payoff, xm::Exercise::american, xm::Underlier::spot, k), m);
    const double am_future =
        xm::instrument_value(terms(payoff, xm::Exercise::american, xm::Underlier::future, k), m);

    EXPECT_EQ(eu_spot, xm::black_scholes_generalized(is_call, s, k, t, r, r - q, vol));
    EXPECT_EQ(eu_future, xm::black76(is_call, forward, k, t, r, vol));
    EXPECT_EQ(am_spot, xm::barone_adesi_whaley(is_call, s, k, t, r, r - q, vol));
    EXPECT_EQ(am_future, xm::barone_adesi_whaley(is_call, forward, k, t, r, 0.0, vol));

    // A European option on a future expiring with the option is the same claim
    // as one on the spot.
    EXPECT_NEAR(eu_future, eu_spot, 1e-12 * s);
    // Against QuantLib.
    EXPECT_TRUE(agrees(eu_spot, ql_price(Engine::european, is_call, s, k, 200, r, q, vol),
                       kEuropeanRelTol));
    EXPECT_TRUE(agrees(am_spot, ql_price(Engine::american, is_call, s, k, 200, r, q, vol),
                       kAmericanRelTol));
    EXPECT_TRUE(agrees(am_future, ql_price(Engine::american, is_call, forward, k, 200, r, r, vol),
                       kAmericanRelTol));
    // Early exercise is worth something here (the call has q > 0; a future has b = 0 < r).
    EXPECT_GT(am_spot, eu_spot);
    EXPECT_GT(am_future, eu_future);
  }
}

TEST(InstrumentValue, ExpiredOptionsAreWorthIntrinsic) {
  for (const double years : {0.0, -0.25}) {
    const xm::MarketState m = market(100.0, 0.3, years, 0.05, 0.02);
    for (const xm::Exercise exercise : {xm::Exercise::european, xm::Exercise::american}) {
      for (const xm::Underlier underlier : {xm::Underlier::spot, xm::Underlier::future}) {
        EXPECT_EQ(xm::instrument_value(terms(xm::Payoff::call, exercise, underlier, 90.0), m),
                  10.0);
        EXPECT_EQ(xm::instrument_value(terms(xm::Payoff::put, exercise, underlier, 90.0), m), 0.0);
        EXPECT_EQ(xm::instrument_value(terms(xm::Payoff::put, exercise, underlier, 112.5), m),
                  12.5);
        EXPECT_EQ(xm::instrument_value(terms(xm::Payoff::call, exercise, underlier, 112.5), m),
                  0.0);
      }
    }
  }
}

TEST(InstrumentValue, HandWorkedEuropeanValue) {
  // Hull's textbook example: S = 42, K = 40, r = 10%, T = 0.5, σ = 20%, no
  // dividend: c = 4.76, p = 0.81 (to the cent, as printed).
  const xm::MarketState m = market(42.0, 0.2, 0.5, 0.10, 0.0);
  EXPECT_NEAR(xm::instrument_value(
                  terms(xm::Payoff::call, xm::Exercise::european, xm::Underlier::spot, 40.0), m),
              4.76, 5e-3);
  EXPECT_NEAR(xm::instrument_value(
                  terms(xm::Payoff::put, xm::Exercise::european, xm::Underlier::spot, 40.0), m),
              0.81, 5e-3);
}

}  // namespace
