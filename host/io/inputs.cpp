#include "xmargin/inputs.hpp"
#include "io/loaders.hpp"
#include "xmargin/error.hpp"
#include "xmargin/factor_model.hpp"
#include "xmargin/scenarios.hpp"
#include "xmargin/stress.hpp"

namespace xm {

std::vector<std::string> used_underlyings(const Book& book) {
  std::vector<bool> used(book.market.underlyings.size(), false);
  for (const Instrument& inst : book.instruments) used[inst.underlying] = true;
  std::vector<std::string> ids;
  for (std::size_t u = 0; u < used.size(); ++u)
    if (used[u]) ids.push_back(book.market.underlyings[u].id);
  return ids;
}

Inputs load_inputs(const InputPaths& paths) {
  Inputs inputs;
  inputs.paths = paths;
  if (!paths.config.empty()) inputs.config = load_config(paths.config);

  Book& book = inputs.book;
  book.market = load_market(paths.market, inputs.config.vol_surface);
  check_stress_underlyings(inputs.config.stress, book.market);
  book.instruments = load_instruments(paths.instruments, book.market);
  std::optional<std::vector<Account>> listed;
  if (!paths.accounts.empty()) listed = load_accounts(paths.accounts);
  LoadedPositions loaded = load_positions(paths.positions, book.instruments, std::move(listed));
  book.accounts = std::move(loaded.accounts);
  book.positions = std::move(loaded.positions);
  // An empty output from an empty book would read as "no margin due"; a
  // book of listed accounts without positions is real (rows of zero margin).
  if (book.accounts.empty()) {
    throw InputError(paths.positions, 2, 0,
                     "no positions, and no accounts listed in an accounts file: nothing to "
                     "margin");
  }

  const std::vector<std::string> underlyings = used_underlyings(book);
  if (!paths.scenarios.empty()) {
    inputs.replayed_scenarios = read_scenario_file(paths.scenarios, underlyings);
  } else if (paths.history.empty()) {
    throw InputError("no history file given (--history) and no --scenarios to replay");
  }
  // A replay reads the history too when given: named stress scenarios with
  // history_dates take their moves from it.
  if (!paths.history.empty()) inputs.history = load_history(paths.history, underlyings);
  // Refused before any work: the model's size grows with the square and cube
  // of its factors.
  if (inputs.config.monte_carlo && inputs.history && !inputs.replayed_scenarios) {
    check_monte_carlo_size(*inputs.history, *inputs.config.monte_carlo);
  }
  return inputs;
}

}  // namespace xm
