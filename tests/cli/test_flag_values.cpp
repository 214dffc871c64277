// Flags given empty and numbers outside their rule are exit 2 with a message
// stating the rule, before any work (README "Using it"); validate checks the
// inputs before it asks for a device.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "support/test_support.hpp"
#include "xmargin/backend.hpp"

namespace xm {
namespace {

namespace fs = std::filesystem;

const std::string kBinary = XM_BINARY;

// Runs from the folder `cwd`: with the flag ignored, the default outputs
// (out/, or a bare file name) would land there.
test::CommandResult run_in(const test::TempDir& cwd, const std::string& arguments) {
  return test::run_command("cd " + cwd.path() + " && exec " + kBinary + arguments);
}

void expect_error(const test::CommandResult& result, const std::string& message,
                  const std::string& arguments) {
  EXPECT_EQ(result.exit_code, 2) << arguments << "\n" << result.output;
  EXPECT_EQ(result.output, "xmargin: error: " + message + "\n") << arguments;
}

TEST(EmptyFlags, EveryInputFlagGivenEmptyIsRefused) {
  test::TempDir cwd;
  for (const std::string command :
       {" run --backend cpu", " scenarios --out s.csv", " validate --allow-no-device"}) {
    for (const std::string flag : {"--dir", "--market", "--instruments", "--positions",
                                   "--accounts", "--history", "--config", "--scenarios"}) {
      const std::string arguments = command + " " + flag + " ''";
      expect_error(run_in(cwd, arguments), flag + " is empty", arguments);
    }
  }
  EXPECT_TRUE(fs::is_empty(cwd.path()));
}

TEST(EmptyFlags, OutputAndNumberFlagsGivenEmptyAreRefused) {
  test::TempDir cwd;
  const std::pair<std::string, std::string> cases[] = {
      {" run --backend cpu --out ''", "--out"},
      {" run --backend cpu --pnl ''", "--pnl"},
      {" scenarios --out ''", "--out"},
      {" run --backend cpu --threads ''", "--threads"},
      {" run --backend cpu --memory-budget ''", "--memory-budget"},
      {" validate --allow-no-device --threads ''", "--threads"},
      {" validate --allow-no-device --memory-budget ''", "--memory-budget"},
      {" validate --allow-no-device --tolerance ''", "--tolerance"}};
  for (const auto& [arguments, flag] : cases) {
    expect_error(run_in(cwd, arguments), flag + " is empty", arguments);
  }
  EXPECT_TRUE(fs::is_empty(cwd.path()));
}

const std::string kBudgetRule =
    "--memory-budget must be a whole number of bytes from 1 to 9223372036854775807 (2^63 - 1), "
    "optionally followed by K, M, G or T (or KiB, MiB, GiB, TiB: powers of 1024)";

TEST(MemoryBudget, AValueOutsideTheRuleIsRefused) {
  test::TempDir cwd;
  for (const std::string value :
       {"-1", "18446744073709551616", "9223372036854775808", "8388608T", "8796093022208G", "1.5",
        "1e6", "+1", "abc", "K", "1KB", "1k", "1 K", "0x10"}) {
    for (const std::string command :
         {" run --backend cpu --memory-budget", " run --backend cpu --device-memory-budget",
          " validate --allow-no-device --memory-budget"}) {
      const std::string arguments = command + " '" + value + "'";
      expect_error(run_in(cwd, arguments), kBudgetRule + ": got '" + value + "'", arguments);
    }
  }
  EXPECT_TRUE(fs::is_empty(cwd.path()));
}

TEST(MemoryBudget, ZeroIsRefusedSinceLeavingTheFlagOutIsTheDefault) {
  test::TempDir cwd;
  for (const std::string value : {"0", "0K", "000GiB"}) {
    const std::string arguments = " run --backend cpu --memory-budget " + value;
    expect_error(run_in(cwd, arguments),
                 "--memory-budget must be at least 1 byte (leave the flag out for the default, "
                 "most of the free memory): got '" +
                     value + "'",
                 arguments);
  }
  EXPECT_TRUE(fs::is_empty(cwd.path()));
}

TEST(MemoryBudget, SuffixesArePowersOf1024) {
  // The sample needs some 15 KB at the least: 1K is too small, and the
  // message states the budget read in bytes.
  test::TempDir out;
  for (const auto& [value, bytes] :
       {std::pair<std::string, std::string>{"1K", "1024"}, {"1KiB", "1024"}, {"2", "2"}}) {
    const auto result = test::run_command(kBinary + " run --backend cpu --out " + out.path() +
                                          " --device-memory-budget " + value);
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_EQ(result.output.rfind("xmargin: error: the memory budget of " + bytes +
                                      " bytes (--memory-budget) is too small for this run",
                                  0),
              0u)
        << result.output;
  }
}

TEST(MemoryBudget, AnyBudgetThatFitsGivesTheSameMargins) {
  test::TempDir book;
  test::write_small_book(book);
  const std::string run = " run --backend cpu --dir " + book.path() + " --out " + book.path();
  const auto plain = test::run_command(kBinary + run);
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  const std::string margins = test::read_text(book.file("margins.csv"));
  for (const std::string value : {"64K", "64M", "1GiB", "8388607T", "9223372036854775807"}) {
    const auto result = test::run_command(kBinary + run + " --memory-budget " + value);
    ASSERT_EQ(result.exit_code, 0) << value << "\n" << result.output;
    EXPECT_EQ(test::read_text(book.file("margins.csv")), margins) << value;
  }
}

TEST(Threads, AValueOutsideTheRuleIsRefused) {
  test::TempDir cwd;
  const int most = 4 * static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  for (const std::string& value : std::vector<std::string>{"0", "-1", "1.5", "abc", "99999999999",
                                                           "+1", std::to_string(most + 1)}) {
    for (const std::string command : {" run --backend cpu", " validate --allow-no-device"}) {
      const std::string arguments = command + " --threads '" + value + "'";
      expect_error(run_in(cwd, arguments),
                   "--threads must be a whole number from 1 to " + std::to_string(most) +
                       " (4 × the cores): got '" + value + "'",
                   arguments);
    }
  }
  EXPECT_TRUE(fs::is_empty(cwd.path()));
}

TEST(Tolerance, AValueOutsideTheRuleIsRefused) {
  test::TempDir cwd;
  for (const std::string value :
       {"nan", "inf", "-inf", "0", "-0", "-1e-9", "1", "2", "1e400", "1e-400", "abc", "0x1p-3"}) {
    const std::string arguments = " validate --allow-no-device --tolerance '" + value + "'";
    expect_error(run_in(cwd, arguments),
                 "--tolerance must be a finite number greater than 0 and less than 1 (a "
                 "relative difference; at 1 or more any two values of the same sign would "
                 "pass): got '" +
                     value + "'",
                 arguments);
  }
}

bool has_cuda_device() {
  return cuda_device_count() > 0;
}

TEST(Tolerance, TheSmallestPositiveNumberAndOneLessThanOneAreAccepted) {
  test::TempDir book;
  test::write_small_book(book);
  for (const std::string value : {"5e-324", "0.999"}) {
    const auto result = test::run_command(kBinary + " validate --allow-no-device --dir " +
                                          book.path() + " --tolerance " + value);
    EXPECT_EQ(result.exit_code, 0) << value << "\n" << result.output;
    if (has_cuda_device()) {
      // Near zero the absolute 1e-6 still holds: the backends agree far closer.
      EXPECT_NE(result.output.find("validate: PASSED"), std::string::npos) << result.output;
    } else {
      EXPECT_NE(result.output.find("compared nothing"), std::string::npos) << result.output;
    }
  }
}

// The inputs are checked in full before the device question, so that a broken
// book fails the same on a machine without a device as on one with it.
TEST(Validate, ABrokenBookIsExitTwoWithOrWithoutADevice) {
  test::TempDir book, out;
  test::write_small_book(book);
  book.write("config.json", "{\"confidence\": 1.5}\n");
  const auto run = test::run_command(kBinary + " run --backend cpu --dir " + book.path() +
                                     " --out " + out.path());
  ASSERT_EQ(run.exit_code, 2) << run.output;
  ASSERT_EQ(run.output.rfind("xmargin: error: " + book.file("config.json") + ":1:", 0), 0u)
      << run.output;
  const auto validate =
      test::run_command(kBinary + " validate --allow-no-device --dir " + book.path());
  EXPECT_EQ(validate.exit_code, 2) << validate.output;
  EXPECT_EQ(validate.output, run.output);
}

TEST(Validate, AMissingFileIsExitTwoWithOrWithoutADevice) {
  test::TempDir book;
  test::write_small_book(book);
  fs::remove(book.file("positions.csv"));
  const auto result =
      test::run_command(kBinary + " validate --allow-no-device --dir " + book.path());
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_EQ(result.output,
            "xmargin: error: " + book.file("positions.csv") + ": cannot open file\n");
}

}  // namespace
}  // namespace xm
