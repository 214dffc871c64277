// The cost of the Monte Carlo factor model at the sizes its limit allows
// (kMaxMonteCarloFactors, include/xmargin/config.hpp): the sample covariance
// and its Cholesky factor of D factors over a window of W daily moves, one
// thread, each the best of a few runs.
//
//   build/bench/xmargin_bench_factor_model [--window W] [--repetitions R] D…
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "xmargin/config.hpp"
#include "xmargin/factor_model.hpp"

namespace {

// Normal daily moves of 1%, one independent series per factor.
xm::FactorMoves random_moves(std::size_t factors, std::size_t window) {
  xm::FactorMoves moves;
  moves.window = window;
  moves.price_factors = factors;
  std::mt19937_64 engine(20011231);
  std::normal_distribution<double> normal(0.0, 0.01);
  for (std::size_t f = 0; f < factors; ++f) {
    moves.names.push_back("F" + std::to_string(f));
    for (std::size_t k = 0; k < window; ++k) moves.moves.push_back(normal(engine));
  }
  return moves;
}

template <typename Work>
double best_seconds(int repetitions, Work&& work) {
  double best = 1e300;
  for (int r = 0; r < repetitions; ++r) {
    const auto start = std::chrono::steady_clock::now();
    work();
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t window = 2500;
  int repetitions = 3;
  std::vector<std::size_t> sizes;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--window" && i + 1 < argc) {
      window = std::strtoul(argv[++i], nullptr, 10);
    } else if (arg == "--repetitions" && i + 1 < argc) {
      repetitions = std::atoi(argv[++i]);
    } else {
      sizes.push_back(std::strtoul(argv[i], nullptr, 10));
    }
  }
  if (sizes.empty()) sizes = {500, 1000, xm::kMaxMonteCarloFactors};
  std::printf("factors,window,covariance_s,cholesky_s\n");
  for (const std::size_t factors : sizes) {
    const xm::FactorMoves moves = random_moves(factors, window);
    std::vector<double> covariance;
    const double covariance_s =
        best_seconds(repetitions, [&] { covariance = xm::sample_covariance(moves); });
    const double cholesky_s = best_seconds(
        repetitions, [&] { xm::cholesky_lower(covariance, moves.names, {"bench"}, ""); });
    std::printf("%zu,%zu,%.3f,%.3f\n", factors, window, covariance_s, cholesky_s);
  }
  return 0;
}
