#pragma once
// A small book for the stress and margin-rule tests (SPEC §5.3, §5.4), its
// values worked independently here: r = q = 0, so a future is worth its spot
// and a call is Black–Scholes with no carry.
#include <cmath>
#include <fstream>
#include <map>
#include <string>

#include "support/test_support.hpp"
#include "xmargin/backend.hpp"
#include "xmargin/components.hpp"
#include "xmargin/pipeline.hpp"

namespace xm::test {

inline double bs_call(double spot, double strike, double vol, double years) {
  const double sd = vol * std::sqrt(years);
  const double d1 = (std::log(spot / strike) + 0.5 * sd * sd) / sd;
  auto n = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
  return spot * n(d1) - strike * n(d1 - sd);
}

// Components per account (and group) id of a cpu run over the files at `paths`.
inline std::map<std::string, ComponentValues> components_of(const InputPaths& paths) {
  const PreparedRun prepared = prepare_run(paths);
  const auto cpu = make_cpu_backend({});
  const RunOutcome outcome = run_margins(prepared, *cpu, false);
  std::map<std::string, ComponentValues> out;
  for (const ComponentRow& row : outcome.components) out[row.id] = row.values;
  return out;
}

// Accounts:
//   LONG    +1 FAA (future on AA, multiplier 10)
//   COVERED +1 FAA, −1 CAA (30-day call on AA struck at 100, multiplier 10)
//   PAIR    +1 FAA, −2 FBB (future on BB, multiplier 20); LEG_A and LEG_B hold one leg each
//   ISO     the pair, isolated
//   OPTS    +1 each of O7, O30, O365 (calls on AA struck at 100, 7, 30 and 365 days)
// The history moves BB with AA (so the pair offsets statistically), 60 rows;
// with calm_recent its last 25 rows are calm.
class StressBook {
 public:
  explicit StressBook(const std::string& scenarios_json, const std::string& extra_json = "",
                      bool time_decay = false, bool calm_recent = false) {
    dir_.write("market.json", R"({"valuation_date": "2001-01-02", "underlyings": [
        {"id": "AA", "price": 100, "vol": 0.2},
        {"id": "BB", "price": 50, "vol": 0.3}]})");
    dir_.write("instruments.csv",
               "instrument,type,underlying,expiry,multiplier,strike,right,style,on\n"
               "FAA,future,AA,2001-06-15,10,,,,\n"
               "FBB,future,BB,2001-06-15,20,,,,\n"
               "CAA,option,AA,2001-02-01,10,100,C,european,spot\n"
               "O7,option,AA,2001-01-09,1,100,C,european,spot\n"
               "O30,option,AA,2001-02-01,1,100,C,european,spot\n"
               "O365,option,AA,2002-01-02,1,100,C,european,spot\n");
    dir_.write("positions.csv",
               "account,instrument,quantity\n"
               "LONG,FAA,1\n"
               "COVERED,FAA,1\nCOVERED,CAA,-1\n"
               "PAIR,FAA,1\nPAIR,FBB,-2\n"
               "LEG_A,FAA,1\nLEG_B,FBB,-2\n"
               "ISO,FAA,1\nISO,FBB,-2\n"
               "OPTS,O7,1\nOPTS,O30,1\nOPTS,O365,1\n");
    dir_.write("accounts.csv",
               "account,mode,group,collateral\n"
               "LONG,cross,,0\nCOVERED,cross,,0\nPAIR,cross,,0\nLEG_A,cross,,0\nLEG_B,cross,,0\n"
               "ISO,isolated,,0\nOPTS,cross,,0\n");
    std::string history = "date,AA,BB\n";
    double aa = 100, bb = 50;
    unsigned state = 12345;
    for (int r = 0; r < 60; ++r) {
      state = state * 1103515245u + 12345u;
      const double z = static_cast<double>((state >> 8) % 2001) / 1000.0 - 1.0;  // [−1, 1]
      if (r > 0) {
        // calm_recent: the last 25 rows move a tenth as much as the others.
        const double scale = calm_recent && r >= 35 ? 0.1 : 1.0;
        aa *= 1.0 + 0.02 * scale * z;
        bb *= 1.0 + 0.018 * z + 0.002 * ((r % 3) - 1);
      }
      char line[96];
      std::snprintf(line, sizeof line, "2000-%02d-%02d,%.6f,%.6f\n", 1 + r / 28, 1 + r % 28, aa,
                    bb);
      history += line;
    }
    dir_.write("history.csv", history);
    dir_.write("config.json",
               std::string(R"({"measure": "es", "confidence": 0.9, "time_decay": )") +
                   (time_decay ? "true" : "false") + R"(, "scenarios": )" + scenarios_json +
                   extra_json + "}");
  }

  InputPaths paths() const { return test::small_book_paths(dir_); }

  // Components per account id, from a cpu run.
  std::map<std::string, ComponentValues> components() const { return components_of(paths()); }

  // The InputError message a run's preparation throws ("" if none).
  std::string error() const {
    try {
      prepare_run(paths());
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }

  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
};

inline const char* kHistorical = R"({"historical": {"lookback_days": 40, "mpor_days": 1}})";

// A scenarios object: the historical source and `stress` as its "stress" member.
inline std::string with_stress(const std::string& stress) {
  return R"({"historical": {"lookback_days": 40, "mpor_days": 1}, "stress": )" + stress + "}";
}

}  // namespace xm::test
