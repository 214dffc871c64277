#pragma once
#include <cstddef>
#include <cstdint>

#include "xmargin/hd.hpp"

namespace xm {

// Tail statistics of one portfolio's scenario losses (loss = −P&L).
struct TailRisk {
  double var = 0.0;
  double es = 0.0;
  double worst_loss = 0.0;
  std::int32_t worst_scenario = 0;
};

// Loss of a P&L written so that it is never −0.0: radix sorts on the device
// order −0.0 before +0.0, a comparison sort on the host does not, and both must
// rank ties the same way.
XM_HD inline double loss_from_pnl(double pnl) {
  return 0.0 - pnl;
}

// The ranking of SPEC §3: larger loss first, ties by lower scenario index.
XM_HD inline bool ranks_before(double loss_a, std::int32_t scenario_a, double loss_b,
                               std::int32_t scenario_b) {
  return loss_a > loss_b || (loss_a == loss_b && scenario_a < scenario_b);
}

// Relative tolerance on the cumulative weight reaching 1 − α (SPEC §3).
inline constexpr double kTailWeightTolerance = 1e-12;

// VaR and ES from losses already ranked by ranks_before. order[i] is the
// scenario of sorted_loss[i]; weight is indexed by scenario.
// k is the first rank whose cumulative weight reaches 1 − α;
// VaR = L(k), ES = [Σ_{i<k} w_i L(i) + (1 − α − Σ_{i<k} w_i) L(k)] / (1 − α).
XM_HD inline TailRisk tail_risk_from_ranked(const double* sorted_loss, const std::int32_t* order,
                                            const double* weight, std::size_t count,
                                            double confidence) {
  TailRisk risk;
  if (count == 0) return risk;
  const double tail = 1.0 - confidence;
  const double reach = tail * (1.0 - kTailWeightTolerance);
  double weight_before = 0.0;
  double weighted_loss_before = 0.0;
  std::size_t k = 0;
  for (; k + 1 < count; ++k) {
    const double w = weight[order[k]];
    if (weight_before + w >= reach) break;
    weight_before += w;
    weighted_loss_before += w * sorted_loss[k];
  }
  risk.var = sorted_loss[k];
  risk.es = (weighted_loss_before + (tail - weight_before) * sorted_loss[k]) / tail;
  risk.worst_loss = sorted_loss[0];
  risk.worst_scenario = order[0];
  return risk;
}

}  // namespace xm
