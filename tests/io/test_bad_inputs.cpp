// One test per kind of bad input (SPEC §2): each breaks one file of a small
// valid book and checks the exact file:line:column and the explanation.
#include <gtest/gtest.h>

#include <algorithm>

#include "io/csv_reader.hpp"
#include "support/test_support.hpp"
#include "xmargin/error.hpp"
#include "xmargin/inputs.hpp"
#include "xmargin/pipeline.hpp"

namespace xm {
namespace {

class BadInput : public ::testing::Test, protected test::BookToBreak {
 protected:
  InputPaths paths() const { return test::small_book_paths(dir); }

  // A price of 0 on line 5 of market.json: the check that line ends and byte
  // order marks leave JSON positions where they are.
  static constexpr const char* kZeroPriceError =
      "market.json:5:27: '/underlyings/1/price': price must be between 1e-8 and 1e12";
  std::string zero_price_error() { return replace("market.json", "\"price\": 50", "\"price\": 0"); }
};

TEST_F(BadInput, TheValidBookLoads) {
  EXPECT_EQ(error_with("config.json", files["config.json"]), "no error");
}

TEST_F(BadInput, MissingRequiredColumn) {
  EXPECT_EQ(error_with("positions.csv", "account,instrument\nA1,FAA\n"),
            "positions.csv:1: missing required column 'quantity'");
}

TEST_F(BadInput, UnknownColumn) {
  EXPECT_EQ(
      replace("positions.csv", "account,instrument,quantity\n",
              "account,instrument,quantity,trader\n"),
      "positions.csv:1:29: unknown column 'trader' (expected: account, instrument, quantity)");
}

TEST_F(BadInput, DuplicateColumn) {
  EXPECT_EQ(replace("accounts.csv", "account,mode,group,collateral", "account,mode,group,mode"),
            "accounts.csv:1:20: duplicate column 'mode'");
}

TEST_F(BadInput, EmptyRequiredCell) {
  EXPECT_EQ(replace("positions.csv", "A1,FAA,1", "A1,,1"),
            "positions.csv:2:4: column 'instrument': empty required cell");
}

TEST_F(BadInput, NonFiniteNumber) {
  EXPECT_EQ(replace("positions.csv", "A1,FAA,1", "A1,FAA,nan"),
            "positions.csv:2:8: column 'quantity': expected a finite number, found 'nan'");
  EXPECT_EQ(replace("positions.csv", "A1,FAA,1", "A1,FAA,1e999"),
            "positions.csv:2:8: column 'quantity': expected a finite number, found '1e999'");
}

TEST_F(BadInput, NotANumber) {
  EXPECT_EQ(replace("positions.csv", "A1,FAA,1", "A1,FAA,ten"),
            "positions.csv:2:8: column 'quantity': expected a finite number, found 'ten'");
}

TEST_F(BadInput, UnknownInstrument) {
  EXPECT_EQ(
      replace("positions.csv", "A1,FAA,1", "A1,FXX,1"),
      "positions.csv:2:4: column 'instrument': unknown instrument 'FXX' (not in instruments.csv)");
}

TEST_F(BadInput, UnknownAccount) {
  EXPECT_EQ(replace("positions.csv", "A2,PBB,3", "A9,PBB,3"),
            "positions.csv:4:1: column 'account': unknown account 'A9' (not in accounts.csv)");
}

TEST_F(BadInput, UnknownUnderlying) {
  EXPECT_EQ(
      replace("instruments.csv", "FAA,future,AA,", "FAA,future,ZZ,"),
      "instruments.csv:2:12: column 'underlying': unknown underlying 'ZZ' (not in market.json)");
}

TEST_F(BadInput, DuplicateInstrumentId) {
  EXPECT_EQ(error_with("instruments.csv",
                       files["instruments.csv"] + "FAA,future,BB,2001-03-16,100,,,,,\n"),
            "instruments.csv:5:1: column 'instrument': duplicate instrument id 'FAA'");
}

TEST_F(BadInput, DuplicateAccountId) {
  EXPECT_EQ(error_with("accounts.csv", files["accounts.csv"] + "A1,cross,,0\n"),
            "accounts.csv:4:1: column 'account': duplicate account id 'A1'");
}

TEST_F(BadInput, DuplicateUnderlyingId) {
  EXPECT_EQ(replace("market.json", "{\"id\": \"BB\"", "{\"id\": \"AA\""),
            "market.json:5:12: '/underlyings/1/id': duplicate underlying id 'AA'");
}

TEST_F(BadInput, UnknownChoice) {
  EXPECT_EQ(replace("instruments.csv", "100,100,C,european", "100,100,X,european"),
            "instruments.csv:3:34: column 'right': expected 'C' or 'P', found 'X'");
  EXPECT_EQ(replace("instruments.csv", "FAA,future", "FAA,forward"),
            "instruments.csv:2:5: column 'type': expected 'future' or 'option', found 'forward'");
  EXPECT_EQ(replace("accounts.csv", "A2,isolated", "A2,both"),
            "accounts.csv:3:4: column 'mode': expected 'cross' or 'isolated', found 'both'");
}

TEST_F(BadInput, ExpiryNotAfterValuationDate) {
  EXPECT_EQ(
      replace("instruments.csv", "FAA,future,AA,2001-03-16", "FAA,future,AA,2001-01-02"),
      "instruments.csv:2:15: column 'expiry': expiry must be after the valuation date 2001-01-02");
}

TEST_F(BadInput, InvalidDate) {
  EXPECT_EQ(
      replace("instruments.csv", "FAA,future,AA,2001-03-16", "FAA,future,AA,2001-02-30"),
      "instruments.csv:2:15: column 'expiry': expected a date YYYY-MM-DD, found '2001-02-30'");
}

TEST_F(BadInput, OptionFieldOnAFuture) {
  EXPECT_EQ(replace("instruments.csv", "FAA,future,AA,2001-03-16,100,,",
                    "FAA,future,AA,2001-03-16,100,95,"),
            "instruments.csv:2:30: column 'strike': applies to options only; leave it empty for a "
            "future");
}

TEST_F(BadInput, OptionWithoutStrike) {
  EXPECT_EQ(replace("instruments.csv", "100,100,C,european", "100,,C,european"),
            "instruments.csv:3:30: column 'strike': empty required cell");
}

TEST_F(BadInput, NonPositiveValues) {
  EXPECT_EQ(
      replace("instruments.csv", "FAA,future,AA,2001-03-16,100", "FAA,future,AA,2001-03-16,0"),
      "instruments.csv:2:26: column 'multiplier': multiplier must be > 0 and at most 1e9");
  EXPECT_EQ(replace("instruments.csv", "future,0.25", "future,-0.25"),
            "instruments.csv:4:51: column 'vol': vol must be > 0 and at most 10");
  EXPECT_EQ(zero_price_error(), kZeroPriceError);
  EXPECT_EQ(replace("accounts.csv", "G1,500", "G1,-500"),
            "accounts.csv:3:16: column 'collateral': collateral must be between 0 and 1e15");
}

TEST_F(BadInput, TooManyCells) {
  EXPECT_EQ(replace("positions.csv", "A1,FAA,1\n", "A1,FAA,1,7\n"),
            "positions.csv:2:10: too many cells: the header has 3 columns");
}

TEST_F(BadInput, TooFewCells) {
  EXPECT_EQ(replace("positions.csv", "A1,FAA,1\n", "A1,FAA\n"),
            "positions.csv:2: too few cells: expected 3, found 2");
}

TEST_F(BadInput, UnterminatedQuote) {
  EXPECT_EQ(replace("positions.csv", "A2,PBB,3\n", "A2,\"PBB,3\n"),
            "positions.csv:4:4: unterminated quoted cell");
}

TEST_F(BadInput, HistoryDatesNotAscending) {
  EXPECT_EQ(replace("history.csv", "2000-12-21,", "2000-12-19,"),
            "history.csv:3:1: column 'date': dates must be strictly ascending (previous row is "
            "2000-12-20)");
}

TEST_F(BadInput, HistoryMissingUnderlying) {
  EXPECT_EQ(error_with("history.csv", "date,AA\n2000-12-20,90\n"),
            "history.csv:1: missing required column 'BB'");
}

TEST_F(BadInput, HistoryNonPositiveLevel) {
  EXPECT_EQ(replace("history.csv", "2000-12-21,92,", "2000-12-21,0,"),
            "history.csv:3:12: column 'AA': closing level must be between 1e-8 and 1e12");
}

TEST_F(BadInput, HistoryNegativeVol) {
  EXPECT_EQ(replace("history.csv", "49,0.31", "49,-0.31"),
            "history.csv:3:18: column 'AA.vol': implied vol must be between 0 and 10");
}

TEST_F(BadInput, HistoryTooShort) {
  const std::string message =
      replace("config.json", "\"lookback_days\": 5", "\"lookback_days\": 6");
  EXPECT_EQ(message,
            "history.csv: history has 7 rows; lookback_days 6 + mpor_days 2 needs at least 8");
}

TEST_F(BadInput, HistoryColumnsOfOtherUnderlyingsAreIgnored) {
  // Market-wide history files carry series no instrument uses, gaps and all.
  EXPECT_EQ(error_with("history.csv",
                       "date,ZZ,AA,BB,ZZ.vol\n"
                       "2000-12-20,,90,48,x\n2000-12-21,1,92,49,\n2000-12-22,,95,47,\n"
                       "2000-12-26,,97,50,\n2000-12-27,,99,51,\n2000-12-28,,98,52,\n"
                       "2000-12-29,,100,50,\n"),
            "no error");
}

TEST_F(BadInput, ConfigUnknownKey) {
  EXPECT_EQ(error_with("config.json", "{\"measure\": \"es\", \"colour\": 1}"),
            "config.json:1:19: '/colour': unknown key 'colour' (expected: measure, confidence, "
            "time_decay, scenarios, vol_surface, combine, anti_procyclicality)");
}

TEST_F(BadInput, ConfigWrongType) {
  EXPECT_EQ(error_with("config.json", "{\"confidence\": \"0.99\"}"),
            "config.json:1:16: '/confidence': expected a number, found string");
  EXPECT_EQ(
      error_with("config.json", "{\"scenarios\": {\"historical\": {\"lookback_days\": 10.5}}}"),
      "config.json:1:48: '/scenarios/historical/lookback_days': expected a whole number, found "
      "10.5");
}

TEST_F(BadInput, ConfigOutOfRange) {
  EXPECT_EQ(error_with("config.json", "{\n  \"confidence\": 1.5\n}"),
            "config.json:2:17: '/confidence': confidence must be strictly between 0 and 1");
  EXPECT_EQ(
      error_with("config.json", "{\"scenarios\": {\"historical\": {\"mpor_days\": 0}}}"),
      "config.json:1:44: '/scenarios/historical/mpor_days': mpor_days must be between 1 and 1000");
  EXPECT_EQ(error_with("config.json", "{\"measure\": \"cvar\"}"),
            "config.json:1:13: '/measure': expected \"es\" or \"var\", found \"cvar\"");
}

TEST_F(BadInput, InvalidJson) {
  const std::string message =
      error_with("config.json", "{\"measure\": \"es\",\n \"confidence\": }");
  EXPECT_EQ(message.rfind("config.json:2:16: invalid JSON: ", 0), 0u) << message;
}

TEST_F(BadInput, MarketMissingKey) {
  EXPECT_EQ(replace("market.json", "{\"id\": \"BB\", \"price\": 50, ", "{\"id\": \"BB\", "),
            "market.json:5:5: '/underlyings/1': missing key 'price'");
}

TEST_F(BadInput, UnreadableFile) {
  for (const auto& [file, text] : files) dir.write(file, text);
  InputPaths broken = paths();
  broken.positions = dir.file("nope.csv");
  try {
    load_inputs(broken);
    FAIL() << "expected an error";
  } catch (const InputError& error) {
    EXPECT_EQ(std::string(error.what()), dir.file("nope.csv") + ": cannot open file");
  }
}

// The loader rules of the reliability issue: bounded rows and cells, short
// quotes of bad cells, line ends, directories and byte order marks.

TEST_F(BadInput, RowLongerThanOneMiB) {
  EXPECT_EQ(
      replace("positions.csv", "A2,PBB,3\n", "A2,PBB,3" + std::string(kMaxCsvRowBytes, '0') + "\n"),
      "positions.csv:4: row longer than the limit of 1048576 bytes (1 MiB)");
}

TEST_F(BadInput, QuotedCellRunningPastTheRowLimit) {
  EXPECT_EQ(replace("positions.csv", "A2,PBB,3\n",
                    "A2,\"PBB,3\n" + std::string(kMaxCsvRowBytes, 'x') + "\n"),
            "positions.csv:4:4: quoted cell runs past the 1 MiB row limit (is its closing quote "
            "missing?)");
}

TEST_F(BadInput, TooManyColumns) {
  std::string header = "account,instrument,quantity";
  std::size_t column_of_first_extra = 0;
  for (std::size_t c = 3; c < kMaxCsvColumns + 10; ++c) {
    if (c == kMaxCsvColumns) column_of_first_extra = header.size() + 2;
    header += ",c" + std::to_string(c);
  }
  EXPECT_EQ(
      error_with("positions.csv", header + "\nA1,FAA,1\n"),
      "positions.csv:1:" + std::to_string(column_of_first_extra) + ": more than 65536 columns");
}

TEST_F(BadInput, LongCellsAreQuotedCut) {
  const std::string digits(5000, '9');
  EXPECT_EQ(replace("positions.csv", "A1,FAA,1", "A1,FAA," + digits + "x"),
            "positions.csv:2:8: column 'quantity': expected a finite number, found '" +
                digits.substr(0, 80) + "...' (5001 bytes, cut)");
  const std::string id(300, 'F');
  EXPECT_EQ(replace("positions.csv", "A1,FAA,1", "A1," + id + ",1"),
            "positions.csv:2:4: column 'instrument': unknown instrument '" + id.substr(0, 80) +
                "...' (300 bytes, cut) (not in instruments.csv)");
  EXPECT_EQ(replace("positions.csv", "A2,PBB,3", "A2" + id + ",PBB,3"),
            "positions.csv:4:1: column 'account': unknown account 'A2" + id.substr(0, 78) +
                "...' (302 bytes, cut) (not in accounts.csv)");
}

TEST_F(BadInput, CarriageReturnAloneEndingLines) {
  EXPECT_EQ(error_with("positions.csv", "account,instrument,quantity\rA1,FAA,1\rA2,PBB,3\r"),
            "positions.csv:1:28: line ends with a carriage return alone (old Mac line ends); save "
            "the file with LF or CRLF line ends");
}

TEST_F(BadInput, CrlfLineEndsAreRead) {
  for (auto& [file, text] : files) {
    std::string crlf;
    for (const char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    text = crlf;
  }
  EXPECT_EQ(error_with("config.json", files["config.json"]), "no error");
  EXPECT_EQ(replace("positions.csv", "A1,CAA,-2", "A1,CAA,ten"),
            "positions.csv:3:8: column 'quantity': expected a finite number, found 'ten'");
  EXPECT_EQ(zero_price_error(), kZeroPriceError);
}

TEST_F(BadInput, JsonWithCarriageReturnsAloneIsReadWithItsLines) {
  std::string market = files["market.json"];
  std::replace(market.begin(), market.end(), '\n', '\r');
  files["market.json"] = market;
  EXPECT_EQ(error_with("config.json", files["config.json"]), "no error");
  EXPECT_EQ(zero_price_error(), kZeroPriceError);
}

TEST_F(BadInput, ByteOrderMarkDoesNotShiftColumns) {
  for (auto& [file, text] : files) text = "\xEF\xBB\xBF" + text;
  EXPECT_EQ(error_with("config.json", files["config.json"]), "no error");
  EXPECT_EQ(
      replace("positions.csv", "account,instrument,quantity\n",
              "account,instrument,quantity,trader\n"),
      "positions.csv:1:29: unknown column 'trader' (expected: account, instrument, quantity)");
  EXPECT_EQ(replace("positions.csv", "account,", "trader,"),
            "positions.csv:1:1: unknown column 'trader' (expected: account, instrument, quantity)");
  EXPECT_EQ(zero_price_error(), kZeroPriceError);
  EXPECT_EQ(replace("config.json", "{\"measure\": \"es\"", "{\"measure\": \"cvar\""),
            "config.json:1:13: '/measure': expected \"es\" or \"var\", found \"cvar\"");
}

TEST_F(BadInput, DirectoryGivenAsAFile) {
  for (const auto& [file, text] : files) dir.write(file, text);
  for (std::string InputPaths::*role :
       {&InputPaths::positions, &InputPaths::accounts, &InputPaths::market}) {
    InputPaths broken = paths();
    broken.*role = dir.path();
    try {
      load_inputs(broken);
      ADD_FAILURE() << "expected an error";
    } catch (const InputError& error) {
      EXPECT_EQ(std::string(error.what()), dir.path() + ": is a directory, expected a file");
    }
  }
}

TEST_F(BadInput, DuplicateAccountIdOutOfOrder) {
  EXPECT_EQ(error_with("accounts.csv",
                       "account,mode\nA2,cross\nA1,cross\nA3,cross\nA1,isolated\nA2,cross\n"),
            "accounts.csv:5:1: column 'account': duplicate account id 'A1'");
}

TEST_F(BadInput, UnknownAccountOutOfOrder) {
  EXPECT_EQ(error_with("positions.csv",
                       "account,instrument,quantity\nA2,PBB,3\nA1,FAA,1\nA0,FAA,1\nA1,CAA,-2\n"),
            "positions.csv:4:1: column 'account': unknown account 'A0' (not in accounts.csv)");
}

// Issue 10: hostile inputs that crashed, passed silently or gave a raw
// library message now each name their position (exit 2).
TEST_F(BadInput, DeepJsonNestingIsRefusedAtTheFirstLevelTooDeep) {
  const std::string deep = "{\"x\":" + std::string(20000, '[') + std::string(20000, ']') + "}";
  EXPECT_EQ(error_with("config.json", deep), "config.json:1:69: nested deeper than 64 levels");
  const std::string just_deep_enough =
      "{\"x\":" + std::string(63, '[') + std::string(63, ']') + "}";
  EXPECT_EQ(error_with("config.json", just_deep_enough),
            "config.json:1:2: '/x': unknown key 'x' (expected: measure, confidence, time_decay, "
            "scenarios, vol_surface, combine, anti_procyclicality)");
}

TEST_F(BadInput, DuplicateJsonKeyNamesTheSecond) {
  EXPECT_EQ(error_with("config.json", "{\"measure\": \"es\",\n \"measure\": \"var\"}"),
            "config.json:2:2: duplicate key 'measure' (first at line 1, column 2)");
}

TEST_F(BadInput, JsonNumberTooLargeForADouble) {
  EXPECT_EQ(replace("market.json", "\"price\": 50", "\"price\": 1e400"),
            "market.json:5:27: invalid JSON: number overflow parsing '1e400'");
}

TEST_F(BadInput, IdsMustBeUtf8) {
  EXPECT_EQ(replace("positions.csv", "A2,PBB", "A\xff,PBB"),
            "positions.csv:4:1: column 'account': the cell is not valid UTF-8");
  EXPECT_EQ(replace("instruments.csv", "instrument,type", "instr\xc0\xafument,type"),
            "instruments.csv:1:1: the column name is not valid UTF-8");
  EXPECT_EQ(replace("market.json", "\"BB\"", "\"B\xed\xa0\x80\""),
            "market.json:5:15: invalid JSON: syntax error while parsing value - invalid "
            "string: ill-formed UTF-8 byte; last read: '\"B\xed\xa0'");
  const std::string runaway(200, 'x');
  EXPECT_EQ(replace("market.json", "\"BB\"", "\"" + runaway + "\xff\""),
            "market.json:5:213: invalid JSON: syntax error while parsing value - invalid "
            "string: ill-formed UTF-8 byte; last read: '\"" +
                std::string(79, 'x') + "...' (202 bytes, cut)");
}

TEST_F(BadInput, AnEmptyBookNeedsListedAccounts) {
  files.erase("accounts.csv");
  InputPaths without_accounts = paths();
  without_accounts.accounts.clear();
  for (const auto& [file, text] : files) dir.write(file, text);
  dir.write("positions.csv", "account,instrument,quantity\n");
  try {
    prepare_run(without_accounts);
    ADD_FAILURE() << "expected an error";
  } catch (const InputError& error) {
    EXPECT_EQ(std::string(error.what()),
              dir.file("positions.csv") +
                  ":2: no positions, and no accounts listed in an accounts file: nothing to "
                  "margin");
  }
  dir.write("accounts.csv", "account,mode\nA1,cross\n");
  EXPECT_EQ(prepare_run(paths()).inputs.book.accounts.size(), 1u);
}

// Issue 10: inputs that gave exit 0 with infinite or NaN margins are now
// refused by the plausibility bounds of docs/formats.md, at their position.
TEST_F(BadInput, ImplausibleMagnitudesAreRefused) {
  EXPECT_EQ(replace("positions.csv", "A1,FAA,1", "A1,FAA,1e308"),
            "positions.csv:2:8: column 'quantity': |quantity × multiplier| must be at most 1e15");
  EXPECT_EQ(replace("instruments.csv", "2001-03-16,100,,", "2001-03-16,1e308,,"),
            "instruments.csv:2:26: column 'multiplier': multiplier must be > 0 and at most 1e9");
  EXPECT_EQ(replace("market.json", "\"rate\": 0.05", "\"rate\": 1e6"),
            "market.json:4:52: '/underlyings/0/rate': rate must be between -1 and 1");
  EXPECT_EQ(replace("market.json", "\"dividend_yield\": 0.01", "\"dividend_yield\": -2"),
            "market.json:4:76: '/underlyings/0/dividend_yield': dividend_yield must be between "
            "-1 and 1");
  EXPECT_EQ(replace("market.json", "\"vol\": 0.2", "\"vol\": 11"),
            "market.json:5:38: '/underlyings/1/vol': vol must be > 0 and at most 10");
  EXPECT_EQ(replace("instruments.csv", "100,100,C", "100,1e13,C"),
            "instruments.csv:3:30: column 'strike': strike must be between 1e-8 and 1e12");
  EXPECT_EQ(replace("instruments.csv", "FAA,future,AA,2001-03-16", "FAA,future,AA,2101-03-16"),
            "instruments.csv:2:15: column 'expiry': expiry must be at most 36525 days (100 "
            "years) after the valuation date 2001-01-02");
}

TEST_F(BadInput, ImplausibleHistoriesAreRefused) {
  EXPECT_EQ(replace("history.csv", "2000-12-20,90,", "2000-12-20,1e-300,"),
            "history.csv:2:12: column 'AA': closing level must be between 1e-8 and 1e12");
  EXPECT_EQ(replace("history.csv", "2000-12-21,92,", "2000-12-21,1e12,"),
            "history.csv:3:12: column 'AA': the ratio to the previous row's level must be "
            "between 1e-3 and 1e3");
  EXPECT_EQ(replace("history.csv", "49,0.31", "49,1e300"),
            "history.csv:3:18: column 'AA.vol': implied vol must be between 0 and 10");
}

TEST_F(BadInput, ImplausibleReplayedScenariosAreRefused) {
  InputPaths replay = paths();
  replay.scenarios = dir.file("scenarios.csv");
  const auto error_of = [&](const std::string& content) {
    files["scenarios.csv"] = content;
    for (const auto& [file, text] : files) dir.write(file, text);
    try {
      load_inputs(replay);
    } catch (const InputError& error) {
      return std::string(error.what()).substr(dir.path().size() + 1);
    }
    return std::string("no error");
  };
  const std::string header =
      "scenario,source,label,weight,horizon_days,AA.price_factor,AA.vol_shift,BB.price_factor\n";
  EXPECT_EQ(error_of(header + "0,h,a,0.5,2,1e308,0,1\n1,h,b,0.5,2,1,0,1\n"),
            "scenarios.csv:2:13: column 'AA.price_factor': price factor must be between 1e-6 "
            "and 1e6");
  EXPECT_EQ(error_of(header + "0,h,a,0.5,2,1,0,1\n1,h,b,0.5,2,1,-11,1\n"),
            "scenarios.csv:3:15: column 'AA.vol_shift': vol shift must be between -10 and 10");
  EXPECT_EQ(error_of(header + "0,h,a,0.5,2,1e6,10,1e-6\n1,h,b,0.5,2,1,-10,1\n"), "no error");
}

}  // namespace
}  // namespace xm
