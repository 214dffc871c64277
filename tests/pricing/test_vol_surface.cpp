// The vol surface interpolation of SPEC §6 (include/xmargin/pricing/vol_surface.hpp): node values,
// hand-computed mid-points, flat extrapolation, and QuantLib's BlackVarianceSurface where the two
// conventions agree. Where they differ, the difference is checked by hand:
//  - across moneyness SPEC §6 is linear in vol; QuantLib is linear in total variance (bilinear in
//    (time, strike) on σ²T). They agree at the nodes and differ between them.
//  - QuantLib reads a surface at a fixed strike; SPEC §6 at the moneyness m = K/F(T), F the
//    forward to the option's expiry. They agree where F = S = 1 (rate = yield), which is how the
//    comparison below is set up, and differ otherwise (test_surface_scenarios.cpp,
//    PackUsesTheForwardMoneyness).
//  - in time both are linear in σ²T between expiries, use the first expiry's vol before it
//    (QuantLib: σ²T linear from 0 at T = 0) and the last's beyond it (QuantLib: σ²T scaled by
//    T / T_last), so there they agree to rounding.
#include <gtest/gtest.h>

#include <ql/math/matrix.hpp>
#include <ql/termstructures/volatility/equityfx/blackvariancesurface.hpp>
#include <ql/time/calendars/nullcalendar.hpp>
#include <ql/time/daycounters/actual365fixed.hpp>

#include <cmath>
#include <memory>
#include <vector>

#include "xmargin/pricing/vol_surface.hpp"

namespace xm {
namespace {

namespace ql = QuantLib;

// SPEC §6's example grid with a third expiry: a put skew that flattens with maturity.
const std::vector<double> kMoneyness{0.8, 0.9, 1.0, 1.1, 1.2};
const std::vector<std::vector<double>> kVols{{0.42, 0.37, 0.33, 0.31, 0.30},
                                             {0.39, 0.35, 0.32, 0.30, 0.29},
                                             {0.36, 0.33, 0.30, 0.29, 0.285}};

// One surface in the flat layout the kernels read.
struct OneSurface {
  std::vector<SurfaceShape> shape;
  std::vector<double> years, moneyness, vols;

