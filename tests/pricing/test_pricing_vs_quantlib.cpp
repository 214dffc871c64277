// Random-parameter comparison of the pricing formulas against QuantLib 1.29:
// generalised Black–Scholes vs AnalyticEuropeanEngine, Black-76 vs blackFormula,
// and Barone-Adesi–Whaley (on spot and on futures) vs
// BaroneAdesiWhaleyApproximationEngine. Every draw is priced as a call and a put.
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

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "support/uniform.hpp"
#include "xmargin/pricing/barone_adesi_whaley.hpp"
#include "xmargin/pricing/black76.hpp"
#include "xmargin/pricing/black_scholes.hpp"

namespace {

namespace ql = QuantLib;

constexpr int kDraws = 2000;  // parameter sets per formula, each priced as call and put
constexpr std::uint64_t kSeed = 20240115;

// European formulas: agree to 1e-10 relative, BAW to 1e-8 relative, or else to
// an absolute floor for tiny values: 1e-12, raised to 1e-14·(S + K) for large
// S + K. The floor covers QuantLib's own error, not ours: its N(x) cancels in
// (1 + erf)/2 down to x ≈ −5.6 and then switches to an asymptotic series that
// is only good to ~1e-7 relative near the switch (N ≈ 1e-8), so its prices carry
// absolute errors up to ~1e-15·(S + K). Example: the BAW call S = 936.64,
// K = 1388.36, T = 497/365, r = 8.16%, q = 1.35%, σ = 4.60% (d₁ = −5.58) is worth
// 1.0322510748872e-07 here (European part 1.00518683841543e-07, mpmath at 50
// digits 1.00518683841562e-07) and 1.0322383981504e-07 in QuantLib.
constexpr double kEuropeanRelTol = 1e-10;
constexpr double kAmericanRelTol = 1e-8;
double abs_floor(double spot, double strike) {
  const double scaled = 1e-14 * (spot + strike);
  return scaled > 1e-12 ? scaled : 1e-12;
}

// Platform-independent uniforms (support/uniform.hpp) and only arithmetic after
// that (no libm calls), so the parameter sets are the same on every platform.
class Draws {
 public:
  explicit Draws(std::uint64_t seed) : uniform(seed) {}
  xm::test::Uniform uniform;  // [0, 1)
  double between(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // lo..hi with density skewed towards lo (u^power), so small values are well covered.
  double skewed(double lo, double hi, int power) {
    const double u = uniform();
    double x = u;
    for (int i = 1; i < power; ++i) x *= u;
    return lo + (hi - lo) * x;
  }
};

struct Params {
  double spot = 0.0;  // spot, or the futures price F
  double strike = 0.0;
  int days = 0;
  double rate = 0.0;
  double yield = 0.0;  // dividend yield q (unused on futures)
  double vol = 0.0;
  double years() const { return days / 365.0; }  // SPEC §3: calendar days / 365
};

// Broad but realistic for a margin engine: spot 1..1000 (a fifth below 10),
// strike 0.5..1.5 × spot, 1 day to 3 years (8% within a week), r 0..10%,
// q 0..8%, vol 1%..150% (12% below 3%).
Params draw_params(Draws& draws) {
  Params p;
  p.spot = draws.skewed(1.0, 1000.0, 3);
  p.strike = p.spot * draws.between(0.5, 1.5);
  p.days = 1 + static_cast<int>(draws.skewed(0.0, 3.0 * 365.0, 2));  // 1..1095
  p.rate = draws.between(0.0, 0.10);
  p.yield = draws.between(0.0, 0.08);
  p.vol = draws.skewed(0.01, 1.5, 2);
  return p;
}

std::string describe(const char* formula, bool is_call, const Params& p, double ours,
                     double theirs) {
  char text[512];
  std::snprintf(text, sizeof text,
                "%s %s: S=%.17g K=%.17g days=%d (T=%.17g) r=%.17g q=%.17g vol=%.17g\n"
                "  ours=%.17g quantlib=%.17g abs err=%.3g rel err=%.3g",
                formula, is_call ? "call" : "put", p.spot, p.strike, p.days, p.years(), p.rate,
                p.yield, p.vol, ours, theirs, std::fabs(ours - theirs),
                std::fabs(ours - theirs) / std::fabs(theirs));
  return text;
}

// Worst errors seen by one test, printed at its end. The relative error of a
// tiny value says little (QuantLib's own N(x) = (1 + erf(x/√2))/2 loses relative
// accuracy below x ≈ −3, where ours, through erfc, does not; see the mpmath
// references in test_pricing_edge_cases.cpp), so it is also kept over values of
// at least 0.01 only.
struct ErrorStats {
  double max_abs = 0.0;
  double max_rel = 0.0;
  double max_rel_above_cent = 0.0;
  std::string worst_rel_case;  // the draw behind max_rel
  int compared = 0;

