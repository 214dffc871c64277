// The sample's margins pinned to values computed without xmargin's code.
//
// tests/sample/independent_margins.py recomputes, from the sample's files and
// the documentation alone (docs/formats.md, docs/margin_rules.md), the
// components of every account whose positions are futures and European
// options: the historical ES at 99% over the 1,000 two-day scenarios, the span,
// grid and named charges, the max rule. Its values (printed with 17 digits by
// `independent_margins.py --ids ...`) are pinned below for nine accounts: two
// driven by the statistical measure, three by the grid, three by the named
// scenarios (one holding a single future), and an isolated one. The script
// agrees with the engine to about 1e-13 relative; the test allows 1e-9.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "sample/book_files.hpp"
#include "support/test_support.hpp"

namespace xm {
namespace {

namespace bf = test::book_files;

const std::string kScript = std::string(XM_SOURCE_DIR) + "/tests/sample/independent_margins.py";

struct Pinned {
  const char* id;
  const char* holds;  // what the account is, for the reader
  double statistical, span, grid, named, stress, margin;
};

const Pinned kPinned[] = {
    {"ACC0173", "short HON put and call on spot: statistical", 15547.957505175391,
     6336.9579964062414, 8724.5061674358258, 7192.0024524251839, 8724.5061674358258,
     15547.957505175391},
    {"ACC0418", "MO put on spot, MO call on the future: statistical", 27412.779842434808,
     16653.273521785151, 23249.605013936591, 16434.258908291962, 23249.605013936591,
     27412.779842434808},
    {"ACC0012", "HON put calendar spread: grid", 181.90484725773922, 446.49707294137988,
     576.50840999635784, 70.935227583152709, 576.50840999635784, 576.50840999635784},
    {"ACC0057", "protective puts, DIS with its own vol, KO on the future: grid", 831.51612775924229,
     1431.5497562697906, 2015.7237452498132, 1395.0920999831906, 2015.7237452498132,
     2015.7237452498132},
    {"ACC0198", "long XOM straddle and HON strangle: grid, no named loss", 980.09608751845258,
     1739.5442313317453, 2600.3556092843864, 0.0, 2600.3556092843864, 2600.3556092843864},
    {"ACC0271", "short strangles on HWP futures, HON and MO: named", 3058.9884791632853,
     2264.2300047032586, 3265.5335938695416, 3507.9976840668487, 3507.9976840668487,
     3507.9976840668487},
    {"ACC0296", "XOM covered call: named", 19888.872252670331, 25245.917754005273,
     51930.019414813818, 62885.56613745496, 62885.56613745496, 62885.56613745496},
    {"ACC0342", "one MRK future: named", 80159.904174406911, 87701.125337791556, 149105.84594622705,
     178598.7193293694, 178598.7193293694, 178598.7193293694},
    {"ACC0185", "isolated covered calls on HWP and KO futures", 7579.7197853071593,
     7248.1818402874733, 10075.412974677776, 7601.9321160979307, 11330.573657941177,
     11454.403420270628},
};

// One cpu run of the sample shared by the tests below.
class SampleMargins : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    out_ = new test::TempDir;
    run_ = new test::CommandResult(
        test::run_command(std::string(XM_BINARY) + " run --backend cpu --out " + out_->path()));
  }
  static void TearDownTestSuite() {
    delete out_;
    delete run_;
  }
  static test::TempDir* out_;
  static test::CommandResult* run_;
};
test::TempDir* SampleMargins::out_ = nullptr;
test::CommandResult* SampleMargins::run_ = nullptr;

TEST_F(SampleMargins, NineAccountsHaveTheirIndependentlyComputedComponents) {
  ASSERT_EQ(run_->exit_code, 0) << run_->output;
  const bf::Table components = bf::read_csv(out_->file("components.csv"));
  const bf::Table margins = bf::read_csv(out_->file("margins.csv"));
  const char* columns[] = {"statistical", "span", "grid", "named", "stress", "margin"};
  for (const Pinned& pinned : kPinned) {
    const double expected[] = {pinned.statistical, pinned.span,   pinned.grid,
                               pinned.named,       pinned.stress, pinned.margin};
    const auto row = std::find_if(components.rows.begin(), components.rows.end(),
                                  [&](const auto& r) { return r[1] == pinned.id; });
    ASSERT_NE(row, components.rows.end()) << pinned.id;
    for (std::size_t k = 0; k < 6; ++k) {
      const double got = std::stod((*row)[components.column(columns[k])]);
      EXPECT_NEAR(got, expected[k], 1e-9 * std::max(1.0, expected[k]))
          << pinned.id << " (" << pinned.holds << ") " << columns[k];
    }
    const std::size_t r = static_cast<std::size_t>(row - components.rows.begin());
    EXPECT_EQ(margins.rows[r][1], pinned.id);
    EXPECT_NEAR(std::stod(margins.rows[r][margins.column("margin")]), pinned.margin,
                1e-9 * pinned.margin)
        << pinned.id;
    // An isolated account's es describes its net P&L, not its positions' sum.
    if (std::string(pinned.id) != "ACC0185") {
      EXPECT_NEAR(std::stod(margins.rows[r][margins.column("es")]), pinned.statistical,
                  1e-9 * pinned.statistical)
          << pinned.id;
    }
  }
}

// The interpreter the script runs with ("" when there is none).
std::string python() {
  if (std::system("/usr/bin/python3 -c '' >/dev/null 2>&1") == 0) return "/usr/bin/python3";
  if (std::system("python3 -c '' >/dev/null 2>&1") == 0) return "python3";
  return "";
}

TEST_F(SampleMargins, EveryAccountOfFuturesAndEuropeanOptionsMatchesTheIndependentScript) {
  ASSERT_EQ(run_->exit_code, 0) << run_->output;
  const std::string interpreter = python();
  if (interpreter.empty()) GTEST_SKIP() << "no python3 to run " << kScript;
  const test::CommandResult check =
      test::run_command(interpreter + " " + kScript + " --check " + out_->file("components.csv"));
  EXPECT_EQ(check.exit_code, 0) << check.output;
  // 140 of the sample's accounts, 9 of them isolated; no group qualifies.
  EXPECT_NE(check.output.find("140 rows compared (840 values), 0 differ"), std::string::npos)
      << check.output;
}

}  // namespace
}  // namespace xm