  OneSurface(const std::vector<double>& expiry_years, const std::vector<double>& nodes,
             const std::vector<std::vector<double>>& grid)
      : years(expiry_years), moneyness(nodes) {
    for (const auto& row : grid) vols.insert(vols.end(), row.begin(), row.end());
    SurfaceShape s;
    s.expiry_count = static_cast<std::int32_t>(years.size());
    s.node_count = static_cast<std::int32_t>(moneyness.size());
    shape.push_back(s);
  }
  VolSurfacesView view() const {
    return {shape.data(), years.data(), moneyness.data(), vols.data()};
  }
  double operator()(double m, double t) const { return surface_vol(view(), 0, m, t); }
};

const OneSurface kSurface({0.2, 0.5, 1.0}, kMoneyness, kVols);

TEST(VolSurface, ReproducesEveryNodeExactly) {
  const std::vector<double> times{0.2, 0.5, 1.0};
  for (std::size_t i = 0; i < times.size(); ++i) {
    for (std::size_t j = 0; j < kMoneyness.size(); ++j) {
      EXPECT_EQ(kSurface(kMoneyness[j], times[i]), kVols[i][j]) << i << " " << j;
    }
  }
}

TEST(VolSurface, MidPointsMatchHandComputedValues) {
  // Halfway between two moneyness nodes on an expiry: the mean of the two vols.
  EXPECT_NEAR(kSurface(0.85, 0.2), 0.395, 1e-15);
  EXPECT_NEAR(kSurface(1.15, 1.0), 0.2875, 1e-15);
  // A quarter of the way: 0.33 + 0.25 · (0.31 − 0.33).
  EXPECT_NEAR(kSurface(1.025, 0.2), 0.325, 1e-15);
  // Halfway in time at a node: w = (0.33² · 0.2 + 0.32² · 0.5) / 2 = 0.03649, σ = √(w / 0.35).
  EXPECT_NEAR(kSurface(1.0, 0.35), 0.32288874687, 1e-11);
  EXPECT_NEAR(kSurface(1.0, 0.35), std::sqrt(0.03649 / 0.35), 1e-15);
  // Halfway in both: the rows give 0.335 and 0.315 at m = 0.95, then
  // w = (0.335² · 0.5 + 0.315² · 1.0) / 2 = 0.07766875, σ = √(w / 0.75).
  EXPECT_NEAR(kSurface(0.95, 0.75), std::sqrt(0.07766875 / 0.75), 1e-15);
  EXPECT_NEAR(kSurface(0.95, 0.75), 0.32180480626, 1e-11);
}

TEST(VolSurface, IsFlatBeyondTheNodes) {
  // In moneyness: the end nodes' vols.
  EXPECT_EQ(kSurface(0.5, 0.2), 0.42);
  EXPECT_EQ(kSurface(3.0, 0.5), 0.29);
  // In time: the first expiry's vol before it (not its total variance), the last's after.
  EXPECT_EQ(kSurface(0.9, 0.01), 0.37);
  EXPECT_EQ(kSurface(0.9, 5.0), 0.33);
  EXPECT_NEAR(kSurface(0.85, 0.05), 0.395, 1e-15);
  EXPECT_EQ(kSurface(0.1, 9.0), 0.36);
}

TEST(VolSurface, OneNodeAndOneExpiryAreFlat) {
  const OneSurface single({0.5}, {1.0}, {{0.25}});
  for (const double m : {0.5, 1.0, 2.0}) {
    for (const double t : {0.01, 0.5, 3.0}) EXPECT_EQ(single(m, t), 0.25) << m << " " << t;
  }
}

TEST(VolSurface, IsTheSameFunctionForEveryUnderlyingOfAFlatLayout) {
  // Two surfaces side by side: the second reads only its own ranges.
  std::vector<double> vols = kSurface.vols;
  vols.insert(vols.end(), {0.5, 0.6});
  const std::vector<double> years{0.2, 0.5, 1.0, 0.3};
  const std::vector<double> nodes{0.8, 0.9, 1.0, 1.1, 1.2, 0.9, 1.1};
  std::vector<SurfaceShape> shapes(2);
  shapes[0] = kSurface.shape[0];
  shapes[1] = SurfaceShape{3, 1, 5, 2, 15};
  const VolSurfacesView view{shapes.data(), years.data(), nodes.data(), vols.data()};
  EXPECT_EQ(surface_vol(view, 0, 0.9, 0.5), 0.35);
  EXPECT_NEAR(surface_vol(view, 1, 1.0, 0.3), 0.55, 1e-15);
  EXPECT_EQ(surface_vol(view, 1, 1.2, 9.0), 0.6);
}

// QuantLib's surface on the same grid, its "strikes" being our moneyness nodes.
class QuantLibSurface {
 public:
  QuantLibSurface() : reference_(2, ql::January, 2001) {
    const std::vector<ql::Date> dates{reference_ + 73, reference_ + 182, reference_ + 365};
    ql::Matrix matrix(kMoneyness.size(), dates.size());
    for (std::size_t i = 0; i < dates.size(); ++i) {
      for (std::size_t j = 0; j < kMoneyness.size(); ++j) matrix[j][i] = kVols[i][j];
    }
    surface_ = std::make_unique<ql::BlackVarianceSurface>(
        reference_, ql::NullCalendar(), dates, kMoneyness, matrix, ql::Actual365Fixed(),
        ql::BlackVarianceSurface::ConstantExtrapolation,
        ql::BlackVarianceSurface::ConstantExtrapolation);
    for (const ql::Date& date : dates) {
      years_.push_back(static_cast<double>(date - reference_) / 365.0);
    }
  }
  double vol(double years, double moneyness) const {
    return surface_->blackVol(years, moneyness, true);
  }
  OneSurface ours() const { return OneSurface(years_, kMoneyness, kVols); }

 private:
  ql::Date reference_;
  std::unique_ptr<ql::BlackVarianceSurface> surface_;
  std::vector<double> years_;
};

TEST(VolSurfaceVsQuantLib, TotalVarianceInTimeAgreesAtTheMoneynessNodes) {
  const QuantLibSurface quantlib;
  const OneSurface ours = quantlib.ours();
  // Every day from one to two years out: before, between and beyond the expiries.
  for (int day = 1; day <= 730; ++day) {
    const double years = day / 365.0;
    for (const double m : kMoneyness) {
      const double expected = quantlib.vol(years, m);
      EXPECT_NEAR(ours(m, years), expected, 1e-13 * expected) << day << " " << m;
    }
  }
}

TEST(VolSurfaceVsQuantLib, FlatExtrapolationInMoneynessAgrees) {
  const QuantLibSurface quantlib;
  const OneSurface ours = quantlib.ours();
  for (const double years : {0.1, 0.3, 0.75, 1.5}) {
    for (const double m : {0.3, 0.79, 1.21, 4.0}) {
      const double expected = quantlib.vol(years, m);
      EXPECT_NEAR(ours(m, years), expected, 1e-13 * expected) << years << " " << m;
    }
  }
}

TEST(VolSurfaceVsQuantLib, BetweenNodesOursIsLinearInVolQuantLibsInVariance) {
  const QuantLibSurface quantlib;
  const OneSurface ours = quantlib.ours();
  const double t = 73 / 365.0;  // the first expiry
  // Halfway between 0.8 (0.42) and 0.9 (0.37): 0.395 against √((0.42² + 0.37²) / 2).
  EXPECT_NEAR(ours(0.85, t), 0.395, 1e-15);
  EXPECT_NEAR(quantlib.vol(t, 0.85), std::sqrt((0.42 * 0.42 + 0.37 * 0.37) / 2.0), 1e-13);
  EXPECT_GT(quantlib.vol(t, 0.85) - ours(0.85, t), 7e-4);
}

}  // namespace
}  // namespace xm
