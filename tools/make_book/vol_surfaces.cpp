#include "vol_surfaces.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>

#include "calendar.hpp"
#include "portable_math.hpp"
#include "text.hpp"

namespace make_book {

namespace {

constexpr std::size_t kMonthDays = 21;
constexpr double kMonthsPerYear = 12.0;
constexpr double kAnnualise = 252.0 / 21.0;  // a month's summed r^2 to an annual variance
constexpr double kPhiLow = 0.05, kPhiHigh = 0.95;
constexpr double kRhoLow = -0.9, kRhoHigh = -0.1;
constexpr double kMinXiSquared = 0.01 * 0.01;
constexpr double kVolUnits = 10000.0;
constexpr std::int64_t kMinVolBp = 100;  // SPEC §3's vol floor, 0.01

// Realised variance per month (annualised), its sampling noise and the month's log return.
struct Months {
  std::vector<double> variance, noise, log_return;
};

Months monthly(const std::vector<double>& daily_returns) {
  const std::size_t months = daily_returns.size() / kMonthDays;
  const std::size_t first = daily_returns.size() - months * kMonthDays;
  Months m;
  for (std::size_t b = 0; b < months; ++b) {
    double squares = 0.0, fourths = 0.0, sum = 0.0;
    for (std::size_t d = first + b * kMonthDays; d < first + (b + 1) * kMonthDays; ++d) {
      const double r = daily_returns[d];
      const double r2 = r * r;
      const double r4 = r2 * r2;
      squares += r2;
      fourths += r4;
      sum += r;
    }
    m.variance.push_back(kAnnualise * squares);
    const double scaled = kAnnualise * kAnnualise * fourths;
    m.noise.push_back(2.0 * scaled / 3.0);
    m.log_return.push_back(sum);
  }
  return m;
}

// Daily log returns r[1..n-1] of a price series (r[0] left out).
std::vector<double> daily_returns(const std::vector<double>& prices) {
  std::vector<double> r;
  for (std::size_t t = 1; t < prices.size(); ++t)
    r.push_back(portable_log(prices[t] / prices[t - 1]));
  return r;
}

double mean_of(const std::vector<double>& v) {
  double sum = 0.0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

// Month-on-month changes of the variance.
std::vector<double> changes(const std::vector<double>& v) {
  std::vector<double> out;
  for (std::size_t m = 1; m < v.size(); ++m) out.push_back(v[m] - v[m - 1]);
  return out;
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const double ma = mean_of(a), mb = mean_of(b);
  double ab = 0.0, aa = 0.0, bb = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double da = a[i] - ma, db = b[i] - mb;
    const double p = da * db, qa = da * da, qb = db * db;
    ab += p;
    aa += qa;
    bb += qb;
  }
  const double scale = std::sqrt(aa * bb);
  return scale > 0.0 ? ab / scale : 0.0;
}

}  // namespace

SurfaceModel fit_surface_model(const std::vector<std::vector<double>>& prices) {
  if (prices.empty() || prices.front().size() < 3 * kMonthDays + 1)
    throw std::invalid_argument("surfaces need at least three months of prices");
  std::vector<double> market(prices.front().size() - 1, 0.0);
  for (const auto& series : prices) {
    const std::vector<double> r = daily_returns(series);
    for (std::size_t t = 0; t < r.size(); ++t) market[t] += r[t];
  }
  for (double& r : market) r /= static_cast<double>(prices.size());
  const Months m = monthly(market);

  const double mean = mean_of(m.variance);
  double lag0 = 0.0, lag1 = 0.0;
  for (std::size_t b = 0; b < m.variance.size(); ++b) {
    const double d = m.variance[b] - mean;
    const double d2 = d * d;
    lag0 += d2;
    if (b + 1 < m.variance.size()) {
      const double next = m.variance[b + 1] - mean;
      const double p = d * next;
      lag1 += p;
    }
  }
  const double months = static_cast<double>(m.variance.size());
  const double signal = lag0 / months - mean_of(m.noise);
  const double phi = signal > 0.0 ? (lag1 / (months - 1.0)) / signal : kPhiLow;
  SurfaceModel model;
  model.kappa = -portable_log(std::clamp(phi, kPhiLow, kPhiHigh)) * kMonthsPerYear;

  const std::vector<double> returns(m.log_return.begin() + 1, m.log_return.end());
  model.rho = std::clamp(correlation(returns, changes(m.variance)), kRhoLow, kRhoHigh);
  return model;
}

Surface make_surface(const SurfaceModel& model, const std::vector<double>& prices,
                     std::int64_t vol_bp, std::int64_t valuation_date) {
  const Months m = monthly(daily_returns(prices));
  const double theta = mean_of(m.variance);
  double change_squares = 0.0;
  for (double d : changes(m.variance)) {
    const double d2 = d * d;
    change_squares += d2;
  }
  const double excess =
      change_squares / static_cast<double>(m.variance.size() - 1) - 2.0 * mean_of(m.noise);
  const double xi = std::sqrt(std::max(excess / (theta / kMonthsPerYear), kMinXiSquared));
  const double vol_now = static_cast<double>(vol_bp) / kVolUnits;
  const double v0 = vol_now * vol_now;
  const double kappa_prime = model.kappa - model.rho * xi / 2.0;

  Surface surface;
  const std::size_t nodes = std::size(kSurfaceMoneynessPct);
  for (const int days : kSurfaceDays) {
    surface.expiries.push_back(valuation_date + days);
    const double years = days / 365.0;
    const double kt = model.kappa * years;
    const double average = (1.0 - portable_exp(-kt)) / kt;
    const double atm = std::sqrt(theta + (v0 - theta) * average);
    const double x = kappa_prime * years;
    const double f = (1.0 - (1.0 - portable_exp(-x)) / x) / x;
    const double skew = model.rho * xi / (2.0 * atm) * f;
    for (const int pct : kSurfaceMoneynessPct) {
      const double k = portable_log(pct / 100.0);
      const double tilt = skew * k;
      const double vol = std::max(atm + tilt, atm / 2.0);
      surface.vol_bp.push_back(
          std::max(static_cast<std::int64_t>(std::llround(vol * kVolUnits)), kMinVolBp));
    }
  }
  // No calendar arbitrage after rounding: vol^2 * days never falls from one expiry to the next.
  for (std::size_t e = 1; e < std::size(kSurfaceDays); ++e) {
    for (std::size_t j = 0; j < nodes; ++j) {
      const std::int64_t before = surface.vol_bp[(e - 1) * nodes + j];
      std::int64_t& vol = surface.vol_bp[e * nodes + j];
      while (vol * vol * kSurfaceDays[e] < before * before * kSurfaceDays[e - 1]) ++vol;
    }
  }
  return surface;
}

std::string surface_json(const Surface& surface, std::size_t indent) {
  const std::string pad(indent, ' ');
  std::string s = "\"vol_surface\": { \"expiries\": [";
  for (std::size_t e = 0; e < surface.expiries.size(); ++e) {
    s += (e ? ", \"" : "\"") + format_date(surface.expiries[e]) + "\"";
  }
  s += "],\n" + pad + "  \"moneyness\": [";
  bool first = true;
  for (const int pct : kSurfaceMoneynessPct) {
    s += first ? "" : ", ";
    s += fixed_from_scaled(pct, 2);
    first = false;
  }
  s += "],\n" + pad + "  \"vols\": [";
  const std::size_t nodes = std::size(kSurfaceMoneynessPct);
  for (std::size_t e = 0; e < surface.expiries.size(); ++e) {
    s += e ? ",\n" + pad + "           [" : "[";
    for (std::size_t j = 0; j < nodes; ++j) {
      s += j ? ", " : "";
      s += fixed_from_scaled(surface.vol_bp[e * nodes + j], 4);
    }
    s += "]";
  }
  s += "],\n" + pad + "  \"sticky\": \"moneyness\" }";
  return s;
}

}  // namespace make_book