  // True when ours agrees with theirs to rel_tol relative or abs_tol absolute.
  bool add(double ours, double theirs, double rel_tol, double abs_tol, const std::string& what) {
    const double abs_err = std::fabs(ours - theirs);
    const double rel_err =
        theirs != 0.0 ? abs_err / std::fabs(theirs) : (abs_err == 0.0 ? 0.0 : 1.0);
    ++compared;
    if (!(abs_err <= max_abs)) max_abs = abs_err;  // NaN sticks
    if (!(rel_err <= max_rel)) {
      max_rel = rel_err;
      worst_rel_case = what;
    }
    if (std::fabs(theirs) >= 0.01 && !(rel_err <= max_rel_above_cent)) {
      max_rel_above_cent = rel_err;
    }
    return rel_err <= rel_tol || abs_err <= abs_tol;
  }
  void print(const char* formula) const {
    std::printf(
        "[ %-28s] %d values: max abs err %.3g; max rel err %.3g over values >= 0.01, "
        "%.3g over all\n[ %-28s] (largest relative error: %s)\n",
        formula, compared, max_abs, max_rel_above_cent, max_rel, "", worst_rel_case.c_str());
  }
};

// QuantLib market for one parameter set: flat r, q and vol, Actual365Fixed, so
// that its year fraction to `today + days` is exactly days / 365.
struct QlMarket {
  ql::Date today{15, ql::January, 2024};
  ql::Date expiry;
  ql::ext::shared_ptr<ql::BlackScholesMertonProcess> process;

