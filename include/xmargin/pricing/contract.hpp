#pragma once
#include <cstdint>

namespace xm {

// What an instrument pays, in the compact form the pricing kernels read.
enum class Payoff : std::uint8_t { forward = 0, call = 1, put = 2 };
enum class Exercise : std::uint8_t { european = 0, american = 1 };
// What an option is written on: the spot (generalised Black–Scholes, carry
// b = r − q) or the forward to the option's expiry (Black-76, b = 0).
enum class Underlier : std::uint8_t { spot = 0, future = 1 };

struct ContractTerms {
  Payoff payoff = Payoff::forward;
  Exercise exercise = Exercise::european;
  Underlier underlier = Underlier::spot;
  double strike = 0.0;
};

// The market an instrument is valued in (base state or one scenario).
struct MarketState {
  double spot = 0.0;
  double vol_annual = 0.0;
  double years_to_expiry = 0.0;
  double rate = 0.0;            // continuously compounded
  double dividend_yield = 0.0;  // continuously compounded
};

}  // namespace xm
