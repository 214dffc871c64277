#include "options.hpp"

#include <charconv>
#include <system_error>

#include "usage_error.hpp"
#include "workloads.hpp"

namespace make_book {

namespace {

constexpr std::size_t kMinAccounts = 20;
constexpr std::size_t kMaxAccounts = 1000000;

std::uint64_t parse_unsigned(const std::string& flag, const std::string& text) {
  std::uint64_t value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size())
    throw UsageError(flag + ": expected an unsigned integer, got '" + text + "'");
  return value;
}

bool takes_value(const std::string& arg) {
  return arg == "--history" || arg == "--out" || arg == "--accounts" || arg == "--seed" ||
         arg == "--workload" || arg == "--surfaces";
}

}  // namespace

const char* const kUsage =
    "usage: xmargin_make_book --history FILE --out DIR [--accounts N] [--seed S] [--surfaces "
    "on|off]\n"
    "       xmargin_make_book --workload small|medium|eod --out DIR [--seed S] [--history FILE]\n"
    "                         [--surfaces on|off]\n"
    "  --history FILE  closing prices: date,<id>... (e.g. scenarios/data/dowjones30.csv)\n"
    "  --out DIR       where market.json, instruments.csv, positions.csv, accounts.csv,\n"
    "                  history.csv and config.json are written (created if missing)\n"
    "  --accounts N    number of accounts, house accounts included (default 600, 20..1000000)\n"
    "  --seed S        unsigned 64-bit seed of the generator (default 20010102)\n"
    "  --surfaces on|off  whether market.json gives every underlying a vol surface derived\n"
    "                  from the history (tools/make_book/vol_surfaces.hpp); default on for the\n"
    "                  sample, off for a workload. The rest of the book is the same either way.\n"
    "  --workload W    a synthetic book of a fixed size instead of the sample:\n"
    "                    workload  accounts  positions  instruments  underlyings  scenarios\n"
    "                    small        1,000     10,000        1,000           20      2,500\n"
    "                    medium      10,000    100,000        5,000          100      5,000\n"
    "                    eod        100,000  1,000,000       50,000          500     12,500\n"
    "\n"
    "The first form writes the sample book: the history's own stocks, a customer per strategy\n"
    "package style and one house account per 150 accounts (scenarios/default/README.md).\n"
    "\n"
    "A workload's history is synthetic, from a one-factor model fitted to --history (default:\n"
    "this checkout's scenarios/data/dowjones30.csv). Fit: the factor f[d] is the day's mean\n"
    "log return over the real stocks, demeaned; each stock i gets beta[i] = cov(r[i], f) /\n"
    "var(f) and residuals e[i][d] = r[i][d] - mean(r[i]) - beta[i] f[d]. Underlying j (U001...)\n"
    "draws a template stock k, beta_j = beta[k] * u and a residual scale c_j (u, c_j uniform in\n"
    "[0.75, 1.25]) and an anchor price P* log-uniform in [$10, $250]. Its daily log return is\n"
    "  x[t] = beta_j f[D(t)] + c_j e[k][D_j(t)] - 0.00275 (ln P[t-1] - ln P*),  P[0] = P*,\n"
    "where D(t) is a block bootstrap of the real days shared by all underlyings (runs of 20\n"
    "consecutive days from uniform starts) and D_j(t) an independent one per underlying; the\n"
    "last term is a weak pull (half-life one year) that keeps prices near the anchor. The\n"
    "history has lookback + 2 (MPOR) + 60 (warm-up) weekday rows ending on --history's last\n"
    "date; prices have 4 decimals, and <id>.vol is the sample's EWMA vol proxy (lambda 0.94,\n"
    "annualised, floored at 0.05) of x, with 4 decimals.\n"
    "\n"
    "The book: each underlying lists 4 quarterly futures (5 when its share of the instruments\n"
    "is odd) and call/put pairs over 6 option-on-spot expiries (3 monthly, 3 quarterly); every\n"
    "third underlying also lists options on futures on the quarterly ones. Strikes are centred\n"
    "on the money, about 2.5% apart. Houses hold 15% of the positions, drawn from the whole\n"
    "catalogue; customers hold 1-40 positions (88% hold 5-20) built from strategy packages;\n"
    "about 5% of the customers are isolated, and there is one cross-margin group of 2-6\n"
    "accounts per 150 accounts. The same seed gives the same bytes on every platform.\n";

Options parse_options(int argc, char** argv) {
  Options o;
  bool have_accounts = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      o.help = true;
      return o;
    }
    std::string value;
    const std::size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (takes_value(arg)) {
      if (i + 1 >= argc) throw UsageError(arg + ": expected a value");
      value = argv[++i];
    }
    if (arg == "--history") {
      o.history = value;
    } else if (arg == "--out") {
      o.out = value;
    } else if (arg == "--accounts") {
      const std::uint64_t n = parse_unsigned(arg, value);
      if (n < kMinAccounts || n > kMaxAccounts)
        throw UsageError("--accounts: expected " + std::to_string(kMinAccounts) + ".." +
                         std::to_string(kMaxAccounts) + ", got " + value);
      o.accounts = static_cast<std::size_t>(n);
      have_accounts = true;
    } else if (arg == "--seed") {
      o.seed = parse_unsigned(arg, value);
    } else if (arg == "--surfaces") {
      if (value != "on" && value != "off")
        throw UsageError("--surfaces: expected on or off, got '" + value + "'");
      o.surfaces = value == "on";
      o.surfaces_given = true;
    } else if (arg == "--workload") {
      if (find_workload(value) == nullptr)
        throw UsageError("--workload: expected small, medium or eod, got '" + value + "'");
      o.workload = value;
    } else {
      throw UsageError("unknown argument '" + std::string(argv[i]) + "'");
    }
  }
  if (o.workload.empty() && o.history.empty()) throw UsageError("--history FILE is required");
  if (!o.workload.empty() && have_accounts)
    throw UsageError("--accounts: a workload fixes its own account count");
  if (o.out.empty()) throw UsageError("--out DIR is required");
  if (!o.workload.empty() && !o.surfaces_given) o.surfaces = false;
  return o;
}

}  // namespace make_book