  QlMarket(double spot, int days, double rate, double yield, double vol) {
    ql::Settings::instance().evaluationDate() = today;
    expiry = today + days;
    const ql::DayCounter day_counter = ql::Actual365Fixed();
    ql::Handle<ql::Quote> spot_quote(ql::ext::make_shared<ql::SimpleQuote>(spot));
    ql::Handle<ql::YieldTermStructure> rate_curve(
        ql::ext::make_shared<ql::FlatForward>(today, rate, day_counter));
    ql::Handle<ql::YieldTermStructure> yield_curve(
        ql::ext::make_shared<ql::FlatForward>(today, yield, day_counter));
    ql::Handle<ql::BlackVolTermStructure> vol_surface(
        ql::ext::make_shared<ql::BlackConstantVol>(today, ql::NullCalendar(), vol, day_counter));
    process = ql::ext::make_shared<ql::BlackScholesMertonProcess>(spot_quote, yield_curve,
                                                                  rate_curve, vol_surface);
  }
};

ql::Option::Type option_type(bool is_call) {
  return is_call ? ql::Option::Call : ql::Option::Put;
}

double ql_european(bool is_call, const Params& p) {
  QlMarket market(p.spot, p.days, p.rate, p.yield, p.vol);
  ql::VanillaOption option(
      ql::ext::make_shared<ql::PlainVanillaPayoff>(option_type(is_call), p.strike),
      ql::ext::make_shared<ql::EuropeanExercise>(market.expiry));
  option.setPricingEngine(ql::ext::make_shared<ql::AnalyticEuropeanEngine>(market.process));
  return option.NPV();
}

// QuantLib's BAW engine, or nothing where it refuses the parameters: its
// (unguarded) Newton iteration leaves (0, ∞) at low vols and long expiries, and
// it throws "forward + displacement ... must be positive".
std::optional<double> ql_american(bool is_call, const Params& p, double yield) {
  QlMarket market(p.spot, p.days, p.rate, yield, p.vol);
  ql::VanillaOption option(
      ql::ext::make_shared<ql::PlainVanillaPayoff>(option_type(is_call), p.strike),
      ql::ext::make_shared<ql::AmericanExercise>(market.today, market.expiry));
  option.setPricingEngine(
      ql::ext::make_shared<ql::BaroneAdesiWhaleyApproximationEngine>(market.process));
  try {
    return option.NPV();
  } catch (const ql::Error&) {
    return std::nullopt;
  }
}

// An independent American value for the draws QuantLib's BAW refuses: a
// Cox–Ross–Rubinstein tree with 2000 steps.
double ql_tree_american(bool is_call, const Params& p, double yield) {
  QlMarket market(p.spot, p.days, p.rate, yield, p.vol);
  ql::VanillaOption option(
      ql::ext::make_shared<ql::PlainVanillaPayoff>(option_type(is_call), p.strike),
      ql::ext::make_shared<ql::AmericanExercise>(market.today, market.expiry));
  option.setPricingEngine(
      ql::ext::make_shared<ql::BinomialVanillaEngine<ql::CoxRossRubinstein>>(market.process, 2000));
  return option.NPV();
}

// Where QuantLib refuses: our value is finite, within the American bounds, and
// close to the tree (BAW is an approximation: 5% of the value, or 1e-4·K for the
// near-worthless ones; on these low-vol draws it is mostly exactly intrinsic).
void check_against_tree(const char* formula, bool is_call, const Params& p, double yield,
                        double carry, double ours) {
  const double years = p.years();
  const double european =
      xm::black_scholes_generalized(is_call, p.spot, p.strike, years, p.rate, carry, p.vol);
  const double tree = ql_tree_american(is_call, p, yield);
  EXPECT_TRUE(std::isfinite(ours)) << describe(formula, is_call, p, ours, tree);
  EXPECT_GE(ours, european) << describe(formula, is_call, p, ours, tree);
  EXPECT_GE(ours, xm::intrinsic_value(is_call, p.spot, p.strike))
      << describe(formula, is_call, p, ours, tree);
  EXPECT_NEAR(ours, tree, 0.05 * tree + 1e-4 * p.strike)
      << "(vs a CRR tree) " << describe(formula, is_call, p, ours, tree);
}

double ql_black76(bool is_call, const Params& p) {
  const double years = p.years();
  return ql::blackFormula(option_type(is_call), p.strike, p.spot, p.vol * std::sqrt(years),
                          std::exp(-p.rate * years));
}

TEST(PricingVsQuantLib, GeneralisedBlackScholesOnSpot) {
  Draws draws(kSeed);
  ErrorStats stats;
  for (int i = 0; i < kDraws; ++i) {
    const Params p = draw_params(draws);
    for (const bool is_call : {true, false}) {
      const double ours = xm::black_scholes_generalized(is_call, p.spot, p.strike, p.years(),
                                                        p.rate, p.rate - p.yield, p.vol);
      const double theirs = ql_european(is_call, p);
      const std::string what = describe("generalised BS", is_call, p, ours, theirs);
      EXPECT_TRUE(stats.add(ours, theirs, kEuropeanRelTol, abs_floor(p.spot, p.strike), what))
          << what;
    }
  }
  EXPECT_EQ(stats.compared, 2 * kDraws);
  stats.print("generalised BS vs QuantLib");
}

TEST(PricingVsQuantLib, Black76OnFutures) {
  Draws draws(kSeed + 1);
  ErrorStats stats;
  for (int i = 0; i < kDraws; ++i) {
    const Params p = draw_params(draws);  // p.spot is the futures price F
    for (const bool is_call : {true, false}) {
      const double ours = xm::black76(is_call, p.spot, p.strike, p.years(), p.rate, p.vol);
      const double theirs = ql_black76(is_call, p);
      const std::string what = describe("Black-76", is_call, p, ours, theirs);
      EXPECT_TRUE(stats.add(ours, theirs, kEuropeanRelTol, abs_floor(p.spot, p.strike), what))
          << what;
    }
  }
  EXPECT_EQ(stats.compared, 2 * kDraws);
  stats.print("Black-76 vs QuantLib");
}

TEST(PricingVsQuantLib, BaroneAdesiWhaleyOnSpot) {
  Draws draws(kSeed + 2);
  ErrorStats stats;
  int exercised = 0;  // draws in the immediate-exercise region
  int refused = 0;    // draws QuantLib cannot price, checked against a tree
  int max_iterations = 0;
  for (int i = 0; i < kDraws; ++i) {
    const Params p = draw_params(draws);
    const double carry = p.rate - p.yield;
    for (const bool is_call : {true, false}) {
      const double ours =
          xm::barone_adesi_whaley(is_call, p.spot, p.strike, p.years(), p.rate, carry, p.vol);
      const std::optional<double> theirs = ql_american(is_call, p, p.yield);
      if (theirs) {
        const std::string what = describe("BAW on spot", is_call, p, ours, *theirs);
        EXPECT_TRUE(stats.add(ours, *theirs, kAmericanRelTol, abs_floor(p.spot, p.strike), what))
            << what;
      } else {
        ++refused;
        check_against_tree("BAW on spot", is_call, p, p.yield, carry, ours);
      }
      if (ours == xm::intrinsic_value(is_call, p.spot, p.strike) && ours > 0.0) ++exercised;
      const xm::BawCriticalPrice boundary =
          xm::baw_critical_price(is_call, p.strike, p.years(), p.rate, carry, p.vol);
      if (boundary.iterations > max_iterations) max_iterations = boundary.iterations;
    }
  }
  EXPECT_EQ(stats.compared + refused, 2 * kDraws);
  EXPECT_LE(refused, kDraws / 50) << "QuantLib refuses too many draws to compare";
  EXPECT_GT(exercised, 0) << "the draws never reach the exercise region";
  EXPECT_LT(max_iterations, xm::kBawMaxIterations);
  stats.print("BAW on spot vs QuantLib");
  std::printf(
      "[ %-28s] %d at intrinsic, %d refused by QuantLib (checked vs a tree), "
      "at most %d Newton steps\n",
      "", exercised, refused, max_iterations);
}

// American options on futures: carry b = 0, and QuantLib sees a process whose
// spot is F and whose dividend yield equals r.
TEST(PricingVsQuantLib, BaroneAdesiWhaleyOnFutures) {
  Draws draws(kSeed + 3);
  ErrorStats stats;
  int exercised = 0;
  int refused = 0;
  for (int i = 0; i < kDraws; ++i) {
    const Params p = draw_params(draws);  // p.spot is the futures price F
    for (const bool is_call : {true, false}) {
      const double ours =
          xm::barone_adesi_whaley(is_call, p.spot, p.strike, p.years(), p.rate, 0.0, p.vol);
      const std::optional<double> theirs = ql_american(is_call, p, p.rate);
      if (theirs) {
        const std::string what = describe("BAW on futures", is_call, p, ours, *theirs);
        EXPECT_TRUE(stats.add(ours, *theirs, kAmericanRelTol, abs_floor(p.spot, p.strike), what))
            << what;
      } else {
        ++refused;
        check_against_tree("BAW on futures", is_call, p, p.rate, 0.0, ours);
      }
      if (ours == xm::intrinsic_value(is_call, p.spot, p.strike) && ours > 0.0) ++exercised;
    }
  }
  EXPECT_EQ(stats.compared + refused, 2 * kDraws);
  EXPECT_LE(refused, kDraws / 50) << "QuantLib refuses too many draws to compare";
  EXPECT_GT(exercised, 0) << "the draws never reach the exercise region";
  stats.print("BAW on futures vs QuantLib");
  std::printf("[ %-28s] %d at intrinsic, %d refused by QuantLib (checked vs a tree)\n", "",
              exercised, refused);
}

// The critical price itself, against QuantLib's static criticalPrice().
TEST(PricingVsQuantLib, BaroneAdesiWhaleyCriticalPrice) {
  Draws draws(kSeed + 4);
  double max_rel = 0.0;
  int compared = 0;
  int refused = 0;
  for (int i = 0; i < kDraws; ++i) {
    const Params p = draw_params(draws);
    const double years = p.years();
    for (const bool is_call : {true, false}) {
      if (is_call && p.yield <= 0.0) continue;  // no early exercise: no critical price
      const xm::BawCriticalPrice ours =
          xm::baw_critical_price(is_call, p.strike, years, p.rate, p.rate - p.yield, p.vol);
      EXPECT_LT(ours.iterations, xm::kBawMaxIterations);
      EXPECT_TRUE(is_call ? ours.price > p.strike : ours.price > 0.0 && ours.price < p.strike)
          << describe("BAW critical price", is_call, p, ours.price, 0.0);
      double theirs = 0.0;
      try {
        theirs = ql::BaroneAdesiWhaleyApproximationEngine::criticalPrice(
            ql::ext::make_shared<ql::PlainVanillaPayoff>(option_type(is_call), p.strike),
            std::exp(-p.rate * years), std::exp(-p.yield * years), p.vol * p.vol * years);
      } catch (const ql::Error&) {
        ++refused;  // QuantLib's iteration diverged; the bracket check above still holds
        continue;
      }
      ++compared;
      const double rel = std::fabs(ours.price - theirs) / theirs;
      if (!(rel <= max_rel)) max_rel = rel;
      EXPECT_LE(rel, 1e-8) << describe("BAW critical price", is_call, p, ours.price, theirs);
    }
  }
  EXPECT_GT(compared, kDraws);
  EXPECT_LE(refused, kDraws / 50);
  std::printf("[ %-28s] %d compared, max rel err %.3g; %d refused by QuantLib\n",
              "BAW critical price", compared, max_rel, refused);
}

}  // namespace
